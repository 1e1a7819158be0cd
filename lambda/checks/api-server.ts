/**
 * Diagnosis step 4: API server health, latency and throttling. What the checker itself cannot reach
 * is the checker's trouble (checker-access.ts), never evidence against the API server. Counters the
 * API server has kept since it started (429s, Priority and Fairness rejections) are history; rates
 * (the operator's own 429s per second, from its metrics) are news.
 */
import type { Finding } from '../model/finding.js';
import { percent } from '../model/format.js';
import { evidenceOf } from './evidence.js';
import { findings } from './finding.js';
import type { Check } from './types.js';

const CHECK = 'api-server';
const SLOW_LIST_MS = 2000;

export const apiServer: Check = (snapshot) => {
  const f = findings(snapshot, CHECK);
  const out: Finding[] = [];
  const health = snapshot.apiServerHealth;
  if (!health.ok) {
    out.push(f.unread("the API server's health endpoints", health));
  } else {
    for (const probe of health.data.probes) {
      if (!('status' in probe) || probe.status < 500) continue;
      const etcd = probe.failedChecks.some((c) => /etcd/.test(c));
      out.push(
        f.fail(etcd ? 'etcd-degraded' : 'apiserver-unavailable', {
          summary: `${probe.path} answered ${probe.status}`,
          evidence: [...probe.failedChecks, `answered in ${probe.elapsedMs} ms`],
          weight: 0.85,
        }),
      );
    }
    if (snapshot.nodes.ok && snapshot.nodes.data.listElapsedMs > SLOW_LIST_MS) {
      out.push(
        f.warn('control-plane-degraded', {
          summary: `listing nodes took ${snapshot.nodes.data.listElapsedMs} ms (the runbook's "time kubectl get nodes")`,
          weight: 0.4,
        }),
      );
    }
  }
  if (snapshot.apiServerMetrics.ok) {
    const m = snapshot.apiServerMetrics.data;
    const total = Object.values(m.requestsByCode).reduce((a, b) => a + b, 0);
    const throttled = m.requestsByCode['429'] ?? 0;
    if ((throttled > 0 && total > 0) || m.flowControlRejected > 0) {
      out.push(
        f.ok({
          summary: `the API server has answered 429 to ${total > 0 ? percent(throttled / total) : '0%'} of requests and API Priority and Fairness rejected ${m.flowControlRejected} since it started: counters since start are history, not a rate`,
          evidence: [
            `apiserver_request_total{code="429"} ${throttled} of ${total}`,
            `apiserver_flowcontrol_rejected_requests_total ${m.flowControlRejected}`,
          ],
        }),
      );
    }
  }
  if (snapshot.metrics.ok) {
    const m = snapshot.metrics.data;
    if (
      m.restClient?.requestsPerSecond &&
      m.restClient.throttledPerSecond &&
      m.restClient.throttledPerSecond / m.restClient.requestsPerSecond > 0.05
    ) {
      out.push(
        f.fail('apiserver-throttling', {
          summary: `${percent(m.restClient.throttledPerSecond / m.restClient.requestsPerSecond)} of the operator's API requests get 429 now`,
          evidence: [
            `rest_client_requests_total{code="429"}: ${m.restClient.throttledPerSecond.toFixed(2)}/s of ${m.restClient.requestsPerSecond.toFixed(2)}/s`,
          ],
          weight: 0.85,
          hints: { throttling: 'server' },
        }),
      );
    }
    if (m.apiServerP95Seconds?.state === 'ok' && m.apiServerP95Seconds.value > 1) {
      const p95 = m.apiServerP95Seconds.value;
      const parts = {
        summary: `API server p95 latency ${p95.toFixed(2)} s while /readyz ${health.ok && health.data.probes.every((p) => !('status' in p) || p.status < 500) ? 'passes' : 'fails'}`,
        evidence: [
          'histogram_quantile(0.95, apiserver_request_duration_seconds) over 5m, WATCH and CONNECT excluded',
        ],
        weight: p95 > 2 ? 0.85 : 0.5,
      };
      out.push(p95 > 2 ? f.fail('control-plane-degraded', parts) : f.warn('control-plane-degraded', parts));
    }
  }
  // The control plane's controllers hold leader-election leases: one not renewed for minutes has stalled.
  if (snapshot.kubeSystem?.ok) {
    const now = evidenceOf(snapshot).now.getTime();
    for (const lease of snapshot.kubeSystem.data.controlPlaneLeases ?? []) {
      const renewed = lease.renewTime ? Date.parse(lease.renewTime) : Number.NaN;
      if (Number.isNaN(renewed)) continue;
      const stale = now - renewed;
      if (stale > Math.max(120, 8 * (lease.durationSeconds ?? 15)) * 1000)
        out.push(
          f.fail('control-plane-degraded', {
            summary: `the ${lease.name} has not renewed its leader lease for ${Math.round(stale / 60_000)} minutes: it is stalled`,
            evidence: [
              `lease kube-system/${lease.name}: holder ${lease.holder ?? 'none'}, renewed ${lease.renewTime}`,
            ],
            weight: 0.9,
          }),
        );
    }
  }
  if (out.length === 0 || (out.length === 1 && out[0]?.status === 'ok' && health.ok))
    out.push(
      f.ok({
        summary: 'the API server is healthy and answers promptly',
        evidence: health.ok
          ? health.data.probes.map((p) =>
              'status' in p ? `${p.path}: ${p.status} in ${p.elapsedMs} ms` : `${p.path}: ${p.error}`,
            )
          : [],
      }),
    );
  return out;
};
