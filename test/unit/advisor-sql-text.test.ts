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

describe('interval fields of normalized interval literals', () => {
  it('are kept by parameter, for the window a report asks (values.ts)', () => {
    const out = prepareSqlText('select 1 from t where d >= date $1 and d < date $2 + interval $3 month and e < now() - interval $4 day to second and f < $5::interval');
    expect(out.intervalFields).toEqual(new Map([[3, 'month'], [4, 'day to second']]));
  });
});

describe('special-syntax forms that normalize into invalid SQL', () => {
  it('extract($n from e) → pg_catalog.date_part($n, e), the field typed text', () => {
    const q = 'select extract($1 from d) from t where extract($2 from ts) = $3';
    expect(rewrite(q)).toBe('select pg_catalog.date_part($1, d) from t where pg_catalog.date_part($2, ts) = $3');
    expect(types(q)).toEqual({ 1: 'text', 2: 'text' });
  });

  it('extract with odd spacing, comments, upper case, nesting and a typed literal source', () => {
    expect(rewrite('select EXTRACT ( $1 /* f */\n FROM interval $2 day), extract($3 from extract($4 from date $5) * interval $6)')).toBe(
      'select pg_catalog.date_part($1, $2::interval day), pg_catalog.date_part($3, pg_catalog.date_part($4, $5::date) * $6::interval)',
    );
    expect(rewrite(`select extract($1 from d) as "extract($1 from d)", 'extract($2 from d)' from t`)).toBe(
      `select pg_catalog.date_part($1, d) as "extract($1 from d)", 'extract($2 from d)' from t`,
    );
  });

  it('leaves extract with a literal field and explicit pg_catalog calls alone', () => {
    for (const q of ['select extract(year from d) from t', `select extract('epoch' from d) from t`, 'select pg_catalog.extract($1, d) from t']) expect(rewrite(q)).toBe(q);
  });

  it('normalize(e, $n) → pg_catalog.normalize(e, $n)', () => {
    const q = `select normalize(s, $1), normalize(s), normalize(f(s, 'x'), $2) from t where s = 'normalize(s, $3)'`;
    expect(rewrite(q)).toBe(`select pg_catalog.normalize(s, $1), normalize(s), pg_catalog.normalize(f(s, 'x'), $2) from t where s = 'normalize(s, $3)'`);
    expect(types(q)).toEqual({ 1: 'text', 2: 'text' });
  });

  it('e IS [NOT] $n NORMALIZED → IS [NOT] NFC NORMALIZED; the parameter is still counted and typed', () => {
    const r = prepareSqlText('select * from t where s is $2 normalized and (a || b) is not /* form */ $3 normalized and c = $1');
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('select * from t where s is NFC normalized and (a || b) is not /* form */ NFC normalized and c = $1');
    expect(r.paramCount).toBe(3);
    expect(Object.fromEntries(r.paramTypes)).toEqual({ 2: 'text', 3: 'text' });
  });

  it("$n UESCAPE '…' loses the escape of the Unicode string it replaced", () => {
    expect(rewrite(`select $1 UESCAPE '!' from t where s = $2 uescape '#' and u = U&'d!0061' UESCAPE '!'`)).toBe(
      `select $1 from t where s = $2 and u = U&'d!0061' UESCAPE '!'`,
    );
  });

  it('a text broken otherwise keeps its own error', () => {
    expect(prepareSqlText('select normalize(s, $1) frm t').error?.message).toBe('syntax error at or near "$1"');
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
    // This database's entries only: pg_stat_statements is cluster-wide and other files run in parallel.
    await db.admin.query('select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)');
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

  it('special-syntax forms: those stored as invalid SQL are rewritten, the others are stored valid', async () => {
    await db.admin.query('create table sqltext_f (d date, ts timestamptz, s text, n int, x xml, iv interval)');
    // Each is a different query shape, so pg_stat_statements keeps one entry apiece.
    const invalid = [
      `select extract(year from d), extract(epoch from ts) from sqltext_f where extract(month from d) = 3`,
      `select extract(epoch from interval '1' day) from sqltext_f`,
      `select normalize(s, NFKD) from sqltext_f`,
      `select 1 from sqltext_f where s is nfc normalized or s is not nfkc normalized`,
      `select U&'d!0061t' UESCAPE '!' || s from sqltext_f`,
    ];
    const valid = [
      `select overlay(s placing 'x' from 2 for 3), trim(both 'x' from s), position('a' in s), substring(s from 2 for 3) from sqltext_f`,
      `select substring(s similar 'a' escape '#'), ts at time zone 'UTC', s collate "C", cast('1' as int) from sqltext_f`,
      `select * from sqltext_f order by n fetch first 5 rows only`,
      `select * from sqltext_f order by n limit all offset 5`,
      `select 1.5::numeric(10,2), n::numeric(10,2) from sqltext_f`,
      `select sum(n) over (order by n rows between 2 preceding and 1 following) from sqltext_f tablesample system (10) repeatable (1)`,
      `select xmlroot(x, version '1.0'), xmlexists('//a' passing x), xmlparse(document '<a/>') from sqltext_f`,
    ];
    for (const q of [...invalid, ...valid]) await db.admin.query(q);
    const { rows } = await db.admin.query<{ query: string }>(
      `select query from pg_stat_statements where query like 'select%sqltext_f%' and dbid = (select oid from pg_database where datname = current_database())`,
    );
    const stored = rows.map((r) => r.query);
    expect(stored).toHaveLength(invalid.length + valid.length);
    expect(stored).toContain('select extract($1 from d), extract($2 from ts) from sqltext_f where extract($3 from d) = $4');
    const rejected: string[] = [];
    for (const query of stored) {
      const raw = await db.admin.query(`prepare raw as ${query}`).then(() => db.admin.query('deallocate raw'), (e: Error) => e.message);
      if (typeof raw === 'string') rejected.push(raw);
      const r = prepareSqlText(query);
      // The rewrite's own types, the others left to the server to infer.
      const list = Array.from({ length: r.paramCount }, (_, i) => r.paramTypes.get(i + 1) ?? 'unknown');
      await expect(db.admin.query(`prepare p${list.length ? `(${list.join(', ')})` : ''} as ${r.text}`)).resolves.toBeDefined();
      await db.admin.query('deallocate p');
    }
    expect(rejected).toHaveLength(invalid.length);
    for (const message of rejected) expect(message).toMatch(/^syntax error at or near/);
  });
});
