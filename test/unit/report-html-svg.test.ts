/**
 * The HTML report's own SVG charts (lib/report/html/svg): scales that cover the data, text always
 * escaped, and no chart at all (not an empty one) when there is nothing to draw.
 */
import { barChart, pairedBarChart } from '../../lib/report/html/svg/bars';
import { gridChart } from '../../lib/report/html/svg/grid';
import { linear, niceMax, niceTicks } from '../../lib/report/html/svg/scale';
import { scatterChart } from '../../lib/report/html/svg/scatter';
import { el, text } from '../../lib/report/html/svg/svg';
import { timelineChart } from '../../lib/report/html/svg/timeline';
import { esc } from '../../lib/report/html/escape';

const frame = { id: 'c1', title: 'Title <&>', description: 'What "it" shows' };
const num = (svg: string, re: RegExp) => [...svg.matchAll(re)].map((m) => Number(m[1]));

describe('scales', () => {
  it('maps a domain linearly onto a range, and a zero-width domain to the middle', () => {
    const x = linear([0, 200], [10, 410]);
    expect([x(0), x(50), x(200)]).toEqual([10, 110, 410]);
    expect(linear([5, 5], [0, 100])(5)).toBe(50);
  });

  it('ends its ticks at or above the largest value, in steps of 1, 2 or 5 × 10^k', () => {
    expect(niceTicks(228)).toEqual([0, 100, 200, 300]);
    expect(niceTicks(6_300_000, 3)).toEqual([0, 5e6, 1e7]);
    expect(niceTicks(0.37)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(0)).toEqual([0]);
    for (const max of [1, 7, 99, 101, 12345, 0.003]) {
      const ticks = niceTicks(max);
      expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max);
      const step = ticks[1] - ticks[0];
      expect([1, 2, 5]).toContain(Math.round(step / 10 ** Math.floor(Math.log10(step))));
    }
    // 42 in about 4 steps: steps of 20, so the axis ends at 60; NaN is ignored.
    expect(niceMax([NaN, 3, 42])).toBe(60);
  });
});

describe('escaping', () => {
  it('escapes attribute values and text, including quotes', () => {
    expect(esc(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;');
    expect(el('rect', { class: '"><script>', width: 1.23456 })).toBe('<rect class="&quot;&gt;&lt;script&gt;" width="1.23"/>');
    expect(text({ x: 1 }, 'where a < $1 & b')).toBe('<text x="1">where a &lt; $1 &amp; b</text>');
  });

  it('never lets a label or title through raw', () => {
    const svg = barChart(frame, [{ label: 'select * from t where a < $1 and b & 1 = 0', value: 5, valueLabel: '5 ms <x>' }]);
    expect(svg).toContain('<title id="c1-title">Title &lt;&amp;&gt;</title>');
    expect(svg).toContain('What &quot;it&quot; shows');
    expect(svg).toContain('a &lt; $1 and b &amp; 1');
    expect(svg).toContain('5 ms &lt;x&gt;');
    expect(svg).not.toMatch(/<x>|< \$1|& 1/);
  });
});

describe('charts', () => {
  it('bars are proportional to their values, the largest within the frame', () => {
    const svg = barChart(frame, [{ label: 'a', value: 228, valueLabel: '228' }, { label: 'b', value: 114, valueLabel: '114' }]);
    const widths = num(svg, /<rect x="8" y="[\d.]+" width="([\d.]+)"/g);
    expect(widths).toHaveLength(2);
    expect(widths[0] / widths[1]).toBeCloseTo(2, 1);
    expect(widths[0]).toBeLessThanOrEqual(400 - 16);
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 400 \d+"[^>]*role="img"[^>]*aria-labelledby="c1-title c1-desc"/);
  });

  it('paired bars draw both series per item with the series named in words', () => {
    const svg = pairedBarChart(frame, { a: 'before', b: 'after' }, [{ label: 'idx', a: 100, b: 10, aLabel: '100', bLabel: '10' }]);
    expect(svg.match(/class="bar-a"/g)).toHaveLength(2); // legend swatch + bar
    expect(svg).toContain('>before: 100<');
    expect(svg).toContain('>after: 10<');
  });

  it('scatter keeps every point inside the plot area', () => {
    const svg = scatterChart(frame, { x: { title: 'size', format: String }, y: { title: 'benefit', format: String } },
      [{ label: '1', x: 6_300_000, y: 21_000 }, { label: '2', x: 900_000, y: 2_000 }]);
    const cx = num(svg, /cx="([\d.]+)"/g);
    const cy = num(svg, /cy="([\d.]+)"/g);
    expect(cx.every((v) => v >= 64 && v <= 400 - 24)).toBe(true);
    expect(cy.every((v) => v >= 16 && v <= 300 - 44)).toBe(true);
  });

  it('the grid writes every count as text, "–" for none', () => {
    const svg = gridChart(frame, [{ key: 'ok', label: 'ok' }, { key: 'critical', label: 'critical' }], [{ label: 'sequences', counts: { critical: 2 } }]);
    expect(svg).toContain('class="cell cell-critical"');
    expect(svg).toMatch(/>2<\/text>/);
    expect(svg).toMatch(/>–<\/text>/);
  });

  it('the timeline clamps open-ended partitions and omits markers outside the domain', () => {
    const svg = timelineChart(frame, [{
      label: 'events', domain: [0, 100], format: String,
      segments: [{ from: -50, to: 40, kind: 'past', label: 'p0' }, { from: 40, to: 60, kind: 'current', label: 'p1' }, { from: 60, to: 1e9, kind: 'future', label: 'p2' }],
      markers: [{ at: 50, kind: 'now', label: 'now' }, { at: 500, kind: 'cutoff', label: 'retention cut-off' }],
    }]);
    const xs = num(svg, /<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="20"/g);
    const ws = num(svg, /<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="20"/g);
    expect(xs[0]).toBe(8);
    expect(xs[2] + ws[2]).toBeLessThanOrEqual(400 - 8);
    expect(svg).toContain('marker-now');
    expect(svg).not.toContain('marker-cutoff');
  });

  it('draws nothing (not an empty chart) when there is no data', () => {
    expect(barChart(frame, [])).toBe('');
    expect(barChart(frame, [{ label: 'a', value: NaN, valueLabel: '' }])).toBe('');
    expect(pairedBarChart(frame, { a: 'a', b: 'b' }, [])).toBe('');
    expect(scatterChart(frame, { x: { title: '', format: String }, y: { title: '', format: String } }, [])).toBe('');
    expect(gridChart(frame, [{ key: 'ok', label: 'ok' }], [])).toBe('');
    expect(timelineChart(frame, [{ label: 'x', domain: [0, 1], format: String, segments: [], markers: [] }])).toBe('');
  });
});
