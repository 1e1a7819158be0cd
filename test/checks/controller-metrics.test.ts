/** Diagnosis step 5: the controller's own metrics: stuck workers, queues, goroutines, memory. */
import { describe, expect, it } from 'vitest';
import { controllerMetrics } from '../../lambda/checks/controller-metrics.js';
import type { MetricsEvaluation } from '../../lambda/model/metrics.js';
import type { ClusterSnapshot } from '../../lambda/model/snapshot.js';
import { firingMetrics, healthySnapshot, metrics, unreadable } from '../unit/snapshot.js';
import { firing, named, ok, THRESHOLD, top } from './incident.js';

const check = (s: ClusterSnapshot) => controllerMetrics(s, THRESHOLD);
const withMetrics = (o: Partial<MetricsEvaluation>, fire = true) =>
  fire ? firing({ metrics: ok(firingMetrics(35 * 60, o)) }) : healthySnapshot({ metrics: ok(metrics(o)) });

describe('controller-metrics', () => {
  it('healthy: nothing to say, no cause', () => {
    expect(check(healthySnapshot())).toEqual([]);
  });

  it('unreadable metrics: nothing (error-rate says unknown)', () => {
    expect(check(healthySnapshot({ metrics: unreadable({ kind: 'unreachable', message: 'x' }) }))).toEqual(
      [],
    );
  });

  it('the incident: a reconcile running for 30 minutes is a deadlock', () => {
    const s = withMetrics({ workqueue: { depth: 500, longestRunningSeconds: 1800 } });
    const f = check(s)[0];
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBe('controller-deadlock');
    expect(f?.evidence).toContain('workqueue_longest_running_processor_seconds 1800');
    expect(top(s)).toBe('controller-deadlock');
  });

  it('a deep queue while nothing is reconciled is a deadlock', () => {
    const s = withMetrics({ workqueue: { depth: 300 }, reconcilesPerSecond: { state: 'ok', value: 0.01 } });
    expect(named(check(s))).toEqual(['controller-deadlock']);
  });

  it('decoy: a deep queue that drains (reconciles flowing) is a busy operator, not a cause', () => {
    const s = withMetrics({ workqueue: { depth: 400, longestRunningSeconds: 2 } }, false);
    const findings = check(s);
    expect(findings.map((f) => [f.status, f.cause])).toEqual([['warn', null]]);
    expect(findings[0]?.summary).toMatch(/behind/);
  });

  it('many goroutines are a weak warning of a leak', () => {
    const f = check(withMetrics({ process: { goroutines: 20_000 } }))[0];
    expect(f?.status).toBe('warn');
    expect(f?.cause).toBe('controller-deadlock');
    expect(f?.weight).toBeLessThanOrEqual(0.5);
  });

  it('resident memory near the container limit is a warning of exhaustion', () => {
    const f = check(withMetrics({ process: { residentMemoryBytes: 120 * 2 ** 20 } }))[0];
    expect(f?.cause).toBe('controller-resource-exhaustion');
    expect(f?.status).toBe('warn');
  });

  it('errors by controller: each status follows its numbers', () => {
    const high = check(
      withMetrics({
        byController: [
          { controller: 'tenant', errorsPerSecond: 2, reconcilesPerSecond: 10, errorRatio: 0.2 },
        ],
      }),
    );
    expect(high.map((f) => [f.status, f.cause])).toEqual([['warn', null]]);
    expect(high[0]?.summary).toBe('errors by controller: tenant 20.0%');
    const low = check(
      withMetrics(
        {
          byController: [
            { controller: 'tenant', errorsPerSecond: 0.1, reconcilesPerSecond: 10, errorRatio: 0.01 },
          ],
        },
        false,
      ),
    );
    expect(low.map((f) => f.status)).toEqual(['ok']);
  });
});
