/**
 * The error family of pgsteward. Every error the tool raises on purpose is a PgstewardError,
 * so the CLI and the Lambda middleware can tell "a judged failure" from "a bug" and pick the
 * right exit code (3: nothing could be judged) or alert.
 */
export class PgstewardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A config document (file, env var or on-demand payload) that does not validate. */
export class ConfigError extends PgstewardError {
  /** One line per problem, each starting with the path of the bad field. */
  readonly problems: string[];
  constructor(problems: string[], source = 'config') {
    super(`${source} is invalid:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/**
 * Every target was checked and alerted where possible, but a report, state or alert could not
 * be delivered: the run must end non-zero, yet "pgsteward could not run" would be untrue.
 */
export class DeliveryError extends PgstewardError {}

/** Wrong command-line usage. */
export class UsageError extends PgstewardError {}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
