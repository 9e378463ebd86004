export * from './db';
export * from './errors';
export * from './quote';
export * from './credentials';
export { chooseTls, isLoopback } from './tls';
export type { SslMode } from './tls';
