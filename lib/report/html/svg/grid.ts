/**
 * A grid of rows × columns with a count in each cell (health: check × severity). Every cell
 * shows its number, and the column headers name the severities, so a reader who cannot tell the
 * colours apart reads the same grid; empty cells show "–" and no colour.
 */
import { clip, el, svgChart, text } from './svg';
import type { Frame } from './bars';

export interface GridColumn {
  key: string;
  label: string;
}

export interface GridRow {
  label: string;
  counts: Record<string, number>;
}

/** Wide enough that "unknown", "warning" and "critical" (~55 px each) do not run together. */
const W = 440;
const PAD = 8;
const LABEL_W = 150;
const HEAD_H = 24;
const ROW_H = 26;

/** '' when there are no rows or no columns. */
export function gridChart(frame: Frame, columns: GridColumn[], rows: GridRow[]): string {
  if (!rows.length || !columns.length) return '';
  const cellW = (W - PAD * 2 - LABEL_W) / columns.length;
  const head = columns.map((c, j) =>
    text({ x: PAD + LABEL_W + j * cellW + cellW / 2, y: PAD + 14, class: 'label head', 'text-anchor': 'middle' }, c.label));
  const body = rows.map((r, i) => {
    const y = PAD + HEAD_H + i * ROW_H;
    return el('g', { class: 'grid-row' },
      text({ x: PAD, y: y + 17, class: 'label' }, clip(r.label, 20)),
      ...columns.map((c, j) => {
        const n = r.counts[c.key] ?? 0;
        const cx = PAD + LABEL_W + j * cellW;
        return el('g', {},
          el('rect', { x: cx + 2, y: y + 2, width: cellW - 4, height: ROW_H - 4, rx: 3, class: n > 0 ? `cell cell-${c.key}` : 'cell cell-empty' }),
          text({ x: cx + cellW / 2, y: y + 17, class: n > 0 ? `value cell-text-${c.key}` : 'value muted', 'text-anchor': 'middle' }, n > 0 ? String(n) : '–'));
      }));
  });
  return svgChart({ ...frame, width: W, height: PAD * 2 + HEAD_H + rows.length * ROW_H }, [...head, ...body]);
}
