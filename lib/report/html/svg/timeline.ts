/**
 * Partition coverage on a timeline, one lane per table: each partition a segment of its key range,
 * marked as past retention, past, holding now, or premade for the future; the retention cut-off
 * and now as labelled lines. A legend names every kind in words, and past-retention segments are
 * hatched, so nothing depends on colour alone. The caller chooses each lane's domain (time tables
 * share one, so their "now" lines align; id tables each have their own).
 */
import { esc } from '../escape';
import { clip, el, svgChart, text } from './svg';
import { linear } from './scale';
import type { Frame } from './bars';

export type SegmentKind = 'expired' | 'past' | 'current' | 'future';

export const SEGMENT_WORDS: Record<SegmentKind, string> = {
  expired: 'past retention',
  past: 'past',
  current: 'holds now',
  future: 'premade (future)',
};

export interface Segment {
  from: number;
  to: number;
  kind: SegmentKind;
  /** The partition's name and range (a tooltip). */
  label: string;
}

export interface Marker {
  at: number;
  kind: 'now' | 'cutoff';
  label: string;
}

export interface Lane {
  label: string;
  domain: [number, number];
  format: (v: number) => string;
  segments: Segment[];
  markers: Marker[];
}

const W = 400;
const PAD = 8;
const LEGEND_H = 40;
const LANE_H = 76;

/** '' when no lane has a segment. */
export function timelineChart(frame: Frame, lanes: Lane[]): string {
  const drawn = lanes.filter((l) => l.segments.length && l.domain[1] > l.domain[0]);
  if (!drawn.length) return '';
  const hatch = `${frame.id}-hatch`;
  const defs = el('defs', {},
    el('pattern', { id: hatch, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      el('rect', { width: 6, height: 6, class: 'seg-expired' }),
      el('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch' })));
  const kinds: SegmentKind[] = ['expired', 'past', 'current', 'future'];
  const legend = el('g', { class: 'legend' },
    ...kinds.map((k, i) => {
      const lx = PAD + (i % 2) * 180;
      const ly = PAD + Math.floor(i / 2) * 16;
      return el('g', {},
        el('rect', { x: lx, y: ly, width: 14, height: 10, class: `seg-${k}`, fill: k === 'expired' ? `url(#${hatch})` : undefined }),
        text({ x: lx + 20, y: ly + 9, class: 'label' }, SEGMENT_WORDS[k]));
    }));
  const body = drawn.map((lane, i) => drawLane(lane, LEGEND_H + i * LANE_H, hatch));
  return svgChart({ ...frame, width: W, height: LEGEND_H + drawn.length * LANE_H }, [defs, legend, ...body]);
}

function drawLane(lane: Lane, y: number, hatch: string): string {
  const x = linear(lane.domain, [PAD, W - PAD]);
  const clamp = (v: number) => Math.min(Math.max(v, lane.domain[0]), lane.domain[1]);
  const segs = lane.segments.map((s) => {
    const x0 = x(clamp(s.from));
    const w = Math.max(1, x(clamp(s.to)) - x0 - 1);
    return el('rect', { x: x0, y: y + 18, width: w, height: 20, class: `seg-${s.kind}`, fill: s.kind === 'expired' ? `url(#${hatch})` : undefined },
      el('title', {}, esc(`${s.label} (${SEGMENT_WORDS[s.kind]})`)));
  });
  const marks = lane.markers
    .filter((m) => m.at >= lane.domain[0] && m.at <= lane.domain[1])
    .map((m) => {
      const mx = x(m.at);
      // Keep the label inside the chart: anchored at the edge it is near.
      const anchor = mx < W * 0.2 ? 'start' : mx > W * 0.8 ? 'end' : 'middle';
      return el('g', { class: `marker marker-${m.kind}` },
        el('line', { x1: mx, x2: mx, y1: y + 14, y2: y + 42, class: `mark-${m.kind}` }),
        text({ x: mx, y: y + 55, class: 'label', 'text-anchor': anchor }, m.label));
    });
  return el('g', { class: 'lane' },
    text({ x: PAD, y: y + 12, class: 'label lane-label' }, clip(lane.label, 50)),
    ...segs,
    ...marks,
    text({ x: PAD, y: y + 69, class: 'tick' }, lane.format(lane.domain[0])),
    text({ x: W - PAD, y: y + 69, class: 'tick', 'text-anchor': 'end' }, lane.format(lane.domain[1])));
}
