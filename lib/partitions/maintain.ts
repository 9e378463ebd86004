/**
 * Maintains ONE table by its policy: lock the table against other pgsteward runs, read the
 * catalog, plan (./plan.ts), then carry the plan out step by step (./apply.ts) — or, in a dry
 * run, return the plan with its exact SQL and change nothing. Every failure stays inside the
 * table's outcome, so one bad policy or one busy table never stops the others.
 */
import { errorMessage } from '../errors';
import { Db, displayIdent, LockTimeoutError, PermissionError, quoteIdent, quoteQualified } from '../pg';
import type { PartitionAction, PartitionFinding, PartitionTableResult } from '../report/types';
import { runInTransaction, runOutsideTransaction, StepOptions, StepResult } from './apply';
import { wantedBounds } from './bounds';
import { readCatalog } from './catalog';
import { attachSql, canDetachConcurrently, createSql, detachSql, dropSql, finalizeSql } from './ddl';
import { archiveKeys, ArchiveDestination, archivePartition } from './archive';
import { PartitionPolicyError } from './errors';
import { moveBatchSql, moveDefaultRowsAndAttach } from './move-default';
import { planPartitions, PlannedPartition } from './plan';
import { PartitionPolicy } from './policy';
import { CatalogSnapshot } from './types';

export interface MaintainOptions {
  dryRun?: boolean;
  /** Plan as of this instant instead of now() (tests, what-if dry runs); time policies only. */
  at?: Date;
  /** Overrides of the step retries (tests). */
  attempts?: number;
  backoffMs?: number;
  /** Where retentionMode "archive" copies a partition before dropping it; without one, nothing is archived. */
  archive?: ArchiveDestination;
  /** moveDefaultRows: rows per batch, and the time the moves of one run may take. */
  moveBatchRows?: number;
  moveBudgetMs?: number;
}

export interface TableOutcome {
  table: PartitionTableResult;
  actions: PartitionAction[];
  findings: PartitionFinding[];
  partitions: { table: string; partition: string; from: string | null; to: string | null; fromKey?: string | null; toKey?: string | null }[];
}

/**
 * Session-level advisory lock on (this namespace, the parent's oid): two runs (a schedule and a
 * person, two Lambdas) never maintain the same table at once; it is released at the end, or by
 * the server when the session ends (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS).
 */
const LOCK_SQL = `
select c.oid::int as oid, $2::boolean and pg_try_advisory_lock(hashtext('pgsteward.partitions'), c.oid::int) as got,
       pg_get_userbyid(c.relowner) as owner, c.relowner <> (select oid from pg_roles where rolname = current_user) as foreign_owner
from pg_class c where c.oid = to_regclass($1::text)`;
const UNLOCK_SQL = `select pg_advisory_unlock(hashtext('pgsteward.partitions'), $1::int)`;
const PENDING_SQL = `select i.inhdetachpending as pending from pg_inherits i where i.inhrelid = to_regclass($1::text)`;

export async function maintainTable(db: Db, policy: PartitionPolicy, opts: MaintainOptions = {}): Promise<TableOutcome> {
  const label = policy.label;
  const out: TableOutcome = { table: { table: label, status: 'ok', partitionsBefore: 0, partitionsAfter: 0 }, actions: [], findings: [], partitions: [] };
  const finding = (check: PartitionFinding['check'], severity: PartitionFinding['severity'], message: string) =>
    out.findings.push({ table: label, check, severity, message });
  const fail = (err: unknown) => {
    out.table.status = 'failed';
    out.table.error = errorMessage(err);
  };
  const regclass = policy.schema !== undefined ? quoteQualified(policy.schema, policy.table) : quoteIdent(policy.table);

  let lockedOid: number | undefined;
  let owner: string | undefined;
  try {
    // A dry run only reads: it takes no lock ($2 false), but shows the same OWNER TO.
    const [row] = await db.query<{ oid: number; got: boolean; owner: string; foreign_owner: boolean }>(LOCK_SQL, [regclass, !opts.dryRun]);
    if (row) {
      if (!opts.dryRun && !row.got) {
        out.table.status = 'skipped';
        finding('concurrent_run', 'warning', `${label}: another pgsteward run is maintaining this table (advisory lock held); skipped this time`);
        return out;
      }
      if (!opts.dryRun) lockedOid = row.oid;
      if (row.foreign_owner) owner = row.owner;
    }
    const snap = await readCatalog(db, policy);
    const wanted = await wantedBounds(db, policy, snap, opts.at);
    const plan = planPartitions(policy, snap, wanted);
    out.table.axis = { kind: snap.keyKind === 'integer' ? 'id' : 'time', now: wanted.nowKey?.toString() ?? null, retentionCutoff: wanted.cutoffKey?.toString() ?? null };
    out.table.partitionsBefore = snap.partitions.length;
    const step: StepOptions = { lockTimeoutMs: policy.lockTimeoutMs, attempts: opts.attempts, backoffMs: opts.backoffMs };
    const major = db.server.major;
    let blocked: string | undefined;
    const record = (a: Omit<PartitionAction, 'table' | 'durationMs' | 'status'>, r?: StepResult, skipReason?: string): boolean => {
      const status = skipReason ? 'skipped' : opts.dryRun ? 'planned' : r?.error ? 'failed' : 'done';
      out.actions.push({ table: label, ...a, status, durationMs: r?.durationMs ?? 0, ...(r ? { attempts: r.attempts } : {}), ...(r?.error ? { error: errorMessage(r.error) } : skipReason ? { error: skipReason } : {}) });
      if (r?.error) {
        fail(r.error);
        if (r.error instanceof LockTimeoutError) {
          blocked = `an earlier step of this table timed out waiting for a lock`;
          finding('lock_timeout', 'warning', `${label}: ${a.action} ${a.partition} could not get its lock within ${policy.lockTimeoutMs} ms (${r.attempts} attempts); the application kept priority, retried next run`);
        } else if (r.error instanceof PermissionError) {
          // Partition DDL needs the table owner's privileges (sql/roles.sql explains the grant).
          const who = db.server.user;
          finding('maintenance_failed', 'warning', `${label}: ${a.action} ${a.partition} failed: ${errorMessage(r.error)}. Fix: GRANT ${owner ? displayIdent(owner) : '<owner of the table>'} TO ${displayIdent(who)}; (the owner also needs CREATE on the table's schema)`);
        } else {
          finding('maintenance_failed', 'warning', `${label}: ${a.action} ${a.partition} failed: ${errorMessage(r.error)}`);
        }
      }
      return status === 'done' || status === 'planned';
    };

    const defaultPart = snap.partitions.find((x) => x.isDefault);
    const moving = policy.moveDefaultRows && !!defaultPart;
    const atRisk = new Set(plan.defaultRows?.ranges ?? []);
    if (plan.defaultRows && !moving) {
      // ATTACH scans the DEFAULT partition and fails when it holds rows of the new range
      // (sql-altertable.html, ATTACH PARTITION): those ranges are skipped, the rest still created.
      finding('default_partition_rows', 'warning',
        `${label}: the DEFAULT partition ${plan.defaultRows.partition} holds rows (about ${plan.defaultRows.estimatedRows ?? 'an unknown number of'}) in the range of ${plan.defaultRows.ranges.join(', ')}, ` +
        `so ${atRisk.size === 1 ? 'it was' : 'they were'} not created; move those rows out of the default partition first (or set moveDefaultRows)`);
    }
    const missing: PlannedPartition[] = [];
    for (const p of plan.create) {
      const create = createSql(snap, p, major, owner);
      const attach = attachSql(snap, p);
      const move = moving && atRisk.has(p.name);
      if (move && defaultPart) {
        const moveSql = moveBatchSql(snap, p, defaultPart, ['…columns']).replace('$1', `batch`);
        if (blocked || opts.dryRun) {
          record({ action: 'create', partition: p.name, sql: joinSql([...create, `-- then, in batches: ${moveSql}`]) }, undefined, blocked);
          record({ action: 'attach', partition: p.name, sql: joinSql(attach) }, undefined, blocked);
          if (blocked) missing.push(p);
          continue;
        }
        if (!record({ action: 'create', partition: p.name, sql: joinSql(create) }, await runInTransaction(db, create, step))) {
          missing.push(p);
          continue;
        }
        const m = await moveDefaultRowsAndAttach(db, snap, p, defaultPart, attach, { ...step, batchRows: opts.moveBatchRows, budgetMs: opts.moveBudgetMs });
        record({ action: 'attach', partition: p.name, sql: joinSql(attach) }, { durationMs: m.durationMs, attempts: 1, error: m.error });
        if (m.error) {
          missing.push(p);
          finding('default_partition_rows', 'warning', `${label}: the DEFAULT partition ${defaultPart.name} holds rows of [${p.from}, ${p.to}); moving them failed (${errorMessage(m.error)}), ` +
            `so they were left in the DEFAULT partition and ${p.name} was not created`);
        }
        continue;
      }
      const skip = atRisk.has(p.name) ? 'the DEFAULT partition holds rows of this range' : blocked;
      if (skip || opts.dryRun) {
        record({ action: 'create', partition: p.name, sql: joinSql(create) }, undefined, skip);
        record({ action: 'attach', partition: p.name, sql: joinSql(attach) }, undefined, skip);
        if (skip) missing.push(p);
        continue;
      }
      if (!record({ action: 'create', partition: p.name, sql: joinSql(create) }, await runInTransaction(db, create, step))) {
        missing.push(p);
        continue;
      }
      if (!record({ action: 'attach', partition: p.name, sql: joinSql(attach) }, await runInTransaction(db, attach, step))) {
        missing.push(p);
        // Ours, empty and unattached: drop it so the next run can use the name again.
        await runInTransaction(db, [`DROP TABLE ${quoteQualified(snap.schema, p.name)}`], { ...step, attempts: 1 });
      }
    }

    for (const r of plan.retire) {
      if (r.action === 'archive' && !opts.archive) {
        record({ action: 'archive', partition: r.partition, sql: '' }, undefined, 'no archive destination configured');
        finding('archive_not_implemented', 'warning', `${label}: ${r.partition} is past retention (upper bound ${r.to}) but retentionMode "archive" has no destination ` +
          `(the top-level archive.bucket, or --out DIR); nothing was detached or dropped`);
        continue;
      }
      const concurrently = canDetachConcurrently(snap, major);
      const detach = detachSql(snap, r, concurrently);
      const drop = r.action === 'drop' || r.action === 'archive' ? dropSql(r) : undefined;
      const keys = opts.archive ? archiveKeys(opts.archive.prefix, snap.schema, snap.table, r.partition) : undefined;
      const archiveNote = opts.archive && keys ? `-- copy to ${opts.archive.store.location(keys.data)} (+ .manifest.json), read back, verify` : '';
      if (blocked || opts.dryRun) {
        record({ action: 'detach', partition: r.partition, sql: detach }, undefined, blocked);
        if (r.action === 'archive') record({ action: 'archive', partition: r.partition, sql: archiveNote }, undefined, blocked);
        if (drop) record({ action: 'drop', partition: r.partition, sql: drop }, undefined, blocked);
        continue;
      }
      const ref = quoteQualified(r.schema, r.partition);
      const detached = concurrently
        ? await runOutsideTransaction(db, detach, step, async () => {
          const [row] = await db.query<{ pending: boolean }>(PENDING_SQL, [ref]);
          return row?.pending ? finalizeSql(snap, r.schema, r.partition) : detach;
        })
        : await runInTransaction(db, [detach], step);
      if (!record({ action: 'detach', partition: r.partition, sql: detach }, detached) || !drop) continue;
      if (r.action === 'archive' && opts.archive) {
        // Never drop what could not be verified: on any failure it stays detached, as in detach mode.
        const t0 = Date.now();
        const from = snap.partitions.find((x) => x.schema === r.schema && x.name === r.partition)?.from ?? null;
        let error: Error | undefined;
        try {
          await archivePartition(db, opts.archive.store, opts.archive.prefix, { parentSchema: snap.schema, schema: r.schema, parent: snap.table, partition: r.partition, from, to: r.to });
        } catch (err) {
          error = new Error(`${errorMessage(err)}; not dropped: it stays detached as ${ref}`);
        }
        if (!record({ action: 'archive', partition: r.partition, sql: archiveNote }, { durationMs: Date.now() - t0, attempts: 1, error })) continue;
      }
      record({ action: 'drop', partition: r.partition, sql: drop }, await runInTransaction(db, [drop], step));
    }

    for (const g of plan.gaps) {
      finding('gap', 'warning', g.reason === 'partly-covered'
        ? `${label}: [${g.from}, ${g.to}) is only partly covered by ${g.overlaps.join(', ')} (another width); left alone, since partitions cannot overlap`
        : `${label}: no partition covers [${g.from}, ${g.to}); rows there ${snap.defaultPartition ? 'go to the DEFAULT partition' : 'cannot be inserted'}`);
    }
    if (missing.length) {
      const now = wanted.nowKey;
      const holdsNow = now !== null && missing.some((p) => p.fromKey <= now && now < p.toKey);
      finding('missing_future_partitions', holdsNow ? 'critical' : 'warning',
        `${label}: ${missing.length} partition(s) of the premake window are missing (${missing.map((p) => `[${p.from}, ${p.to})`).join(', ')})` +
        `${holdsNow ? ', including the one for now: inserts fail or go to the DEFAULT partition' : ''}`);
    }
    const after = !opts.dryRun && out.actions.some((a) => a.status === 'done') ? await readCatalog(db, policy) : snap;
    out.table.partitionsAfter = after.partitions.length;
    out.partitions = listPartitions(label, after);
  } catch (err) {
    fail(err);
    if (err instanceof PartitionPolicyError) finding('policy_error', 'warning', err.message);
    else finding('maintenance_failed', 'warning', `${label}: ${errorMessage(err)}`);
  } finally {
    if (lockedOid !== undefined) await db.query(UNLOCK_SQL, [lockedOid]).catch(() => undefined);
  }
  return out;
}

function joinSql(statements: string[]): string {
  return statements.map((s) => `${s};`).join('\n');
}

function listPartitions(label: string, snap: CatalogSnapshot): TableOutcome['partitions'] {
  return snap.partitions
    .slice()
    .sort((a, b) => (a.isDefault ? 1 : b.isDefault ? -1 : (a.fromKey ?? -(2n ** 62n)) < (b.fromKey ?? -(2n ** 62n)) ? -1 : 1))
    .map((p) => ({ table: label, partition: p.schema === snap.schema ? p.name : `${p.schema}.${p.name}`, from: p.isDefault ? 'DEFAULT' : p.from, to: p.isDefault ? null : p.to, fromKey: p.fromKey?.toString() ?? null, toKey: p.toKey?.toString() ?? null }));
}
