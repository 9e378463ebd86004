/**
 * `pgsteward reports`: the latest report of each target × advisor, from the reports bucket (with
 * the user's own AWS credentials) or from a directory written with --out; downloads the ones from
 * S3 (HTML, Markdown, JSON, and each target's history page, in the bucket's layout so relative
 * links work) and opens them with --open.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadConfigFile } from '../../config/load';
import { UsageError } from '../../errors';
import type { Severity } from '../../health/catalog';
import type { Report } from '../../report/types';
import { verdict } from '../../report/verdict';
import { sinkFromConfig } from '../../sinks/from-config';
import { indexKey } from '../../sinks/layout';
import { LocalSink } from '../../sinks/local';
import { S3Sink } from '../../sinks/s3';
import type { LatestPointer } from '../../sinks/types';
import { parseReportsFlags } from '../args';
import { EXIT } from '../exit-codes';
import { REPORTS_HELP } from '../help';
import { openFile } from '../open';
import type { Streams } from '../output';
import { dim, MARK, paintWith } from '../tty';

export interface ListedReport {
  advisor: LatestPointer['advisor'];
  target: string;
  runId: string;
  startedAt: string;
  severity: Severity;
  verdict: string;
  /** Local paths (downloaded from S3, or in the --out directory). */
  files: { html?: string; markdown?: string; json: string };
  /** The target's history page, locally. */
  index?: string;
  /** Where the report lives: s3://… or the local path. */
  source: string;
  consoleUrl?: string;
}

type Source = { kind: 'dir'; sink: LocalSink } | { kind: 's3'; sink: S3Sink; to: string };

export async function reportsCommand(argv: string[], streams: Streams): Promise<number> {
  const flags = parseReportsFlags(argv);
  if (flags.help) {
    streams.out(REPORTS_HELP);
    return EXIT.OK;
  }
  const source = openSource(flags.out, flags.config, flags.to);
  const say = (s: string) => { if (!flags.quiet) streams.err(s); };
  const where = source.kind === 'dir' ? source.sink.dir : `s3://${source.sink.opts.bucket}/${source.sink.opts.prefix}`;
  say(dim(streams.color, `reading the latest reports from ${where}${source.kind === 's3' ? ` into ${source.to}` : ''}…\n`));

  const pointers = await source.sink.listLatest({ targets: flags.targets, advisors: flags.advisors });
  const listed: ListedReport[] = [];
  let failed = 0;
  for (const p of pointers) {
    try {
      listed.push(await fetchOne(source, p));
    } catch (err) {
      failed++;
      streams.err(`pgsteward reports: ${p.advisor} ${p.target}: ${(err as Error).message}\n`);
    }
  }
  for (const target of new Set(listed.map((l) => l.target))) {
    const index = await fetchFile(source, indexKey(target)).catch(() => undefined);
    for (const l of listed) if (l.target === target && index) l.index = index;
  }

  if (flags.json) streams.out(`${JSON.stringify({ source: where, ...(source.kind === 's3' ? { downloadedTo: source.to } : {}), reports: listed }, null, 2)}\n`);
  if (!listed.length) {
    say(`no reports found under ${where}${flags.targets.length ? ` for target(s) ${flags.targets.join(', ')}` : ''}${flags.advisors.length ? ` and advisor(s) ${flags.advisors.join(', ')}` : ''}\n`);
    return EXIT.FAILED;
  }
  for (const l of listed) {
    say(`${paintWith(streams.color, l.severity, MARK[l.severity])} ${l.advisor} ${l.target}  ${l.startedAt.slice(0, 16).replace('T', ' ')} UTC  ${paintWith(streams.color, l.severity, l.verdict)}\n`);
    say(`    ${l.files.html ?? l.files.markdown ?? l.files.json}\n`);
  }
  for (const index of new Set(listed.map((l) => l.index).filter(Boolean))) say(dim(streams.color, `  history: ${index}\n`));

  if (flags.open) {
    // One report: open it. Several: each target's history page (one tab per target), else each report.
    const toOpen = listed.length === 1
      ? [listed[0].files.html ?? listed[0].files.markdown ?? listed[0].files.json]
      : [...new Set(listed.map((l) => l.index ?? l.files.html ?? l.files.json))];
    // A fleet would open a tab per database: open the first few and say how to narrow it.
    if (toOpen.length > MAX_OPEN) {
      streams.err(`pgsteward reports: ${toOpen.length} targets; opening the first ${MAX_OPEN} (use --target ID to choose)\n`);
      toOpen.length = MAX_OPEN;
    }
    for (const file of toOpen) {
      try {
        const how = await openFile(file);
        say(`opened ${file} with ${how}\n`);
      } catch (err) {
        streams.err(`pgsteward reports: ${(err as Error).message}\n`);
        failed++;
      }
    }
  }
  return failed ? EXIT.FAILED : EXIT.OK;
}

/** Browser tabs `--open` starts at most. */
const MAX_OPEN = 5;

function openSource(out: string | undefined, configFile: string | undefined, to: string | undefined): Source {
  if (out) return { kind: 'dir', sink: new LocalSink(out) };
  const config = loadConfigFile(configFile!);
  const sink = sinkFromConfig(config);
  if (!(sink instanceof S3Sink)) throw new UsageError(`${configFile} has no reports.bucket: give it one, or read a directory with --out DIR`);
  // A fixed place per bucket and prefix: a second run overwrites the same files, and the history
  // page's relative links reach the reports downloaded beside it.
  const dir = to ?? join(tmpdir(), 'pgsteward-reports', sink.opts.bucket, ...sink.opts.prefix.split('/').filter(Boolean));
  return { kind: 's3', sink, to: resolve(dir) };
}

async function fetchOne(source: Source, p: LatestPointer): Promise<ListedReport> {
  const json = await fetchFile(source, p.json);
  if (!json) throw new Error(`the latest pointer names ${p.json}, which is missing (expired or deleted?)`);
  const report = (await (source.kind === 'dir' ? source.sink : new LocalSink(source.to)).readReport(p.json)) as Report | undefined;
  if (!report) throw new Error(`${json} could not be read`);
  const v = verdict(report);
  const html = p.html ? await fetchFile(source, p.html) : undefined;
  const markdown = p.markdown ? await fetchFile(source, p.markdown) : undefined;
  return {
    advisor: p.advisor, target: p.target, runId: p.runId, startedAt: p.startedAt,
    severity: v.severity, verdict: `${v.text} (${v.scope})`,
    files: { ...(html ? { html } : {}), ...(markdown ? { markdown } : {}), json },
    source: source.kind === 's3' ? `s3://${source.sink.opts.bucket}/${source.sink.key(p.json)}` : json,
    ...(source.kind === 's3' ? { consoleUrl: source.sink.consoleUrl(p.html ?? p.json) } : {}),
  };
}

/** The local path of a key: in place for a directory, downloaded for S3; undefined when absent. */
async function fetchFile(source: Source, key: string): Promise<string | undefined> {
  if (source.kind === 'dir') return (await source.sink.readText(key)) === undefined ? undefined : source.sink.path(key);
  const text = await source.sink.readText(key);
  if (text === undefined) return undefined;
  const file = new LocalSink(source.to).path(key);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}
