/**
 * The logger lib/ talks to. The CLI gives it one that writes to stderr; the Lambdas give it
 * Powertools' Logger (structured JSON), whose methods have this shape.
 */
export interface Logger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
