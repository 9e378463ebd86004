/**
 * Horizontal bar charts: one bar per item, or a pair per item (before/after). Each label sits
 * above its bar across the full width, so long names stay readable on a 375 px phone, and each
 * bar carries its value as text: the chart never relies on bar length or colour alone.
 */
import { clip, el, svgChart, text } from './svg';
import { linear, niceMax } from './scale';

export const WIDTH = 400;
const PAD = 8;
const LABEL_CHARS = 52;
/** Value text fits inside the bar's end when the bar is longer than this share of the width. */
const INSIDE = 0.72;

export interface Frame {
  id: string;
  title: string;
  description: string;
}

export interface BarDatum {
  label: string;
  value: number;
  /** How the value reads (e.g. "1.2 s"): drawn beside the bar. */
  valueLabel: string;
}

export interface PairDatum {
  label: string;
  a: number;
  b: number;
  aLabel: string;
  bLabel: string;
}

const usable = (v: number) => Number.isFinite(v) && v >= 0;

/** One bar per datum, longest value first as given; '' when there is nothing to draw. */
export function barChart(frame: Frame, data: BarDatum[]): string {
  const rows = data.filter((d) => usable(d.value));
  if (!rows.length || rows.every((d) => d.value === 0)) return '';
  const x = linear([0, niceMax(rows.map((d) => d.value))], [PAD, WIDTH - PAD]);
  const rowH = 36;
  const body = rows.map((d, i) => {
    const y = PAD + i * rowH;
    return el('g', { class: 'bar-row' },
      text({ x: PAD, y: y + 12, class: 'label' }, clip(d.label, LABEL_CHARS)),
      bar(x, d.value, d.valueLabel, y + 17, 14, 'bar'));
  });
  return svgChart({ ...frame, width: WIDTH, height: PAD * 2 + rows.length * rowH }, body);
}

/** Two bars per datum (series a above b) with a legend that names both in words. */
export function pairedBarChart(frame: Frame, series: { a: string; b: string }, data: PairDatum[]): string {
  const rows = data.filter((d) => usable(d.a) && usable(d.b));
  if (!rows.length || rows.every((d) => d.a === 0 && d.b === 0)) return '';
  const x = linear([0, niceMax(rows.flatMap((d) => [d.a, d.b]))], [PAD, WIDTH - PAD]);
  const legendH = 24;
  const rowH = 50;
  const legend = el('g', { class: 'legend' },
    el('rect', { x: PAD, y: PAD, width: 12, height: 12, class: 'bar-a' }),
    text({ x: PAD + 18, y: PAD + 11, class: 'label' }, series.a),
    el('rect', { x: PAD + 120, y: PAD, width: 12, height: 12, class: 'bar-b' }),
    text({ x: PAD + 138, y: PAD + 11, class: 'label' }, series.b));
  const body = rows.map((d, i) => {
    const y = PAD + legendH + i * rowH;
    return el('g', { class: 'pair-row' },
      text({ x: PAD, y: y + 12, class: 'label' }, clip(d.label, LABEL_CHARS)),
      bar(x, d.a, `${series.a}: ${d.aLabel}`, y + 17, 12, 'bar-a'),
      bar(x, d.b, `${series.b}: ${d.bLabel}`, y + 31, 12, 'bar-b'));
  });
  return svgChart({ ...frame, width: WIDTH, height: PAD * 2 + legendH + rows.length * rowH }, [legend, ...body]);
}

/** A bar from the axis to x(value), at least a hairline wide so a zero still shows where it is. */
function bar(x: ReturnType<typeof linear>, value: number, label: string, y: number, h: number, cls: string): string {
  const x0 = x.range[0];
  const w = Math.max(1, x(value) - x0);
  const inside = w > (WIDTH - 2 * PAD) * INSIDE;
  return el('g', {},
    el('rect', { x: x0, y, width: w, height: h, class: cls }),
    text({ x: inside ? x0 + w - 4 : x0 + w + 4, y: y + h - 3, class: inside ? 'value inside' : 'value', 'text-anchor': inside ? 'end' : 'start' }, label));
}
