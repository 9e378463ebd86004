/** Runs the CLI in-process with captured stdout/stderr: what a user would see, at test speed. */
import { main } from '../../lib/cli/main';
import { record } from './secret-capture';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws if it is not exactly one JSON document). */
  json<T = any>(): T;
}

export async function cli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (s) => (stdout += s), err: (s) => (stderr += s), color: false });
  // What a user would have seen goes to the suite-wide secret check too.
  record(`cli ${argv[0] ?? ''} stdout`, stdout);
  record(`cli ${argv[0] ?? ''} stderr`, stderr);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
