/**
 * The owned exposition parser against the text format's rules, property-tested: whatever samples are
 * written out as Prometheus writes them (any label value: quotes, backslashes, newlines, any Unicode;
 * any float, NaN and ±Inf; timestamps), the same samples are read back; bad lines among good ones
 * cost only themselves; and no input makes it throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition, parseValue, type Sample } from '../lambda/collect/metrics/exposition.js';

const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,30}$/);
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/);
const labels = fc.dictionary(labelName, fc.string({ unit: 'grapheme', maxLength: 20 }), { maxKeys: 5 });
const value = fc.oneof(
  fc.double(),
  fc.integer().map(Number),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
);
const sample = fc.record(
  { name: metricName, labels, value, timestampMs: fc.integer({ min: -1e12, max: 4e12 }) },
  { requiredKeys: ['name', 'labels', 'value'] },
);

/** As Prometheus's expfmt writes a sample line. */
function render(s: Sample): string {
  const escaped = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const pairs = Object.entries(s.labels).map(([k, v]) => `${k}="${escaped(v)}"`);
  const v = Number.isNaN(s.value)
    ? 'NaN'
    : s.value === Number.POSITIVE_INFINITY
      ? '+Inf'
      : s.value === Number.NEGATIVE_INFINITY
        ? '-Inf'
        : String(s.value);
  return `${s.name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${v}${s.timestampMs !== undefined ? ` ${s.timestampMs}` : ''}`;
}

const same = (a: Sample, b: Sample) => {
  expect(a.name).toBe(b.name);
  expect(a.labels).toEqual(b.labels);
  expect(Object.is(a.value, b.value) || (a.value === 0 && b.value === 0)).toBe(true);
  expect(a.timestampMs).toBe(b.timestampMs);
};

describe('the exposition parser', () => {
  it('reads back whatever was written, label values and values of any kind', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 30 }), (samples) => {
        const parsed = parseExposition(`# HELP x y\n${samples.map(render).join('\n')}\n`);
        expect(parsed.malformedLines).toBe(0);
        expect(parsed.samples).toHaveLength(samples.length);
        for (const [i, s] of samples.entries()) same(parsed.samples[i] as Sample, s);
      }),
      { numRuns: 500 },
    );
  });

  it('a bad line costs only itself: the good ones around it are read whole', () => {
    const bad = fc.constantFrom(
      'tenant_reconcile_duration_seconds_count{result="error} 3',
      'x{a="1",a="2"} 1',
      'x{a="\\q"} 1',
      'x 1 2 3',
      'x one',
      '{a="b"} 1',
      'x{a=b} 1',
      '<html>',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(sample, bad), { maxLength: 30 }), (lines) => {
        const parsed = parseExposition(lines.map((l) => (typeof l === 'string' ? l : render(l))).join('\n'));
        const good = lines.filter((l): l is Sample => typeof l !== 'string');
        expect(parsed.samples).toHaveLength(good.length);
        for (const [i, s] of good.entries()) same(parsed.samples[i] as Sample, s);
        expect(parsed.malformedLines).toBe(lines.length - good.length);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const parsed = parseExposition(text);
        expect(parsed.samples.length + parsed.malformedLines).toBeLessThanOrEqual(text.split('\n').length);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the labels of each series of a labelled histogram (the npm parsers lost them)', () => {
    const m = 'tenant_reconcile_duration_seconds';
    const text = [
      `# TYPE ${m} histogram`,
      `${m}_bucket{result="success",le="0.1"} 5`,
      `${m}_bucket{result="success",le="+Inf"} 10`,
      `${m}_sum{result="success"} 3.5`,
      `${m}_count{result="success"} 10`,
      `${m}_bucket{result="error",le="+Inf"} 3`,
      `${m}_sum{result="error"} 0.5`,
      `${m}_count{result="error"} 2`,
    ].join('\r\n');
    const parsed = parseExposition(text);
    expect(parsed.types).toEqual({ [m]: 'histogram' });
    expect(parsed.samples.filter((s) => s.name === `${m}_count`)).toEqual([
      { name: `${m}_count`, labels: { result: 'success' }, value: 10 },
      // +Inf bucket and count disagree (a scrape mid-update): still read, not a reason to refuse the text.
      { name: `${m}_count`, labels: { result: 'error' }, value: 2 },
    ]);
  });

  it('reads values as Go writes them', () => {
    expect(parseValue('1.234e+09')).toBe(1.234e9);
    expect(parseValue('-0.5')).toBe(-0.5);
    expect(parseValue('.5')).toBe(0.5);
    expect(parseValue('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseValue('NaN')).toBeNaN();
    expect(parseValue('0x10')).toBeUndefined();
    expect(parseValue('')).toBeUndefined();
  });

  it('takes whitespace and a trailing comma in the labels, as the format allows', () => {
    expect(parseExposition('x{ a = "1" , b="2", } 7 1700000000000').samples).toEqual([
      { name: 'x', labels: { a: '1', b: '2' }, value: 7, timestampMs: 1700000000000 },
    ]);
  });
});
