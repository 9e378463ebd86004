/**
 * The suite-wide secret check (issue 5: "a test greps every log, report and error produced by the
 * suite for the secrets it used"). Every test file's environment (setup-after-env.ts) records what
 * it prints (process.stdout, process.stderr, console.*), what the CLI prints (support/cli.ts), the
 * report and state files pgsteward's own code writes (fs/promises writeFile called from lib/ or
 * functions/), the objects s3rver stored (support/s3.ts on stop) and the errors its tests failed
 * with, as JSON lines in a capture directory made by global-setup. global-teardown then searches
 * all of it, and the cluster's server log, for the cluster passwords and for every canary a test
 * registered with registerSecret(), and fails the run naming where a secret was found.
 *
 * Not covered: SNS messages (mocked per test; secret-hygiene.test.ts checks them), files written
 * by streams (partition archive data: table rows, no credentials), and jest's own failure output
 * for errors thrown after this file's afterAll ran.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format, inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';

/** Set by global-setup; absent when a file runs outside jest's global setup. */
export const CAPTURE_ENV = 'PGSTEWARD_TEST_CAPTURE';
const SECRETS_FILE = 'secrets.jsonl';
const ROOT = resolve(__dirname, '../..');
// The module object itself (an `import * as` would be a copy under esModuleInterop): lib/ reads
// `writeFile` from it at each call, so patching it here reaches pgsteward's writes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsp: typeof import('node:fs/promises') = require('node:fs/promises');
const OWN_CODE = [join(ROOT, 'lib') + '/', join(ROOT, 'functions') + '/'];

interface Record_ { file: string; stream: string; text: string }

/** Per worker process (shared by the test files it runs): the patches are installed once. */
interface WorkerState { testPath: string }
const STATE = Symbol.for('pgsteward.secretCapture');
type Holder = { [STATE]?: WorkerState };

function dir(): string | undefined {
  return process.env[CAPTURE_ENV] || undefined;
}

function state(): WorkerState | undefined {
  return (process.stdout as unknown as Holder)[STATE];
}

const asText = (chunk: unknown): string =>
  typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);

/** Appends one record to this worker's capture file (synchronous: nothing is lost on a crash). */
export function record(stream: string, text: string, file = state()?.testPath ?? '(outside a test file)'): void {
  const d = dir();
  if (!d || !text) return;
  const line: Record_ = { file, stream, text };
  appendFileSync(join(d, `capture-${process.pid}.jsonl`), `${JSON.stringify(line)}\n`);
}

/** Registers a value the suite must never print, write or throw (a password, a token, a canary). */
export function registerSecret(value: string): void {
  const d = dir();
  if (d && value) appendFileSync(join(d, SECRETS_FILE), `${JSON.stringify(value)}\n`);
}

/** Records every file under `root` (e.g. s3rver's object store), gunzipping gzip bodies. */
export function recordTree(root: string, stream: string): void {
  if (!dir() || !existsSync(root)) return;
  for (const d of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const path = join(d.parentPath, d.name);
    let body = readFileSync(path);
    if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body);
    record(`${stream} ${path.slice(root.length)}`, body.toString('utf8'));
  }
}

/** Installs the recorders for one test file. Called by setup-after-env.ts. */
export function startCapture(testPath: string): void {
  if (!dir()) return;
  const holder = process.stdout as unknown as Holder;
  if (!holder[STATE]) {
    // The streams and fs/promises are the worker's real objects, shared by every file it runs:
    // patch them once and only move the "current file" pointer afterwards.
    holder[STATE] = { testPath };
    for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
      const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        record(name, asText(chunk));
        return write(chunk, ...rest);
      }) as typeof stream.write;
    }
    const writeFile = fsp.writeFile;
    (fsp as { writeFile: typeof writeFile }).writeFile = ((path: Parameters<typeof writeFile>[0], data: Parameters<typeof writeFile>[1], ...rest: unknown[]) => {
      // Only what pgsteward writes (reports, state); a test's own config file may hold a URL.
      const caller = new Error().stack ?? '';
      if (OWN_CODE.some((p) => caller.includes(p)) && (typeof data === 'string' || data instanceof Uint8Array)) record(`file ${String(path)}`, asText(data));
      return (writeFile as (...a: unknown[]) => Promise<void>)(path, data, ...rest);
    }) as typeof writeFile;
  }
  holder[STATE]!.testPath = testPath;

  recordConsole(console as unknown as JestConsole);
}

/** The part of @jest/console's consoles we hook (BufferedConsole's buffer, CustomConsole's adder). */
interface JestConsole { _buffer?: { message: string; type: string }[]; _addToBuffer?: (type: string, message: string) => void }

/**
 * console is the file's own (jest makes one per file; in workers it buffers instead of printing
 * through the streams). Hooked where jest stores each message, so that jest still shows the
 * caller's line as the origin; a plain console gets its methods wrapped.
 */
function recordConsole(c: JestConsole): void {
  if (Array.isArray(c._buffer)) {
    const buffer = c._buffer;
    const push = buffer.push.bind(buffer);
    buffer.push = (...entries) => {
      for (const e of entries) record(`console.${e.type}`, e.message);
      return push(...entries);
    };
  } else if (typeof c._addToBuffer === 'function') {
    const add = c._addToBuffer;
    c._addToBuffer = (type, message) => {
      record(`console.${type}`, message);
      add(type, message);
    };
  } else {
    for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[m].bind(console);
      console[m] = (...args: unknown[]) => {
        record(`console.${m}`, format(...args));
        original(...args);
      };
    }
  }
}

/**
 * The errors the file's tests failed with, read from jest-circus's state after they ran. The
 * state lives on the environment's global under a non-registered symbol: found by description.
 */
export function recordTestErrors(): void {
  if (!dir()) return;
  const sym = Object.getOwnPropertySymbols(globalThis).find((s) => s.description === 'JEST_STATE_SYMBOL');
  const root = sym && (globalThis as Record<symbol, { rootDescribeBlock?: Block; unhandledErrors?: unknown[] }>)[sym];
  if (!root?.rootDescribeBlock) return;
  const errors: unknown[] = [...(root.unhandledErrors ?? [])];
  const walk = (b: Block) => b.children?.forEach((c) => (c.type === 'test' ? errors.push(...(c.errors ?? []).flat()) : walk(c)));
  walk(root.rootDescribeBlock);
  for (const e of errors) if (e) record('test error', `${e instanceof Error ? `${e.message}\n${e.stack}` : ''}\n${inspect(e, { depth: 8 })}`);
}
interface Block { type: 'describeBlock' | 'test'; children?: Block[]; errors?: unknown[] }

/** Where a secret appeared: file and stream (never the secret itself). */
export interface Leak { file: string; stream: string; secret: number }

/** Searches the capture directory (and any extra log files) for the given and registered secrets. */
export function scanCapture(captureDir: string, secrets: string[], logs: string[] = []): Leak[] {
  const registered = existsSync(join(captureDir, SECRETS_FILE))
    ? readFileSync(join(captureDir, SECRETS_FILE), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string)
    : [];
  // A password also leaks URL-encoded (inside a connection string).
  const all = [...new Set([...secrets, ...registered])].filter((s) => s.length >= 6);
  const needles = all.map((s, i) => ({ i, forms: [...new Set([s, encodeURIComponent(s)])] }));
  const leaks = new Map<string, Leak>();
  const check = (file: string, stream: string, text: string) => {
    for (const n of needles) {
      if (n.forms.some((f) => text.includes(f))) leaks.set(`${file}\0${stream}\0${n.i}`, { file, stream, secret: n.i });
    }
  };
  for (const name of readdirSync(captureDir).filter((n) => n.startsWith('capture-'))) {
    for (const line of readFileSync(join(captureDir, name), 'utf8').split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as Record_;
      check(r.file, r.stream, r.text);
    }
  }
  for (const log of logs) if (existsSync(log)) check(log, 'log', readFileSync(log, 'utf8'));
  return [...leaks.values()];
}
