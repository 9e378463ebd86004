/**
 * The HTML report people want to read: one self-contained file (inline CSS, inline SVG charts,
 * no script, nothing fetched), accessible, readable on a phone, printable, light or dark.
 * Written beside the JSON and Markdown reports.
 */
import type { Report } from '../types';
import { renderAdviseHtml } from './advise';
import { renderHealthHtml } from './health';
import { resetIds } from './parts';
import { renderPartitionsHtml } from './partitions';

export function renderHtml(report: Report): string {
  resetIds();
  switch (report.advisor) {
    case 'health':
      return renderHealthHtml(report);
    case 'advise':
      return renderAdviseHtml(report);
    case 'partitions':
      return renderPartitionsHtml(report);
  }
}
