/** Jest global setup: one private cluster for the whole run, a template database per file. */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { ClusterInfo, STEWARD_PASSWORD, startCluster, superuserUrl } from './cluster';
import { CAPTURE_ENV } from './secret-capture';

export const TEMPLATE_DB = 'pgsteward_template';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const info = await startCluster();
  (globalThis as { __PGSTEWARD_CLUSTER__?: ClusterInfo }).__PGSTEWARD_CLUSTER__ = info;
  process.env.PGSTEWARD_TEST_CLUSTER = JSON.stringify(info);
  // The suite-wide secret check's capture (support/secret-capture.ts), beside the cluster's data.
  const capture = join(dirname(info.dataDir), 'capture');
  mkdirSync(capture);
  process.env[CAPTURE_ENV] = capture;

  const admin = new Client({ connectionString: superuserUrl(info) });
  await admin.connect();
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();

  const tpl = new Client({ connectionString: superuserUrl(info, TEMPLATE_DB) });
  await tpl.connect();
  await tpl.query('create extension if not exists pg_stat_statements');
  await tpl.query('create extension if not exists hypopg');
  await tpl.query('create schema if not exists partman');
  await tpl.query('create extension if not exists pg_partman schema partman');
  await tpl.end();

  // The role script is run exactly as a user would: plain psql -f, as a superuser.
  execFileSync(join(info.binDir, 'psql'), ['-X', '-q', '-f', join(__dirname, '../../sql/roles.sql'), superuserUrl(info, TEMPLATE_DB)], { stdio: 'pipe' });
  const c = new Client({ connectionString: superuserUrl(info) });
  await c.connect();
  await c.query(`alter role pgsteward password '${STEWARD_PASSWORD}'`);
  await c.end();
  if (process.env.PGSTEWARD_TEST_VERBOSE) process.stderr.write(`\ncluster ${info.major} on :${info.port} ready in ${Date.now() - started} ms\n`);
}
