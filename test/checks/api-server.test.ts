/** Diagnosis step 4: the API server. Counters since its start are history; rates are news. */
import { describe, expect, it } from 'vitest';
import { apiServer } from '../../lambda/checks/api-server.js';
import type { ClusterSnapshot } from '../../lambda/model/snapshot.js';
import { firingMetrics, healthySnapshot, unreadable } from '../unit/snapshot.js';
import { firing, named, ok, THRESHOLD, top } from './incident.js';

const check = (s: ClusterSnapshot) => apiServer(s, THRESHOLD);
const readyz = (status: number, failedChecks: string[] = []) =>
  ok({
    probes: [
      { path: '/livez', status: 200, body: 'ok', elapsedMs: 10, failedChecks: [] },
      { path: '/readyz', status, body: '', elapsedMs: 40, failedChecks },
    ],
  });

describe('api-server', () => {
  it('healthy: ok, no cause, the probes quoted', () => {
    const findings = check(healthySnapshot());
    expect(findings.map((f) => [f.status, f.cause])).toEqual([['ok', null]]);
    expect(findings[0]?.evidence).toEqual(['/livez: 200 in 12 ms', '/readyz: 200 in 14 ms']);
  });

  it('unreadable health endpoints are unknown, not an outage', () => {
    const s = healthySnapshot({
      apiServerHealth: unreadable({ kind: 'unreachable', message: 'connect ECONNREFUSED' }),
    });
    const findings = check(s);
    expect(findings.map((f) => f.status)).toEqual(['unknown']);
    expect(named(findings)).toEqual([]);
  });

  it('the incident: /readyz 500 with etcd failing is etcd', () => {
    const s = firing({ apiServerHealth: readyz(500, ['[-]etcd failed: reason withheld']) });
    expect(named(check(s))).toEqual(['etcd-degraded']);
    expect(top(s)).toBe('etcd-degraded');
  });

  it('the incident: /readyz 503 without etcd is the API server', () => {
    const s = firing({
      apiServerHealth: readyz(503, ['[-]poststarthook/start-apiextensions-controllers failed']),
    });
    expect(named(check(s))).toEqual(['apiserver-unavailable']);
  });

  it('decoy: 429 and APF rejections counted since the API server started are history, ok', () => {
    const s = firing({
      apiServerMetrics: ok({
        text: '',
        requestsByCode: { '200': 100_000, '429': 5_000 },
        flowControlRejected: 3_000,
        inflight: {},
      }),
    });
    const findings = check(s);
    expect(named(findings)).toEqual([]);
    expect(
      findings.some((f) => f.status === 'ok' && /counters since start are history/.test(f.summary)),
    ).toBe(true);
    expect(findings.some((f) => /healthy and answers promptly/.test(f.summary))).toBe(true);
    expect(top(s)).toBeUndefined();
  });

  it("the incident: the operator's own 429 rate now is throttling", () => {
    const s = firing({
      metrics: ok(firingMetrics(35 * 60, { restClient: { requestsPerSecond: 20, throttledPerSecond: 5 } })),
    });
    const f = check(s).find((x) => x.cause === 'apiserver-throttling');
    expect(f?.status).toBe('fail');
    expect(f?.summary).toMatch(/25\.0% of the operator's API requests get 429 now/);
    expect(top(s)).toBe('apiserver-throttling');
  });

  it('a trickle of 429s (under 5%) is not throttling', () => {
    const s = firing({
      metrics: ok(firingMetrics(35 * 60, { restClient: { requestsPerSecond: 100, throttledPerSecond: 1 } })),
    });
    expect(named(check(s))).toEqual([]);
  });

  it('a p95 over 2 s fails as control-plane degradation, over 1 s warns', () => {
    const slow = firing({
      metrics: ok(firingMetrics(35 * 60, { apiServerP95Seconds: { state: 'ok', value: 3 } })),
    });
    const f = check(slow).find((x) => x.cause === 'control-plane-degraded');
    expect(f?.status).toBe('fail');
    expect(f?.summary).toMatch(/while \/readyz passes/);
    const sluggish = firing({
      metrics: ok(firingMetrics(35 * 60, { apiServerP95Seconds: { state: 'ok', value: 1.5 } })),
    });
    expect(check(sluggish).find((x) => x.cause === 'control-plane-degraded')?.status).toBe('warn');
  });

  it("a slow node list (the runbook's time kubectl get nodes) is a weak warning", () => {
    const base = healthySnapshot();
    const nodes = base.nodes.ok ? base.nodes.data : undefined;
    const s = firing({ nodes: ok({ ...(nodes as NonNullable<typeof nodes>), listElapsedMs: 5000 }) });
    const f = check(s).find((x) => x.cause === 'control-plane-degraded');
    expect(f?.status).toBe('warn');
    expect(f?.weight).toBeLessThan(0.5);
  });
});
