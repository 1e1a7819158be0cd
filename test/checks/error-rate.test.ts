/** Diagnosis step 1: the error rate, from the metrics and from the logs' tail. */
import { describe, expect, it } from 'vitest';
import { errorRate } from '../../lambda/checks/error-rate.js';
import {
  firingMetrics,
  healthySnapshot,
  metrics,
  reconcileErrors,
  unreadable,
  withLogs,
} from '../unit/snapshot.js';
import { ok, THRESHOLD } from './incident.js';

const metricsFinding = (s: Parameters<typeof errorRate>[0]) => errorRate(s, THRESHOLD)[0];
const logsFinding = (s: Parameters<typeof errorRate>[0]) =>
  errorRate(s, THRESHOLD).find((f) => f.summary.startsWith('logs:'));

describe('error-rate', () => {
  it('healthy: below the threshold is ok, and never names a cause', () => {
    const findings = errorRate(healthySnapshot(), THRESHOLD);
    expect(findings.map((f) => f.status)).toEqual(['ok', 'ok']);
    expect(findings[0]?.summary).toMatch(/error rate 1\.0%, below 10\.0%/);
    expect(findings.every((f) => f.cause === null && f.weight === 0)).toBe(true);
  });

  it('the incident: above the threshold for the whole window fails, with the onset', () => {
    const s = healthySnapshot({ metrics: ok(firingMetrics()) });
    const f = metricsFinding(s);
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBeNull();
    expect(f?.summary).toMatch(/error rate 20\.0%, above 10\.0% for 10m, since /);
    expect(f?.evidence).toContain('120.0 errors/min');
  });

  it('above the threshold but not for the window is a warning (pending), with the reason', () => {
    const s = healthySnapshot({
      metrics: ok(firingMetrics(120, { sustained: false, sustainedReason: 'above for 2m of 10m' })),
    });
    const f = metricsFinding(s);
    expect(f?.status).toBe('warn');
    expect(f?.summary).toMatch(/not yet for 10m/);
    expect(f?.evidence).toContain('above for 2m of 10m');
  });

  it('exactly at the threshold is not above it', () => {
    const s = healthySnapshot({
      metrics: ok(metrics({ errorRate: { state: 'ok', value: 0.1 }, sustained: true })),
    });
    expect(metricsFinding(s)?.status).toBe('ok');
  });

  it("a refused metrics source is the checker's own access, unknown with the source's reason, never a cause", () => {
    const message =
      "the operator's secure metrics endpoint (HTTPS :8443, --metrics-secure, its default) cannot be read through the API server's pod proxy: ...";
    const s = healthySnapshot({ metrics: unreadable({ kind: 'unauthorized', status: 401, message }) });
    const f = metricsFinding(s);
    expect(f).toMatchObject({ status: 'unknown', cause: null, evidence: [message] });
    expect(f?.summary).toBe(
      "error rate unknown: the checker may not read its metrics source (HTTP 401), the checker's access, not a fault of the cluster",
    );
  });

  it('an unknown rate (no traffic) is unknown, not fine', () => {
    const s = healthySnapshot({
      metrics: ok(metrics({ errorRate: { state: 'unknown', reason: 'no reconciles (0/0)' } })),
    });
    const f = metricsFinding(s);
    expect(f?.status).toBe('unknown');
    expect(f?.summary).toContain('no reconciles (0/0)');
  });

  it('metrics that could not be read are unknown', () => {
    const s = healthySnapshot({
      metrics: unreadable({ kind: 'unreachable', message: 'connect ECONNREFUSED' }),
    });
    const f = metricsFinding(s);
    expect(f?.status).toBe('unknown');
    expect(f?.evidence).toEqual(['connect ECONNREFUSED']);
  });

  it("failures the runbook's alert does not count are a warning with their reasons", () => {
    const s = healthySnapshot({
      metrics: ok(metrics({ alertBlind: { reasons: ['30% of reconciles end partial_failure'] } })),
    });
    const blind = errorRate(s, THRESHOLD).find((f) => /does not count/.test(f.summary));
    expect(blind?.status).toBe('warn');
    expect(blind?.evidence).toEqual(['30% of reconciles end partial_failure']);
  });

  it("the logs' tail never turns a firing rate into ok: a low share beside high metrics is a warning that says why", () => {
    const s = withLogs(healthySnapshot({ metrics: ok(firingMetrics()) }), [reconcileErrors(4, 'boom')]);
    const f = logsFinding(s);
    expect(f?.status).toBe('warn');
    expect(f?.evidence.join('\n')).toMatch(/the tail holds only the most recent lines/);
  });

  it('a high share of errors in the tail is a warning even when the metrics are low', () => {
    const s = withLogs(healthySnapshot(), [reconcileErrors(100, 'boom')]);
    expect(logsFinding(s)?.status).toBe('warn');
    expect(logsFinding(s)?.summary).toMatch(/100 of 500 reconcile lines/);
  });

  it('a low share with low metrics is ok', () => {
    const s = withLogs(healthySnapshot(), [reconcileErrors(4, 'boom')]);
    expect(logsFinding(s)?.status).toBe('ok');
  });
});
