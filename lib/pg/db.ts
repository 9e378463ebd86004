/**
 * The one way pgsteward talks to PostgreSQL. Every session is tagged
 * (`application_name = pgsteward`), has statement_timeout and lock_timeout set in the startup
 * packet (no extra round trip), and every statement carries a leading `/* pgsteward *\/` comment
 * so pgsteward's own statements can be recognised in pg_stat_statements, which has no
 * application_name column. Values are always bound ($1…); identifiers go through ./quote.
 */
import { Client, QueryConfig, QueryResultRow } from 'pg';
import { ConnectionParams } from './credentials';
import { translateError } from './errors';
import { chooseTls } from './tls';

export const APPLICATION_NAME = 'pgsteward';
export const SQL_TAG = '/* pgsteward */';

export interface SessionOptions {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
}

export interface ServerInfo {
  /** server_version_num, e.g. 150018. */
  versionNum: number;
  /** Major version, e.g. 15. */
  major: number;
  version: string;
  database: string;
  user: string;
  inRecovery: boolean;
  isSuperuser: boolean;
  /** Member of pg_monitor (or superuser): can see every session's activity and all pg_stat_* rows. */
  hasMonitor: boolean;
}

const SERVER_INFO_SQL = `
select current_setting('server_version_num')::int as version_num,
       current_setting('server_version') as version,
       current_database() as database,
       current_user as "user",
       pg_is_in_recovery() as in_recovery,
       coalesce((select rolsuper from pg_roles where rolname = current_user), false) as is_superuser,
       pg_has_role('pg_monitor', 'USAGE') as has_monitor`;

export class Db {
  /** Statements sent on this session (a benchmark figure: fewer round trips, less load). */
  statements = 0;
  private constructor(
    private readonly client: Client,
    readonly server: ServerInfo,
    readonly params: Pick<ConnectionParams, 'host' | 'port' | 'database' | 'user'>,
  ) {}

  static async connect(params: ConnectionParams, opts: SessionOptions): Promise<Db> {
    const tls = chooseTls(params.host, params.sslmode, params.sslrootcert);
    const where = `cannot connect to ${params.host}:${params.port}/${params.database} as ${params.user}`;
    let client: Client;
    try {
      client = await open(params, opts, tls.ssl);
    } catch (err) {
      if (!(tls.fallbackPlain && /does not support SSL/i.test((err as Error).message))) throw translateError(err, where);
      try {
        client = await open(params, opts, false);
      } catch (err2) {
        throw translateError(err2, where);
      }
    }
    client.on('error', () => {
      /* a dropped connection surfaces on the next query; never crash the process */
    });
    try {
      const { rows } = await client.query(`${SQL_TAG} ${SERVER_INFO_SQL}`);
      const r = rows[0];
      const server: ServerInfo = {
        versionNum: r.version_num,
        major: Math.floor(r.version_num / 10000),
        version: r.version,
        database: r.database,
        user: r.user,
        inRecovery: r.in_recovery,
        isSuperuser: r.is_superuser,
        hasMonitor: r.has_monitor || r.is_superuser,
      };
      const db = new Db(client, server, params);
      db.statements = 1;
      return db;
    } catch (err) {
      await client.end().catch(() => undefined);
      throw translateError(err, where);
    }
  }

  /** Runs one statement with bound values; returns its rows. */
  async query<R extends QueryResultRow = Record<string, any>>(sql: string, values: unknown[] = []): Promise<R[]> {
    this.statements++;
    try {
      // The extended protocol always: it refuses a second statement hidden in the text, which
      // matters for the advisor, which plans statement texts taken from pg_stat_statements.
      const res = await this.client.query<R>({ text: `${SQL_TAG} ${sql}`, values, queryMode: 'extended' } as QueryConfig);
      return res.rows;
    } catch (err) {
      throw translateError(err);
    }
  }

  /** Runs `fn` inside BEGIN … COMMIT (ROLLBACK on error). */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.query('begin');
    try {
      const out = await fn();
      await this.query('commit');
      return out;
    } catch (err) {
      await this.query('rollback').catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

async function open(params: ConnectionParams, opts: SessionOptions, ssl: ReturnType<typeof chooseTls>['ssl']): Promise<Client> {
  const client = new Client({
    host: params.host,
    port: params.port,
    database: params.database,
    user: params.user,
    password: params.password,
    ssl,
    application_name: APPLICATION_NAME,
    statement_timeout: opts.statementTimeoutMs,
    lock_timeout: opts.lockTimeoutMs,
    // A crashed run must not leave a transaction holding locks on the database it looks after.
    idle_in_transaction_session_timeout: Math.max(opts.statementTimeoutMs * 2, 60_000),
    // Belt and braces: if the server never answers, the driver gives up too.
    query_timeout: opts.statementTimeoutMs + 5_000,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    keepAlive: true,
  });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}
