/**
 * A tiny SVG writer for the HTML report's charts. Why our own (~300 lines for every chart) and not
 * a charting library: zero runtime dependencies in the Lambda bundle; no DOM (d3 and friends need
 * one, or jsdom, to render server-side); the output is a plain, deterministic string, so tests can
 * assert it and the same report always renders byte for byte the same; and the report needs four
 * simple shapes, not a toolkit. Colours come from CSS classes (lib/report/html/css.ts), so charts
 * follow light and dark mode and print.
 */
import { esc } from '../escape';

export type Attrs = Record<string, string | number | undefined>;

/** One element; attribute values and text children are escaped, `children` that are elements are not. */
export function el(name: string, attrs: Attrs, ...children: string[]): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(typeof v === 'number' ? round(v) : v!)}"`)
    .join('');
  return children.length ? `<${name}${a}>${children.join('')}</${name}>` : `<${name}${a}/>`;
}

/** A text node; `value` is escaped. */
export function text(attrs: Attrs, value: string): string {
  return el('text', attrs, esc(value));
}

/** Two decimals are finer than a pixel at any size the report is read at, and keep output stable. */
export function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export interface ChartFrame {
  /** Unique in the document: the title's and description's ids derive from it. */
  id: string;
  title: string;
  /** One sentence saying what the chart shows, for screen readers (the data is also in a table). */
  description: string;
  width: number;
  height: number;
}

/** The accessible <svg> wrapper: role img, labelled by its <title>, described by its <desc>. */
export function svgChart(f: ChartFrame, body: string[]): string {
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${f.width} ${f.height}`,
      role: 'img',
      'aria-labelledby': `${f.id}-title ${f.id}-desc`,
      class: 'chart',
      id: f.id,
    },
    el('title', { id: `${f.id}-title` }, esc(f.title)),
    el('desc', { id: `${f.id}-desc` }, esc(f.description)),
    ...body,
  );
}

/** Shortens a label to `max` characters (with an ellipsis) so it fits beside its bar. */
export function clip(label: string, max: number): string {
  const one = label.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
