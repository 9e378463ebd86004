import { prepareParser } from '../../lib/advisor/parse';
import { prepareSqlText } from '../../lib/advisor/sql-text';
import { useTestDatabase } from '../support/db';

beforeAll(() => prepareParser());

const rewrite = (q: string) => prepareSqlText(q).text;
const types = (q: string) => Object.fromEntries(prepareSqlText(q).paramTypes);

describe('typed literals in normalized texts become casts', () => {
  it('date $1, timestamptz $2, interval $3', () => {
    const q = 'select * from t where d = date $1 and ts > timestamptz $2 and iv = interval $3';
    expect(rewrite(q)).toBe('select * from t where d = $1::date and ts > $2::timestamptz and iv = $3::interval');
    expect(types(q)).toEqual({ 1: 'date', 2: 'timestamptz', 3: 'interval' });
  });

  it('multi-word type names and type modifiers move whole', () => {
    const q =
      'select * from t where ts = timestamp with time zone $1 and tm = time without time zone $2 and f = double precision $3 ' +
      'and t3 = timestamp(3) with time zone $4 and n = numeric(10,2) $5 and s = character varying $6 and s = national character varying $7 and b = bit varying $8::text';
    expect(rewrite(q)).toBe(
      'select * from t where ts = $1::timestamp with time zone and tm = $2::time without time zone and f = $3::double precision ' +
        'and t3 = $4::timestamp(3) with time zone and n = $5::numeric(10,2) and s = $6::character varying and s = $7::national character varying and b = $8::bit varying::text',
    );
    // PREPARE takes the type without its modifiers (only the OID counts).
    expect(types(q)).toMatchObject({ 1: 'timestamp with time zone', 2: 'time without time zone', 3: 'double precision', 4: 'timestamp with time zone', 5: 'numeric', 6: 'character varying' });
  });

  it("interval fields stay with the type (interval '1' day is stored as interval $1 day)", () => {
    expect(rewrite('select * from t where d < date $1 - interval $2 day')).toBe('select * from t where d < $1::date - $2::interval day');
    expect(rewrite('select interval $1 year to month, interval $2 minute to second(2), interval(3) $3')).toBe(
      'select $1::interval year to month, $2::interval minute to second(2), $3::interval(3)',
    );
  });

  it('interval fields far from the parameter, or behind a long string, are still found', () => {
    for (let pad = 0; pad < 60; pad += 3) {
      const gap = ' '.repeat(pad);
      expect(rewrite(`select interval $1${gap}minute to second(2), 'x'`)).toBe(`select $1::interval minute to second(2), 'x'`);
    }
    const long = `'${'long string '.repeat(8)}'`;
    expect(rewrite(`select interval $1 day || ${long}`)).toBe(`select $1::interval day || ${long}`);
  });

  it('qualified and quoted type names', () => {
    expect(rewrite('select pg_catalog.timestamptz $1, "text" $2, public.citext $3')).toBe('select $1::pg_catalog.timestamptz, $2::"text", $3::public.citext');
    expect(types('select pg_catalog.timestamptz $1, "text" $2, public.citext $3, "char" $4')).toEqual({ 1: 'timestamp with time zone', 2: 'text', 3: 'public.citext', 4: '"char"' });
  });

  it('leaves strings, comments and quoted identifiers alone, also after multi-byte characters', () => {
    const q = `/* date $1 */ select 'date $1' as "date $1", 'é€😀' from t where d = date $2 -- date $3`;
    expect(rewrite(q)).toBe(`/* date $1 */ select 'date $1' as "date $1", 'é€😀' from t where d = $2::date -- date $3`);
  });

  it('does not mistake keywords before a parameter for a type', () => {
    for (const q of [
      'select * from t where s like $1 escape $2 fetch first $3 rows only',
      'select ts at time zone $1 from t',
      'select * from t where a between $1 and $2 order by a limit $3 offset $4',
    ]) {
      expect(rewrite(q)).toBe(q);
    }
  });

  it('collects explicit casts and counts parameters', () => {
    const r = prepareSqlText('select $1::int, cast($2 as int[]), $3::numeric(10,2), $5');
    expect(Object.fromEntries(r.paramTypes)).toEqual({ 1: 'integer', 2: 'integer[]', 3: 'numeric' });
    expect(r.paramCount).toBe(5);
    expect(r.truncated).toBe(false);
  });
});

describe('truncated and unparsable texts', () => {
  it.each([
    ["select * from t where s = 'abc", 'unterminated quoted string'],
    ['select * from t /* a comment', 'unterminated /* comment'],
    ['select * from t where a = $1 and', 'at end of input'],
    ['select * from t where a in ($1, $', 'syntax error'],
  ])('%s → truncated', (q, message) => {
    const r = prepareSqlText(q);
    expect(r.truncated).toBe(true);
    expect(r.error?.message).toContain(message);
  });

  it('a syntax error before the end is not truncation, and carries its position', () => {
    const r = prepareSqlText('selec * from t where a = $1');
    expect(r.truncated).toBe(false);
    expect(r.error).toEqual({ message: 'syntax error at or near "selec"', position: 0 });
    expect(prepareSqlText("select 'é' frm t where a = 1").error?.position).toBe(15);
  });

  it('a text at its storage limit counts as truncated even when it parses', () => {
    const q = 'select * from t where a = $1';
    expect(prepareSqlText(q, { maxBytes: q.length + 1 }).truncated).toBe(true);
    expect(prepareSqlText(q, { maxBytes: 1024 }).truncated).toBe(false);
  });
});

describe('against the server: what pg_stat_statements stores, rewritten, PREPAREs', () => {
  const db = useTestDatabase();

  it('every typed literal form', async () => {
    await db.admin.query('create table sqltext_t (d date, ts timestamptz, t timestamp, tm time, iv interval, n numeric, f float8, s text)');
    await db.admin.query('select pg_stat_statements_reset()');
    const statements = [
      `select * from sqltext_t where d <= date '1998-12-01' - interval '90' day`,
      `select * from sqltext_t where ts > timestamptz '2024-06-01' and t = timestamp(3) without time zone '2024-01-01'`,
      `select * from sqltext_t where ts = timestamp with time zone '2024-01-01' and tm = time without time zone '10:00'`,
      `select * from sqltext_t where f = double precision '1' and n = numeric(10,2) '1' and s = character varying '1'`,
      `select * from sqltext_t where iv = interval '1' year to month or iv = interval '1' minute to second(2) or iv = interval(3) '1 s'`,
      `select * from sqltext_t where s = 'x -- not a comment' /* date '2020-01-01' */`,
    ];
    for (const s of statements) await db.admin.query(s);
    const { rows } = await db.admin.query<{ query: string }>(
      `select query from pg_stat_statements where query like '%sqltext_t%' and query not like '%pg_stat_statements%' and dbid = (select oid from pg_database where datname = current_database())`,
    );
    expect(rows).toHaveLength(statements.length);
    expect(rows.map((r) => r.query)).toContain('select * from sqltext_t where d <= date $1 - interval $2 day');
    for (const { query } of rows) {
      const r = prepareSqlText(query);
      const list = Array.from({ length: r.paramCount }, (_, i) => r.paramTypes.get(i + 1) ?? 'text');
      await expect(db.admin.query(`prepare p${list.length ? `(${list.join(', ')})` : ''} as ${r.text}`)).resolves.toBeDefined();
      await db.admin.query('deallocate p');
    }
  });
});
