/** Reports under a local directory (`--out DIR`), in the same layout as in S3. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ReportBase, ReportLocation } from '../report/types';
import { reportKey } from './layout';
import type { RenderedReport, ReportSink } from './types';

export class LocalSink implements ReportSink {
  constructor(private readonly dir: string) {}

  locate(report: ReportBase): ReportLocation {
    return {
      json: resolve(join(this.dir, reportKey(report, 'json'))),
      markdown: resolve(join(this.dir, reportKey(report, 'md'))),
    };
  }

  async write(report: ReportBase, rendered: RenderedReport): Promise<ReportLocation> {
    const loc = this.locate(report);
    await mkdir(dirname(loc.json!), { recursive: true });
    await writeFile(loc.json!, rendered.json);
    await writeFile(loc.markdown!, rendered.markdown);
    return loc;
  }
}
