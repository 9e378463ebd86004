export * from './db';
export * from './errors';
export * from './quote';
export * from './credentials';
export { chooseTls, isLoopback } from './tls';
export type { SslMode } from './tls';
export { connectTarget, isLoginRejected } from './connect-target';
export type { ConnectTargetOptions } from './connect-target';
export { forgetSecret } from './secret-cache';
