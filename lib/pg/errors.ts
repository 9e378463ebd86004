/**
 * Driver errors translated at the boundary into named classes that carry the SQLSTATE
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html), so callers test
 * `instanceof LockTimeoutError` instead of string-matching messages.
 */
import { PgstewardError } from '../errors';

export class DbError extends PgstewardError {
  readonly code?: string;
  readonly detail?: string;
  readonly hint?: string;
  constructor(message: string, opts: { code?: string; detail?: string; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = opts.code;
    this.detail = opts.detail;
    this.hint = opts.hint;
  }
}
/** The server could not be reached (refused, DNS, timeout, TLS handshake). */
export class ConnectError extends DbError {}
/** Class 28: wrong password, no pg_hba.conf entry, role does not exist. */
export class AuthenticationError extends DbError {}
/** 42501: the pgsteward role lacks a privilege. */
export class PermissionError extends DbError {}
/** 55P03: gave up waiting for a lock (lock_timeout) — by design, never queue behind the app. */
export class LockTimeoutError extends DbError {}
/** 57014: statement_timeout or a cancel. */
export class QueryCanceledError extends DbError {}
/** 42P01 / 42704 / 42883 / 3F000: a table, object, function or schema that is not there. */
export class UndefinedObjectError extends DbError {}
/** 58P01 / 0A000 with an extension: a feature or library missing on the server. */
export class FeatureMissingError extends DbError {}

interface DriverError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

export function translateError(err: unknown, context?: string): DbError {
  if (err instanceof DbError) return err;
  const e = (err ?? {}) as DriverError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const base = e.message || String(err);
  const message = context ? `${context}: ${base}` : base;
  const opts = { code, detail: e.detail, hint: e.hint, cause: err };
  if (code && NETWORK_CODES.has(code)) return new ConnectError(message, opts);
  if (/timeout expired|Connection terminated|connect ETIMEDOUT|does not support SSL|self[- ]signed|certificate/i.test(base) && !code?.match(/^[0-9A-Z]{5}$/)) {
    return new ConnectError(message, opts);
  }
  if (!code) return new DbError(message, opts);
  if (code.startsWith('28')) return new AuthenticationError(message, opts);
  if (code.startsWith('08') || code === '57P03' || code === '53300') return new ConnectError(message, opts);
  if (code === '42501') return new PermissionError(message, opts);
  if (code === '55P03') return new LockTimeoutError(message, opts);
  if (code === '57014') return new QueryCanceledError(message, opts);
  if (['42P01', '42704', '42883', '3F000', '3D000'].includes(code)) return new UndefinedObjectError(message, opts);
  if (code === '58P01' || code === '0A000') return new FeatureMissingError(message, opts);
  return new DbError(message, opts);
}
