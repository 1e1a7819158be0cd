/**
 * Property-based tests for the parsers that read what servers send: whatever the bytes, they never
 * throw, never hang, and account for every line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLogLine, summarizeLogs } from '../lambda/collect/log-parser.js';
import { PrometheusApi } from '../lambda/collect/metrics/prometheus-api.js';
import { sampleFrom } from '../lambda/collect/metrics/scrape.js';
import { succeeded } from '../lambda/model/source.js';

const logish = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.stringMatching(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\t(INFO|ERROR|DEBUG|WARN|Level\(-2\))\t[^\n]{0,80}(\t\{[^\n]{0,80}\})?$/,
  ),
  fc.stringMatching(/^\{[^\n]{0,200}$/),
  fc.stringMatching(/^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6} +\d+ [a-z.]+:\d+\] [^\n]{0,80}$/),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
);

describe('the log parser', () => {
  it('reads any line without throwing', () => {
    fc.assert(
      fc.property(logish, (line) => {
        parseLogLine(line.replace(/\n/g, ' '));
      }),
      { numRuns: 3000 },
    );
  });

  it('counts every line of any text, and every entry once', () => {
    fc.assert(
      fc.property(fc.array(logish, { maxLength: 60 }), (lines) => {
        const text = lines.map((l) => l.replace(/\n/g, ' ')).join('\n');
        const summary = summarizeLogs([text]);
        // A final newline ends the last line; it does not start another.
        expect(summary.lines).toBe(
          text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
        );
        expect(summary.entries).toBeLessThanOrEqual(summary.lines);
        expect(Object.values(summary.byLevel).reduce((a, b) => a + b, 0)).toBe(summary.entries);
        expect(summary.patterns.length).toBeLessThanOrEqual(20);
      }),
      { numRuns: 500 },
    );
  });
});

describe("the Prometheus API's answers", () => {
  const json = fc.jsonValue().map((v) => JSON.stringify(v));
  const shaped = fc
    .record({
      status: fc.constantFrom('success', 'error', 'weird'),
      data: fc.record({
        resultType: fc.constantFrom('vector', 'matrix', 'scalar', 'string', 'other'),
        result: fc.jsonValue(),
      }),
    })
    .map((v) => JSON.stringify(v));
  const body = fc.oneof(json, shaped, fc.string({ maxLength: 200 }));

  it('become samples or a failure, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const api = new PrometheusApi(async () => succeeded(text, 1));
        const instant = await api.query('up', new Date());
        const range = await api.queryRange('up', new Date(0), new Date(60_000), 60);
        expect(typeof instant.ok).toBe('boolean');
        expect(typeof range.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the exposition parser (direct scrape)', () => {
  const exposition = fc.array(
    fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.constantFrom(
        '# TYPE tenant_reconcile_duration_seconds histogram',
        '# TYPE controller_runtime_reconcile_total counter',
        '# HELP x y',
      ),
      fc
        .tuple(
          fc.constantFrom(
            'tenant_reconcile_duration_seconds_count',
            'tenant_reconcile_duration_seconds_bucket',
            'controller_runtime_reconcile_total',
            'workqueue_depth',
          ),
          fc.constantFrom(
            '{result="error"}',
            '{le="+Inf",result="success"}',
            '{controller="tenant"}',
            '',
            '{broken',
          ),
          fc.oneof(fc.double().map(String), fc.constantFrom('NaN', '+Inf', '-Inf', 'x')),
        )
        .map(([n, l, v]) => `${n}${l} ${v}`),
    ),
    { maxLength: 40 },
  );
  it('reads any text into numbers or nothing, never throwing', async () => {
    await fc.assert(
      fc.asyncProperty(exposition, async (lines) => {
        const { counters, gauges } = await sampleFrom(lines.join('\n'), 'tenant_reconcile_duration_seconds');
        for (const v of [...Object.values(counters), ...Object.values(gauges)])
          expect(Number.isFinite(v)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
