/**
 * The pg_partman 4.7 side of the partitions benchmark: create_parent per table plus retention in
 * part_config as its catch-up, then run_maintenance_proc() as its steady state. Note that
 * pg_partman 4.x's create_parent also makes `p_premake` partitions BEFORE the current one and a
 * DEFAULT partition, and creates them with CREATE TABLE … PARTITION OF.
 */
import type { Client } from 'pg';
import { parentName } from './setup';

export const PARTMAN_EXTENSIONS = ['create schema partman', 'create extension pg_partman schema partman'];

export async function partmanCatchUp(c: Client, tables: number, premake: number, retention: string): Promise<void> {
  for (let i = 1; i <= tables; i++) {
    await c.query(`select partman.create_parent(p_parent_table := $1, p_control := 'at', p_type := 'native', p_interval := 'daily', p_premake := $2)`,
      [`public.${parentName(i)}`, premake]);
  }
  await c.query(`update partman.part_config set retention = $1, retention_keep_table = false where parent_table ~ '^public\\.ev_[0-9]{3}$'`, [retention]);
}

export async function partmanSteadyState(c: Client): Promise<void> {
  await c.query('call partman.run_maintenance_proc()');
}
