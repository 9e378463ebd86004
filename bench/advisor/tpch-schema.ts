/**
 * The 8 TPC-H tables with the specification's columns and types (TPC-H 3.0.1, clause 1.4).
 * Deliberately no primary keys, foreign keys or indexes: the benchmark (Kossmann et al., VLDB
 * 2020) starts from bare heaps so that every index the advisor proposes is its own.
 * Column names keep the spec's prefixes (l_, o_, …), which makes them unique across tables —
 * the single-column reference set and the text scan in score.ts rely on that.
 */

export const TPCH_TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'] as const;
export type TpchTable = (typeof TPCH_TABLES)[number];

export const TPCH_DDL: Record<TpchTable, string> = {
  region: `create table region (
    r_regionkey integer not null,
    r_name char(25) not null,
    r_comment varchar(152))`,
  nation: `create table nation (
    n_nationkey integer not null,
    n_name char(25) not null,
    n_regionkey integer not null,
    n_comment varchar(152))`,
  supplier: `create table supplier (
    s_suppkey integer not null,
    s_name char(25) not null,
    s_address varchar(40) not null,
    s_nationkey integer not null,
    s_phone char(15) not null,
    s_acctbal numeric(15,2) not null,
    s_comment varchar(101) not null)`,
  customer: `create table customer (
    c_custkey integer not null,
    c_name varchar(25) not null,
    c_address varchar(40) not null,
    c_nationkey integer not null,
    c_phone char(15) not null,
    c_acctbal numeric(15,2) not null,
    c_mktsegment char(10) not null,
    c_comment varchar(117) not null)`,
  part: `create table part (
    p_partkey integer not null,
    p_name varchar(55) not null,
    p_mfgr char(25) not null,
    p_brand char(10) not null,
    p_type varchar(25) not null,
    p_size integer not null,
    p_container char(10) not null,
    p_retailprice numeric(15,2) not null,
    p_comment varchar(23) not null)`,
  partsupp: `create table partsupp (
    ps_partkey integer not null,
    ps_suppkey integer not null,
    ps_availqty integer not null,
    ps_supplycost numeric(15,2) not null,
    ps_comment varchar(199) not null)`,
  orders: `create table orders (
    o_orderkey integer not null,
    o_custkey integer not null,
    o_orderstatus char(1) not null,
    o_totalprice numeric(15,2) not null,
    o_orderdate date not null,
    o_orderpriority char(15) not null,
    o_clerk char(15) not null,
    o_shippriority integer not null,
    o_comment varchar(79) not null)`,
  lineitem: `create table lineitem (
    l_orderkey integer not null,
    l_partkey integer not null,
    l_suppkey integer not null,
    l_linenumber integer not null,
    l_quantity numeric(15,2) not null,
    l_extendedprice numeric(15,2) not null,
    l_discount numeric(15,2) not null,
    l_tax numeric(15,2) not null,
    l_returnflag char(1) not null,
    l_linestatus char(1) not null,
    l_shipdate date not null,
    l_commitdate date not null,
    l_receiptdate date not null,
    l_shipinstruct char(25) not null,
    l_shipmode char(10) not null,
    l_comment varchar(44) not null)`,
};

/** Statements that (re)create the empty schema, children before parents for the drops. */
export function schemaStatements(): string[] {
  return [...[...TPCH_TABLES].reverse().map((t) => `drop table if exists ${t}`), ...TPCH_TABLES.map((t) => TPCH_DDL[t])];
}
