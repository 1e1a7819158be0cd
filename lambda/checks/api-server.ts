/** Diagnosis step 4: API server health, latency and throttling, and whether it could be reached at all. */

import type { Finding } from '../model/finding.js';
import { mebibytes, percent } from '../model/format.js';
import { finding } from './finding.js';
import type { Check } from './types.js';

const SLOW_LIST_MS = 2000;

export const apiServer: Check = (snapshot) => {
  const out: Finding[] = [];
  const health = snapshot.apiServerHealth;
  if (!health.ok) {
    const e = health.error;
    const cause =
      e.kind === 'unreachable' || e.kind === 'tls'
        ? 'apiserver-network'
        : e.kind === 'timeout' || e.kind === 'server'
          ? 'apiserver-unavailable'
          : null;
    // Our own access being refused (401/403) says nothing about the operator's; it is still unknown.
    out.push(
      finding(
        snapshot,
        'api-server',
        cause ? 'fail' : 'unknown',
        cause,
        `the API server did not answer its health endpoints: ${e.kind}`,
        [e.message],
        cause ? 0.8 : 0,
      ),
    );
  } else {
    for (const probe of health.data.probes) {
      if (!('status' in probe)) continue;
      if (probe.status >= 500) {
        const etcd = probe.failedChecks.some((c) => /etcd/.test(c));
        out.push(
          finding(
            snapshot,
            'api-server',
            'fail',
            etcd ? 'etcd-degraded' : 'apiserver-unavailable',
            `${probe.path} answered ${probe.status}`,
            [...probe.failedChecks, `answered in ${probe.elapsedMs} ms`],
            0.85,
          ),
        );
      }
    }
    if (snapshot.nodes.ok && snapshot.nodes.data.listElapsedMs > SLOW_LIST_MS) {
      out.push(
        finding(
          snapshot,
          'api-server',
          'warn',
          'apiserver-unavailable',
          `listing nodes took ${snapshot.nodes.data.listElapsedMs} ms (the runbook's "time kubectl get nodes")`,
          [],
          0.4,
        ),
      );
    }
  }
  if (snapshot.apiServerMetrics.ok) {
    const m = snapshot.apiServerMetrics.data;
    const total = Object.values(m.requestsByCode).reduce((a, b) => a + b, 0);
    const throttled = m.requestsByCode['429'] ?? 0;
    if (throttled > 0 && total > 0 && throttled / total > 0.01) {
      out.push(
        finding(
          snapshot,
          'api-server',
          'warn',
          'apiserver-throttling',
          `the API server answered 429 to ${percent(throttled / total)} of requests since it started`,
          [`${throttled} of ${total} requests`],
          0.35,
        ),
      );
    }
    if (m.flowControlRejected > 0) {
      out.push(
        finding(
          snapshot,
          'api-server',
          'warn',
          'apiserver-throttling',
          `API Priority and Fairness rejected ${m.flowControlRejected} requests`,
          [],
          0.4,
        ),
      );
    }
    if (
      m.etcdRequestDuration &&
      m.etcdRequestDuration.count > 0 &&
      m.etcdRequestDuration.sum / m.etcdRequestDuration.count > 0.1
    ) {
      out.push(
        finding(
          snapshot,
          'api-server',
          'warn',
          'etcd-degraded',
          `etcd requests take ${Math.round((m.etcdRequestDuration.sum / m.etcdRequestDuration.count) * 1000)} ms on average`,
          [],
          0.5,
        ),
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
        finding(
          snapshot,
          'api-server',
          'fail',
          'apiserver-throttling',
          `${percent(m.restClient.throttledPerSecond / m.restClient.requestsPerSecond)} of the operator's API requests get 429`,
          [
            `rest_client_requests_total{code="429"}: ${m.restClient.throttledPerSecond.toFixed(2)}/s of ${m.restClient.requestsPerSecond.toFixed(2)}/s`,
          ],
          0.85,
        ),
      );
    }
    if (m.apiServerP95Seconds?.state === 'ok' && m.apiServerP95Seconds.value > 1) {
      const p95 = m.apiServerP95Seconds.value;
      out.push(
        finding(
          snapshot,
          'api-server',
          p95 > 2 ? 'fail' : 'warn',
          'control-plane-degraded',
          `API server p95 latency ${p95.toFixed(2)} s`,
          [
            'histogram_quantile(0.95, apiserver_request_duration_seconds) over 5m, WATCH and CONNECT excluded',
          ],
          p95 > 2 ? 0.75 : 0.5,
        ),
      );
    }
  }
  // Every source of the cluster failed the same way: the API server itself is the problem.
  const cluster = [snapshot.operatorPods, snapshot.tenants, snapshot.nodes, snapshot.events];
  if (cluster.every((r) => !r.ok) && !health.ok) {
    const kinds = new Set(cluster.map((r) => (r.ok ? 'ok' : r.error.kind)));
    if (kinds.has('throttled'))
      out.push(
        finding(
          snapshot,
          'api-server',
          'fail',
          'apiserver-throttling',
          'every request of the checker was throttled (429)',
          [],
          0.8,
        ),
      );
  }
  if (out.length === 0)
    out.push(
      finding(
        snapshot,
        'api-server',
        'ok',
        null,
        'the API server is healthy and answers promptly',
        health.ok
          ? health.data.probes.map((p) =>
              'status' in p ? `${p.path}: ${p.status} in ${p.elapsedMs} ms` : `${p.path}: ${p.error}`,
            )
          : [],
      ),
    );
  return out;
};
