import { parseStatement, prepareParser } from '../../lib/advisor/parse';
import type { ParsedStatement, Predicate, QueryScope } from '../../lib/advisor/parse-types';

beforeAll(() => prepareParser());

function parsed(q: string): ParsedStatement {
  const r = parseStatement(q);
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r;
}
const main = (q: string): QueryScope => {
  const p = parsed(q);
  return p.scopes[p.main];
};
/** Predicates as short strings: `equality o.customer_id`, `join o.id=i.order_id`. */
const facts = (s: QueryScope) =>
  s.predicates.map((p: Predicate) => {
    if (p.kind === 'join') return `join ${[p.left.qualifier, p.left.name].filter(Boolean).join('.')}=${[p.right.qualifier, p.right.name].filter(Boolean).join('.')}`;
    if (p.kind === 'naturalJoin') return 'natural';
    const col = [p.column.qualifier, p.column.name].filter(Boolean).join('.');
    if (p.kind === 'range') return `range${p.op === 'between' ? '(between)' : p.op} ${col}`;
    if (p.kind === 'prefixLike') return `prefixLike ${col}${p.certain ? '' : '?'}`;
    return `${p.kind} ${col}`;
  });

describe('parse: statement kinds and failures', () => {
  it('tells select, update, delete, insert and other apart', () => {
    expect(parsed('select 1').kind).toBe('select');
    expect(parsed('update t set a = $1 where id = $2').kind).toBe('update');
    expect(parsed('delete from t where id = $1').kind).toBe('delete');
    expect(parsed('insert into t (a) values ($1)').kind).toBe('insert');
    expect(parsed('create table x (a int)').kind).toBe('other');
  });

  it('an unparsable text is a typed failure with the parser message and position, never a throw', () => {
    expect(parseStatement('select * frm t where a = $1')).toEqual({ ok: false, reason: 'unparsable', message: 'syntax error at or near "frm"', position: 9 });
    expect(parseStatement("select * from t where a = 'x")).toMatchObject({ ok: false, reason: 'truncated' });
    expect(parseStatement('select * from t where a = $1 and b')).toMatchObject({ ok: true }); // cut at a token boundary: undetectable
    expect(parseStatement('select 1; select 2')).toMatchObject({ ok: false, reason: 'multiple-statements' });
    expect(parseStatement('  ')).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('hands on the PREPARE-able text and parameter types', () => {
    const p = parsed('select * from t where d > date $1 and n = $2::numeric');
    expect(p.text).toBe('select * from t where d > $1::date and n = $2::numeric');
    expect(Object.fromEntries(p.paramTypes)).toEqual({ 1: 'date', 2: 'numeric' });
    expect(p.paramCount).toBe(2);
  });
});

describe('parse: predicates of the top-level AND', () => {
  it('equality either way round, ranges, BETWEEN, IN, ANY, IS NULL, LIKE prefixes', () => {
    const s = main(
      `select * from t where a = $1 and $2 = b and c >= $3 and $4 > d and e between $5 and $6 and f in ($7, $8) and g = any($9)
       and h is null and i is not null and j like 'abc%' and k like $10 and l like '%x' and m = (select 1)`,
    );
    expect(facts(s)).toEqual([
      'equality a', 'equality b', 'range>= c', 'range< d', 'range(between) e', 'in f', 'in g', 'isNull h', 'isNotNull i',
      'prefixLike j', 'prefixLike k?', 'equality m',
    ]);
    expect(s.nonSargable).toEqual([{ reason: 'operator', columns: [{ name: 'l' }] }]);
  });

  it('OR, NOT, functions of a column and <> are non-sargable', () => {
    const s = main('select * from t where (a = $1 or b = $2) and not c = $3 and lower(d) = $4 and e <> $5 and f not in ($6) and g ilike $7');
    expect(facts(s)).toEqual([]);
    expect(s.nonSargable.map((n) => `${n.reason} ${n.columns.map((c) => c.name).join(',')}`)).toEqual([
      'or a,b', 'not c', 'expression d', 'operator e', 'not f', 'operator g',
    ]);
  });

  it('OR branches: shared conditions become top-level facts; the rest are branch facts for parameter values', () => {
    const s = main('select * from t, u where (t.id = u.t_id and a = $1 and b between $2 and $3) or (u.t_id = t.id and a = $4 and c in ($5, $6)) or (t.id = u.t_id and a = $7 and b > $8)');
    // `t.id = u.t_id` is in every branch (the second spells it the other way round, so not that one).
    expect(facts(s)).toEqual([]);
    const t = main('select * from t, u where (t.id = u.t_id and a = $1 and b between $2 and $3) or (t.id = u.t_id and a = $4 and c in ($5, $6))');
    expect(facts(t)).toEqual(['join t.id=u.t_id']);
    expect(t.branchPredicates.map((p) => (p.kind === 'join' || p.kind === 'naturalJoin' ? p.kind : `${p.kind} ${p.column.name}`))).toEqual(['equality a', 'range b', 'equality a', 'in c']);
    // Only `a` is compared in every branch: one index on it serves each (a BitmapOr).
    expect(t.orColumns.map((c) => c.name)).toEqual(['a']);
    expect(t.nonSargable).toEqual([{ reason: 'or', columns: ['a', 'b', 'a', 'c'].map((name) => ({ name })) }]);
    // Nested ORs inside a branch still place their parameters.
    const n = main('select * from t where (a = $1 and (b = $2 or c < $3)) or d = $4');
    expect(n.branchPredicates.map((p) => (p.kind === 'join' || p.kind === 'naturalJoin' ? p.kind : `${p.kind} ${p.column.name}`))).toEqual(['equality a', 'equality b', 'range c', 'equality d']);
  });

  it('CASE / COALESCE results that are only bare parameters are reported (PostgreSQL would type them text)', () => {
    expect(parsed('select sum(case when a = $1 or a = $2 then $3 else $4 end), sum(case when b <> $5 then $6 end) from t').untypedResults).toEqual([3, 4, 6]);
    expect(parsed('select coalesce($1, $2), coalesce(a, $3) from t').untypedResults).toEqual([1, 2]);
    // A typed result beside them types them: nothing to guess.
    expect(parsed('select sum(case when a = $1 then b * $2 else $3 end), case when a = $4 then $5 else 0 end from t').untypedResults).toEqual([]);
    expect(parsed('select * from t where a = $1').untypedResults).toEqual([]);
  });

  it('row comparisons split into equalities', () => {
    expect(facts(main('select * from t where (a, b) = ($1, $2)'))).toEqual(['equality a', 'equality b']);
  });

  it('keeps parameter-free conditions as constant predicates with their SQL', () => {
    const s = main(`select * from t where deleted_at is null and status = 'active' and kind in ('a', 'b') and archived and not hidden and flag is true and n > 0 and x = $1`);
    expect(s.constants.map((c) => `${c.prefix}${c.column.name}${c.suffix}`)).toEqual([
      'deleted_at IS NULL', "status = 'active'", "kind IN ('a', 'b')", 'archived', 'NOT hidden', 'flag IS TRUE', 'n > 0',
    ]);
  });

  it('values: parameters, constants, other columns, subqueries', () => {
    const s = main(`select * from t, u where t.a = $1 and t.b = 'x' and t.c = u.d + 1 and t.e in (select f from v) and t.g > now() - interval $2`);
    const kinds = s.predicates.map((p) => ('value' in p ? p.value.kind : p.kind));
    expect(kinds).toEqual(['param', 'const', 'columns', 'subquery', 'param']);
  });
});

describe('parse: relations, joins and scopes', () => {
  it('relation references with schema and alias; quoted mixed-case identifiers keep their case', () => {
    const s = main('select "O"."CustomerId" from sales."Orders" as "O" where "O"."Status" = $1');
    expect(s.relations).toEqual([{ id: 1, kind: 'relation', schema: 'sales', name: 'Orders', alias: 'O' }]);
    expect(s.predicates).toEqual([{ kind: 'equality', column: { qualifier: 'O', name: 'Status' }, value: { kind: 'param', columns: [], params: [1], untyped: true } }]);
  });

  it('JOIN … ON, USING, NATURAL and implicit comma joins', () => {
    const s = main('select * from a join b on b.a_id = a.id join c using (k) natural join d, e where e.x = a.x');
    expect(s.relations.map((r) => (r.kind === 'relation' ? r.name : r.kind))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(facts(s)).toEqual(['join b.a_id=a.id', 'join k=k', 'natural', 'join e.x=a.x']);
    const using = s.predicates.find((p) => p.kind === 'join' && p.leftRefs);
    expect(using).toMatchObject({ leftRefs: [1, 2], rightRefs: [3] });
  });

  it('ORDER BY with direction and NULLS (defaults filled in), by position and by alias; LIMIT', () => {
    const s = main('select a as x, b, count(*) as n from t group by 1, b order by x desc, 2 nulls first, b using > limit $1');
    expect(s.orderBy).toEqual([
      { column: { name: 'a' }, direction: 'desc', nulls: 'first' },
      { column: { name: 'b' }, direction: 'asc', nulls: 'first' },
      { column: { name: 'b' }, direction: 'desc', nulls: 'first' },
    ]);
    expect(s.groupBy).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(s.hasLimit).toBe(true);
    // An ORDER BY on an expression stops the list: no index supplies what follows it.
    expect(main('select a, count(*) as n from t group by a order by n desc, a').orderBy).toEqual([]);
  });

  it('target list: outputs with names, plain columns, stars', () => {
    const s = main('select t.*, a, b + 1 as c, count(*) from t');
    expect(s.outputs.map((o) => [o.name, o.column?.name, !!o.star])).toEqual([
      ['*', undefined, true], ['a', 'a', false], ['c', undefined, false], ['count', undefined, false],
    ]);
  });

  it('CTEs, FROM subqueries, EXISTS / IN / scalar subqueries and UNION branches are scopes', () => {
    const p = parsed(
      `with recent as materialized (select * from orders where created_at > $1)
       select * from recent r, (select id from customers where region = $2) c
       where exists (select 1 from items i where i.order_id = r.id) and r.x in (select y from z) and r.v = (select max(w) from q)
       union all select * from archive where id = $3`,
    );
    const roles = p.scopes.map((s) => `${s.role}${s.parent !== undefined ? '<' + s.parent : ''}`);
    expect(roles).toEqual(['main', 'cte<0', 'branch<0', 'from<2', 'sublink<2', 'sublink<2', 'sublink<2', 'branch<0']);
    expect(p.scopes[0].ctes).toEqual([{ name: 'recent', scope: 1, materialized: 'always', recursive: false }]);
    expect(p.scopes[0].branches).toEqual([2, 7]);
    expect(facts(p.scopes[4])).toEqual(['join i.order_id=r.id']); // correlated: resolved outwards later
    expect(facts(p.scopes[2])).toEqual(['in r.x', 'equality r.v']);
  });

  it('UPDATE and DELETE: target, FROM / USING, WHERE, SET columns', () => {
    const u = main('update orders o set status = $1, note = o.note || $2 from customers c where c.id = o.customer_id and c.region = $3');
    expect(u.relations.map((r) => (r.kind === 'relation' ? `${r.name} ${r.alias}` : ''))).toEqual(['orders o', 'customers c']);
    expect(facts(u)).toEqual(['join c.id=o.customer_id', 'equality c.region']);
    expect(u.writes).toEqual({ target: 1, columns: ['status', 'note'] });
    const d = main('delete from orders using customers c where orders.customer_id = c.id and c.deleted_at is not null');
    expect(facts(d)).toEqual(['join orders.customer_id=c.id', 'isNotNull c.deleted_at']);
  });

  it('SET col = <untyped parameters> types them as the target column (the planned SELECT drops SET values)', () => {
    const hints = (q: string) => main(q).paramHints.map((h) => `${[h.column.schema, h.column.qualifier, h.column.name].filter(Boolean).join('.')}:${h.params.join(',')}`);
    expect(hints('update s.orders o set status = $1, (a, b) = ($2, $3 + 1), w[1] = $4, v = $5::int, n = now(), m = default where o.id = $6')).toEqual([
      'o.status:1',
      'o.a:2',
      'o.b:3',
      'o.id:6',
    ]);
    expect(hints('update s.orders set status = $1 from c where c.id = orders.cid')).toEqual(['s.orders.status:1']);
    expect(hints('update orders set (a, b) = (select $1, $2)')).toEqual([]);
  });
});
