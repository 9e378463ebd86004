/**
 * TPC-H data generated in SQL (no dbgen binary to install): generate_series for the keys,
 * random() after a fixed setseed for the values, so two runs produce the same database. Only the
 * distributions that predicates and join selectivities depend on follow dbgen (TPC-H 3.0.1
 * clause 4.2.3): key ranges and sparse order keys, dates, discounts, quantities, the type /
 * container / brand / segment / priority / ship-mode vocabularies, phone country prefixes,
 * partsupp's supplier formula (Q9 joins lineitem to partsupp on it), customers with custkey % 3
 * = 0 having no orders (Q13, Q22), and the LIKE words at low frequencies. Free text is short
 * word salad, not dbgen's grammar: only its length matters to the planner (row width).
 * random() is parallel-restricted, so these statements never run in parallel and stay
 * deterministic for a given seed.
 */
import { schemaStatements } from './tpch-schema';

/** Anything with query(sql): a pg Client, or pgsteward's Db. */
export interface SqlRunner {
  query(sql: string): Promise<unknown>;
}

const NATIONS: [string, number][] = [
  ['ALGERIA', 0], ['ARGENTINA', 1], ['BRAZIL', 1], ['CANADA', 1], ['EGYPT', 4], ['ETHIOPIA', 0], ['FRANCE', 3], ['GERMANY', 3],
  ['INDIA', 2], ['INDONESIA', 2], ['IRAN', 4], ['IRAQ', 4], ['JAPAN', 2], ['JORDAN', 4], ['KENYA', 0], ['MOROCCO', 0],
  ['MOZAMBIQUE', 0], ['PERU', 1], ['CHINA', 2], ['ROMANIA', 3], ['SAUDI ARABIA', 4], ['VIETNAM', 2], ['RUSSIA', 3],
  ['UNITED KINGDOM', 3], ['UNITED STATES', 1],
];
const REGIONS = ['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'];
/** dbgen's 92 p_name words: Q9 looks for '%green%' (5 of them per name → ~5% of parts). */
const COLORS = `almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished chartreuse
  chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim dodger drab firebrick floral forest frosted gainsboro
  ghost goldenrod green grey honeydew hot indian ivory khaki lace lavender lawn lemon light lime linen magenta maroon medium
  metallic midnight mint misty moccasin navajo navy olive orange orchid pale papaya peach peru pink plum powder puff purple
  red rose rosy royal saddle salmon sandy seashell sienna sky slate smoke snow spring steel tan thistle tomato turquoise
  violet wheat white yellow`.split(/\s+/);
const SEGMENTS = ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'];
const PRIORITIES = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'];
const TYPE1 = ['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'];
const TYPE2 = ['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED'];
const TYPE3 = ['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'];
const CONT1 = ['SM', 'LG', 'MED', 'JUMBO', 'WRAP'];
const CONT2 = ['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM'];
const INSTRUCT = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'];
const MODES = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];
// Comment vocabulary after dbgen's parts of speech. 'special' is 1 adjective in 20 and
// 'requests' 1 noun in 10, so '%special%requests%' (Q13) matches a few % of order comments.
const ADJ = 'furious sly careful blithe quick fluffy slow quiet ruthless thin close dogged daring brave stealthy permanent enticing idle busy special'.split(' ');
const NOUN = 'foxes ideas theodolites deposits instructions dependencies excuses platelets asymptotes requests'.split(' ');
const VERB = 'sleep wake are cajole haggle nag use boost affix detect integrate maintain nod lose'.split(' ');
const ADV = 'sometimes always never furiously slyly carefully blithely quickly fluffily slowly quietly'.split(' ');

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const arr = (xs: string[]) => `(array[${xs.map(lit).join(',')}])`;
/** One uniformly random element (a fresh random() per evaluation). */
const pick = (xs: string[]) => `${arr(xs)}[1 + floor(random() * ${xs.length})::int]`;
/** Uniform integer in [lo, hi]. */
const rint = (lo: number, hi: number) => `(${lo} + floor(random() * ${hi - lo + 1})::int)`;
/** ~45 characters of word salad. */
const salad = () => `${pick(ADJ)} || ' ' || ${pick(NOUN)} || ' ' || ${pick(VERB)} || ' ' || ${pick(ADV)} || ' ' || ${pick(ADJ)} || ' ' || ${pick(NOUN)}`;
/**
 * Free text of dbgen's length range for the column (clause 4.2.3: l_comment 10..43,
 * ps_comment 49..198, …): the length is what matters, as it sets row width and index size.
 */
const sentence = (min: number, max: number) =>
  `left(${Array.from({ length: Math.ceil(max / 40) }, salad).join(` || ' ' || `)}, ${rint(min, max)})`;
/** dbgen: country code = nationkey + 10 (Q22 filters on it), then 3-3-4 digits. */
const phone = (nationkey: string) => `(${nationkey} + 10)::text || '-' || ${rint(100, 999)} || '-' || ${rint(100, 999)} || '-' || ${rint(1000, 9999)}`;
/** A random address-like string of 10..40 characters. */
const address = `left(md5(random()::text) || md5(random()::text), ${rint(10, 40)})`;
/** dbgen's formula: p_retailprice is a function of p_partkey, so lineitem needs no join to part. */
const retail = (k: string) => `((90000 + ((${k} / 10) % 20001) + 100 * (${k} % 1000)) / 100.0)`;

export interface Scale {
  suppliers: number;
  customers: number;
  parts: number;
  orders: number;
}

export function scaleFactor(sf: number): Scale {
  return { suppliers: Math.round(10_000 * sf), customers: Math.round(150_000 * sf), parts: Math.round(200_000 * sf), orders: Math.round(1_500_000 * sf) };
}

/** The statements, in order, that build and fill the schema at scale factor `sf`. */
export function dataStatements(sf = 0.1, seed = 0.42): string[] {
  const s = scaleFactor(sf);
  const S = s.suppliers;
  // dbgen: ps_suppkey = (partkey + i * (S/4 + (partkey-1)/S)) mod S + 1, for i in 0..3.
  const suppOf = (k: string, i: string) => `((${k} + ${i} * (${Math.floor(S / 4)} + (${k} - 1) / ${S})) % ${S} + 1)`;
  return [
    // The test cluster runs with synchronous_commit = off; VACUUM cannot mark a page all-visible
    // while its rows' commit records are not yet flushed (it cannot set their hint bits: heapam's
    // lazy_scan_prune), so a VACUUM right after an asynchronous load left the visibility map
    // empty or half set, at random, and with it every index-only scan's cost.
    `set synchronous_commit = on`,
    `select setseed(${seed})`,
    ...schemaStatements(),
    `insert into region select i - 1, n, ${sentence(31, 115)} from unnest(${arr(REGIONS)}) with ordinality r(n, i)`,
    `insert into nation select i - 1, n, r, ${sentence(31, 114)}
       from unnest(${arr(NATIONS.map((n) => n[0]))}, array[${NATIONS.map((n) => n[1]).join(',')}]) with ordinality x(n, r, i)`,
    // 0.5% each of supplier comments carry Customer…Complaints (Q16) or Customer…Recommends.
    `insert into supplier select k, 'Supplier#' || lpad(k::text, 9, '0'), ${address}, nk, ${phone('nk')},
       round((-999.99 + random() * 10999.98)::numeric, 2),
       case when u < 0.005 then left('blithely Customer ' || ${pick(NOUN)} || ' Complaints', 101)
            when u < 0.01 then left('slyly Customer ' || ${pick(NOUN)} || ' Recommends', 101)
            else ${sentence(25, 100)} end
       from (select k, ${rint(0, 24)} as nk, random() as u from generate_series(1, ${S}) k offset 0) x`,
    `insert into customer select k, 'Customer#' || lpad(k::text, 9, '0'), ${address}, nk, ${phone('nk')},
       round((-999.99 + random() * 10999.98)::numeric, 2), ${pick(SEGMENTS)}, ${sentence(29, 116)}
       from (select k, ${rint(0, 24)} as nk from generate_series(1, ${s.customers}) k offset 0) x`,
    `insert into part select k, ${pick(COLORS)} || ' ' || ${pick(COLORS)} || ' ' || ${pick(COLORS)} || ' ' || ${pick(COLORS)} || ' ' || ${pick(COLORS)},
       'Manufacturer#' || m, 'Brand#' || m || ${rint(1, 5)},
       ${pick(TYPE1)} || ' ' || ${pick(TYPE2)} || ' ' || ${pick(TYPE3)}, ${rint(1, 50)},
       ${pick(CONT1)} || ' ' || ${pick(CONT2)}, ${retail('k')}, ${sentence(5, 22)}
       from (select k, ${rint(1, 5)} as m from generate_series(1, ${s.parts}) k offset 0) x`,
    `insert into partsupp select k, ${suppOf('k', 'i')}, ${rint(1, 9999)}, round((1 + random() * 999)::numeric, 2), ${sentence(49, 198)}
       from generate_series(1, ${s.parts}) k, generate_series(0, 3) i`,
    // Order skeletons first: lineitem is generated from them, then orders gets its status and
    // total price from its lines (as dbgen computes them). Order keys are sparse: 8 used of each 32.
    // o_orderdate: 1992-01-01 .. 1998-08-02 (end date minus 151 days, so every line ships by 1998-12-31).
    `create temp table o_stage as select ((n - 1) / 8) * 32 + (n - 1) % 8 + 1 as okey,
       c + (c - 1) / 2 as custkey, date '1992-01-01' + ${rint(0, 2405)} as odate, ${rint(1, 7)} as nlines
       from (select n, ${rint(1, Math.floor((s.customers * 2) / 3))} as c from generate_series(1, ${s.orders}) n offset 0) x`,
    `insert into lineitem select okey, pk, ${suppOf('pk', 'si')}, ln, q, round(q * ${retail('pk')}, 2), d, t,
       case when sdate + rd <= date '1995-06-17' then (case when random() < 0.5 then 'R' else 'A' end) else 'N' end,
       case when sdate > date '1995-06-17' then 'O' else 'F' end,
       sdate, odate + ${rint(30, 90)}, sdate + rd, ${pick(INSTRUCT)}, ${pick(MODES)}, ${sentence(10, 43)}
       from (select okey, odate, ln, ${rint(1, s.parts)} as pk, ${rint(0, 3)} as si, ${rint(1, 50)}::numeric as q,
                    ${rint(0, 10)} / 100.0 as d, ${rint(0, 8)} / 100.0 as t, odate + ${rint(1, 121)} as sdate, ${rint(1, 30)} as rd
               from o_stage, generate_series(1, nlines) ln offset 0) x`,
    `insert into orders select okey, custkey,
       case when nf = n then 'F' when nf = 0 then 'O' else 'P' end, total, odate, ${pick(PRIORITIES)},
       'Clerk#' || lpad(${rint(1, Math.max(1, Math.round(1000 * sf)))}::text, 9, '0'), 0, ${sentence(19, 78)}
       from o_stage join (select l_orderkey, count(*) as n, count(*) filter (where l_linestatus = 'F') as nf,
                                 round(sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)), 2) as total
                            from lineitem group by l_orderkey) l on l.l_orderkey = okey
       order by okey`,
    `drop table o_stage`,
    // VACUUM as well as ANALYZE: it sets the visibility map (index-only scans are costed on
    // it), and leaves autovacuum nothing to do mid-benchmark that would shift the costs.
    `vacuum analyze`,
    // The load is not the workload: table write counters (what the advisor charges indexes
    // for) start after it, as on a database that has been loaded long ago. Per database.
    `select pg_stat_force_next_flush()`,
    `select pg_stat_reset()`,
  ];
}

/** Builds the database; returns seconds taken. */
export async function generateTpch(db: SqlRunner, sf = 0.1, log: (msg: string) => void = () => undefined): Promise<number> {
  const t0 = performance.now();
  for (const sql of dataStatements(sf)) {
    const t = performance.now();
    await db.query(sql);
    log(`${sql.replace(/\s+/g, ' ').slice(0, 40)}… ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return (performance.now() - t0) / 1000;
}
