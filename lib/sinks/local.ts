/** Reports under a local directory (`--out DIR`), in the same layout as in S3. */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { LocalStateStore } from '../alert/state-store-local';
import { PgstewardError } from '../errors';
import type { Advisor, Report, ReportBase, ReportLocation } from '../report/types';
import { updateCatalog } from './catalog';
import { indexKey, latestKey, reportKey } from './layout';
import { parsePointer, pointerFolders } from './pointer';
import type { LatestFilter, LatestPointer, RenderedReport, ReportSink } from './types';
import { readIfExists } from '../util/read-if-exists';

export class LocalSink implements ReportSink {
  readonly dir: string;

  constructor(dir: string, private readonly now: () => Date = () => new Date()) {
    this.dir = resolve(dir);
  }

  /** The absolute path of a key relative to the directory (refusing any that would leave it). */
  path(key: string): string {
    const p = resolve(this.dir, key);
    const rel = relative(this.dir, p);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new PgstewardError(`refusing a report path outside ${this.dir}: ${key}`);
    return p;
  }

  locate(report: ReportBase, opts: { html?: boolean } = {}): ReportLocation {
    return {
      json: this.path(reportKey(report, 'json')),
      markdown: this.path(reportKey(report, 'md')),
      ...(opts.html === false ? {} : { html: this.path(reportKey(report, 'html')) }),
      index: this.path(indexKey(report.target)),
    };
  }

  async write(report: ReportBase, rendered: RenderedReport): Promise<ReportLocation> {
    const loc = this.locate(report, { html: rendered.html !== undefined });
    await mkdir(dirname(loc.json!), { recursive: true });
    await writeFile(loc.json!, rendered.json);
    await writeFile(loc.markdown!, rendered.markdown);
    if (rendered.html !== undefined) await writeFile(loc.html!, rendered.html);
    return loc;
  }

  async updateLatest(report: Report, hasHtml: boolean): Promise<void> {
    await updateCatalog({ docs: new LocalStateStore(this.dir), writeText: (key, body) => this.writeAtomic(key, body), now: this.now }, report, hasHtml);
  }

  async readLatest(advisor: Advisor, target: string): Promise<LatestPointer | undefined> {
    const text = await this.readText(latestKey(advisor, target));
    return text === undefined ? undefined : parsePointer(text, latestKey(advisor, target));
  }

  async readReport(location: string): Promise<ReportBase | undefined> {
    const text = await readIfExists(isAbsolute(location) ? location : this.path(location));
    return text === undefined ? undefined : (JSON.parse(text) as ReportBase);
  }

  async listLatest(filter: LatestFilter = {}): Promise<LatestPointer[]> {
    const folders = await pointerFolders(filter, async (prefix) => {
      const entries = await readdir(this.path(prefix || '.'), { withFileTypes: true }).catch((err) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      });
      return entries.filter((e) => e.isDirectory()).map((e) => `${prefix}${e.name}/`);
    });
    const out: LatestPointer[] = [];
    for (const folder of folders) {
      const text = await this.readText(`${folder}latest.json`);
      if (text !== undefined) out.push(parsePointer(text, `${folder}latest.json`));
    }
    return out;
  }

  /** A file relative to the directory, or undefined when absent. */
  readText(key: string): Promise<string | undefined> {
    return readIfExists(this.path(key));
  }

  /** Temp file + rename: a browser or a reader never sees half a page. */
  private async writeAtomic(key: string, body: string): Promise<void> {
    const file = this.path(key);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, body, { flag: 'wx' });
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

