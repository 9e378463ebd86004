/**
 * A scatter plot of numbered points (e.g. index size against benefit). Points are numbered like
 * the list they come from, so a reader matches them without relying on colour.
 */
import { el, svgChart, text } from './svg';
import { linear, niceMax, niceTicks } from './scale';
import type { Frame } from './bars';

export interface Point {
  /** Drawn next to the point (e.g. "1" for the first recommendation). */
  label: string;
  x: number;
  y: number;
}

export interface Axis {
  title: string;
  format: (v: number) => string;
}

const W = 400;
const H = 300;
const M = { top: 16, right: 24, bottom: 44, left: 64 };

/** '' when no point has finite, non-negative coordinates. */
export function scatterChart(frame: Frame, axes: { x: Axis; y: Axis }, points: Point[]): string {
  const pts = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x >= 0 && p.y >= 0);
  if (!pts.length) return '';
  // 10% headroom: a point at the maximum does not sit on the frame with its label cut off.
  const xMax = niceMax(pts.map((p) => p.x * 1.1), 3);
  const yMax = niceMax(pts.map((p) => p.y * 1.1), 4);
  const x = linear([0, xMax], [M.left, W - M.right]);
  const y = linear([0, yMax], [H - M.bottom, M.top]);
  const grid = [
    ...niceTicks(yMax, 4).map((v) => el('g', {},
      el('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'grid' }),
      text({ x: M.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, axes.y.format(v)))),
    ...niceTicks(xMax, 3).map((v) => el('g', {},
      el('line', { x1: x(v), x2: x(v), y1: M.top, y2: H - M.bottom, class: 'grid' }),
      text({ x: x(v), y: H - M.bottom + 16, class: 'tick', 'text-anchor': 'middle' }, axes.x.format(v)))),
  ];
  const titles = [
    text({ x: (M.left + W - M.right) / 2, y: H - 6, class: 'label', 'text-anchor': 'middle' }, axes.x.title),
    text({ x: 12, y: (M.top + H - M.bottom) / 2, class: 'label', 'text-anchor': 'middle', transform: `rotate(-90 12 ${(M.top + H - M.bottom) / 2})` }, axes.y.title),
  ];
  const dots = pts.map((p) => el('g', { class: 'point' },
    el('circle', { cx: x(p.x), cy: y(p.y), r: 6, class: 'dot' }),
    text({ x: x(p.x) + 9, y: y(p.y) - 7, class: 'label' }, p.label)));
  return svgChart({ ...frame, width: W, height: H }, [...grid, ...titles, ...dots]);
}
