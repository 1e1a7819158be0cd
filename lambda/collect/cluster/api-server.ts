/** Diagnosis step 4: API server health (/livez, /readyz, /healthz) and the request metrics the runbook greps. */

import type { ApiServerHealth, ApiServerMetrics, HealthProbe } from '../../model/snapshot.js';
import { failed, type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';

const PROBES = ['/livez?verbose', '/readyz?verbose', '/healthz'];

export async function collectApiServerHealth({
  reader,
}: CollectContext): Promise<SourceResult<ApiServerHealth>> {
  const started = Date.now();
  const probes = await Promise.all(
    PROBES.map(async (path) => {
      const result = await reader.probe(path, { timeoutMs: 5000, maxBytes: 1024 * 1024 });
      if (!result.ok) return { path, error: result.error.message, kind: result.error.kind };
      const probe: HealthProbe = {
        path,
        status: result.data.status,
        body: result.data.body.slice(0, 8192),
        elapsedMs: result.elapsedMs,
        failedChecks: result.data.body.split('\n').filter((line) => line.startsWith('[-]')),
      };
      return probe;
    }),
  );
  const answered = probes.some((p) => 'status' in p);
  if (!answered) {
    const first = probes[0] as { error: string; kind: string };
    return failed(
      { kind: first.kind as never, message: `no health endpoint answered: ${first.error}` },
      Date.now() - started,
    );
  }
  return succeeded({ probes }, Date.now() - started);
}

const KEPT =
  /^(apiserver_request_total|apiserver_request_duration_seconds_(sum|count)|apiserver_flowcontrol_rejected_requests_total|apiserver_current_inflight_requests|apiserver_flowcontrol_current_inqueue_requests|apiserver_dropped_requests_total|etcd_request_duration_seconds_(sum|count))[{ ]/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;

function label(labels: string, name: string): string | undefined {
  return new RegExp(`(?:^|,)${name}="([^"]*)"`).exec(labels)?.[1];
}

/**
 * `kubectl get --raw /metrics | grep apiserver`: keeps those lines for the bundle and sums what the
 * checks compare: requests by status code (429s), API Priority and Fairness rejections, mean request
 * and etcd latency since the API server started. Counters: rates need the metrics source.
 */
export async function collectApiServerMetrics({
  reader,
}: CollectContext): Promise<SourceResult<ApiServerMetrics>> {
  const result = await reader.getText('/metrics', { timeoutMs: 15_000, maxBytes: 64 * 1024 * 1024 });
  if (!result.ok) return result;
  const kept: string[] = [];
  const metrics: ApiServerMetrics = { text: '', requestsByCode: {}, flowControlRejected: 0, inflight: {} };
  const add = (key: 'requestDuration' | 'etcdRequestDuration', part: 'sum' | 'count', value: number) => {
    const entry = metrics[key] ?? { sum: 0, count: 0 };
    entry[part] += value;
    metrics[key] = entry;
  };
  for (const line of result.data.split('\n')) {
    if (!KEPT.test(line)) continue;
    kept.push(line);
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, name, labels = '', text] = m as unknown as [string, string, string | undefined, string];
    const value = Number(text);
    if (!Number.isFinite(value)) continue;
    if (name === 'apiserver_request_total') {
      const code = label(labels, 'code') ?? 'unknown';
      metrics.requestsByCode[code] = (metrics.requestsByCode[code] ?? 0) + value;
    } else if (name === 'apiserver_flowcontrol_rejected_requests_total') metrics.flowControlRejected += value;
    else if (name === 'apiserver_request_duration_seconds_sum') add('requestDuration', 'sum', value);
    else if (name === 'apiserver_request_duration_seconds_count') add('requestDuration', 'count', value);
    else if (name === 'etcd_request_duration_seconds_sum') add('etcdRequestDuration', 'sum', value);
    else if (name === 'etcd_request_duration_seconds_count') add('etcdRequestDuration', 'count', value);
    else if (name === 'apiserver_current_inflight_requests') {
      const kind = label(labels, 'request_kind') ?? 'all';
      metrics.inflight[kind] = value;
    }
  }
  metrics.text = kept.join('\n');
  return succeeded(metrics, result.elapsedMs);
}
