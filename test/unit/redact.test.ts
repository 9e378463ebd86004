import { redactLiterals } from '../../lib/health/redact';

describe('redactLiterals', () => {
  it.each([
    [`select * from users where email = 'a@b.c' and id = 42`, `select * from users where email = ? and id = ?`],
    [`select 'it''s', E'line\\n\\'q', $$body$$, $tag$x$tag$`, `select ?, ?, ?, ?`],
    [`select "col'name", t1.c2 from t1 where x = 3.14e-2`, `select "col'name", t1.c2 from t1 where x = ?`],
    [`update t set v = $1 where id = $2`, `update t set v = $1 where id = $2`],
    [`select x'1F', b'101', 0x1f -- note 'kept'`, `select ?, ?, ? -- note 'kept'`],
    [`insert into t values ('truncated at the cu`, `insert into t values (?`],
  ])('%s', (input, expected) => {
    expect(redactLiterals(input)).toBe(expected);
  });
});
