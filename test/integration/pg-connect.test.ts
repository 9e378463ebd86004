import { AuthenticationError, ConnectError, Db, fromUrl, LockTimeoutError, quoteIdent, UndefinedObjectError } from '../../lib/pg';
import { useTestDatabase } from '../support/db';

const session = { statementTimeoutMs: 5000, lockTimeoutMs: 500, connectTimeoutMs: 3000 };

describe('lib/pg against a real server', () => {
  const t = useTestDatabase();

  it('tags the session and sets the timeouts in the startup packet', async () => {
    const db = await Db.connect(fromUrl(t.stewardUrl), session);
    try {
      const [row] = await db.query(`select current_setting('application_name') as app, current_setting('statement_timeout') as st, current_setting('lock_timeout') as lt`);
      expect(row).toEqual({ app: 'pgsteward', st: '5s', lt: '500ms' });
      expect(db.server.user).toBe('pgsteward');
      expect(db.server.hasMonitor).toBe(true);
      expect(db.server.isSuperuser).toBe(false);
      expect(db.server.major).toBe(t.cluster.major);
      expect(db.statements).toBe(2);
    } finally {
      await db.close();
    }
  });

  it('maps a wrong password to AuthenticationError without echoing the password', async () => {
    const url = t.stewardUrl.replace(/:[^:@]+@/, ':not-the-password@');
    const err = await Db.connect(fromUrl(url), session).catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('28P01');
    expect(err.message).not.toContain('not-the-password');
  });

  it('maps a refused connection to ConnectError', async () => {
    const err = await Db.connect(fromUrl('postgres://x:y@127.0.0.1:1/db'), session).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
  });

  it('fails fast with LockTimeoutError instead of queueing behind an application lock', async () => {
    await t.admin.query('create table locked_thing (id int)');
    await t.admin.query('grant select on locked_thing to pgsteward');
    const holder = await t.session();
    await holder.query('begin; lock table locked_thing in access exclusive mode');
    const db = await Db.connect(fromUrl(t.stewardUrl), session);
    try {
      const started = Date.now();
      const err = await db.query('select count(*) from locked_thing').catch((e) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect(err.code).toBe('55P03');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await holder.query('rollback');
      await db.close();
    }
  });

  it('quotes identifiers that need it and maps a missing table', async () => {
    await t.admin.query(`create table "Mixed ""Case"" Table" (id int)`);
    const db = await Db.connect(fromUrl(t.url), session);
    try {
      const rows = await db.query(`select count(*)::int as n from public.${quoteIdent('Mixed "Case" Table')}`);
      expect(rows[0].n).toBe(0);
      await expect(db.query(`select 1 from ${quoteIdent('nope')}`)).rejects.toBeInstanceOf(UndefinedObjectError);
    } finally {
      await db.close();
    }
  });
});

describe('lib/pg refuses a second statement hidden in a text', () => {
  const t = useTestDatabase();
  it('uses the extended protocol even without parameters', async () => {
    await t.admin.query('create table victim (id int)');
    const db = await Db.connect(fromUrl(t.url), session);
    try {
      await expect(db.query('select 1; drop table victim')).rejects.toThrow(/cannot insert multiple commands into a prepared statement/);
      expect((await t.admin.query(`select to_regclass('victim') as r`)).rows[0].r).toBe('victim');
    } finally {
      await db.close();
    }
  });
});
