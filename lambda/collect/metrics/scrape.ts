/**
 * Direct scrape of the operator's metrics endpoint (HTTPS :8443) through the API server's pod proxy,
 * for clusters without a Prometheus. One sample cannot give a rate: rates come from this sample and
 * the previous one, kept by the caller between cycles, so the first scrape is "warming up", never
 * healthy. Counters that went down were reset (the container restarted): as Prometheus does, the
 * increase is then the new value. Whether the rate held for the `for` window comes from the kept
 * history of previous intervals.
 */

import type { ScrapeInterval, ScrapeSample, ScrapeState } from '../../model/metrics.js';
import { above, type ControllerErrors, type MetricsEvaluation } from '../../model/metrics.js';
import { failed, type Measured, type SourceError, type SourceResult, succeeded } from '../../model/source.js';
import type { ClusterReader } from '../cluster-reader.js';
import { blindness } from './evaluation.js';
import { parseExposition } from './exposition.js';

export interface ScrapeOptions {
  metric: string;
  namespace: string;
  podSelector: string;
  port: number;
  threshold: number;
  forSeconds: number;
  at: Date;
}

const KEEP_HISTORY_SECONDS = 6 * 3600;

export async function readOperatorMetrics(
  reader: ClusterReader,
  options: Pick<ScrapeOptions, 'namespace' | 'podSelector' | 'port'>,
) {
  const pods = await reader.getJson<{
    items?: { metadata?: { name?: string }; status?: { phase?: string } }[];
  }>(`/api/v1/namespaces/${options.namespace}/pods`, {
    query: { labelSelector: options.podSelector },
  });
  if (!pods.ok) return pods;
  const running = (pods.data.items ?? [])
    .filter((p) => p.status?.phase === 'Running' && p.metadata?.name)
    .map((p) => p.metadata?.name as string);
  if (running.length === 0)
    return failed<{ pod: string; text: string }[]>(
      { kind: 'unreachable', message: `no running operator pod matches ${options.podSelector}` },
      pods.elapsedMs,
    );
  const scraped = await Promise.all(
    running.map(async (pod) => ({
      pod,
      result: await reader.getText(
        `/api/v1/namespaces/${options.namespace}/pods/https:${pod}:${options.port}/proxy/metrics`,
        { timeoutMs: 10_000, maxBytes: 32 * 1024 * 1024 },
      ),
    })),
  );
  const ok = scraped
    .filter((s) => s.result.ok)
    .map((s) => ({ pod: s.pod, text: (s.result as { data: string }).data }));
  if (ok.length === 0) {
    const first = scraped[0]?.result as { ok: false; error: SourceError };
    return failed<{ pod: string; text: string }[]>(
      { ...first.error, message: proxyRefusal(first.error, options) ?? first.error.message },
      pods.elapsedMs,
    );
  }
  return succeeded(ok, pods.elapsedMs);
}

/**
 * Why a scrape through the API server's pod proxy was refused, and what to configure instead; undefined
 * when the failure is not a refusal. The pods were just listed with the same credentials, so a 401 is
 * not the API server refusing the checker: it is the operator's metrics filter (controller-runtime's
 * WithAuthenticationAndAuthorization, on by default with --metrics-secure), which never sees the
 * checker's token because the API server does not forward it through its proxy. A 403 with the API
 * server's "is forbidden" is its RBAC on pods/proxy.
 */
export function proxyRefusal(
  error: SourceError,
  options: Pick<ScrapeOptions, 'namespace' | 'port'>,
): string | undefined {
  const instead =
    'set the cluster\'s metrics to { "source": "pods" } (the pods\' addresses, from a function in the cluster\'s VPC, with the metrics-reader binding of k8s/checker-rbac.yaml), { "source": "prometheus" } or { "source": "amp" }; "scrape" works only with an operator run with --metrics-secure=false';
  if (error.status === 403 && /is forbidden: User/.test(error.message))
    return `the API server forbids the checker its pod proxy in ${options.namespace} (${error.message}): apply k8s/checker-rbac.yaml (Role tenant-checker-operator-metrics); but an operator with its default --metrics-secure refuses proxied scrapes all the same: ${instead}`;
  if (error.status !== 401 && error.status !== 403) return undefined;
  return `the operator's secure metrics endpoint (HTTPS :${options.port}, --metrics-secure, its default) cannot be read through the API server's pod proxy: the API server does not forward the checker's credentials, so the operator's authentication refuses every proxied scrape (HTTP ${error.status}: ${error.status === 401 ? 'Unauthorized' : 'Forbidden'}). This is the checker's configuration, not a fault of the cluster: ${instead}`;
}

function key(name: string, labels: Record<string, string>, keep: string[]): string {
  return `${name}{${keep.map((k) => `${k}="${labels[k] ?? ''}"`).join(',')}}`;
}

/** The counters the rates are made of: a bad line of one of these makes the scrape unreadable. */
function countersOf(metric: string): string[] {
  return [
    `${metric}_count`,
    'controller_runtime_reconcile_total',
    'controller_runtime_reconcile_errors_total',
    'rest_client_requests_total',
  ];
}

const GAUGES = [
  'workqueue_depth',
  'workqueue_unfinished_work_seconds',
  'workqueue_longest_running_processor_seconds',
  'process_resident_memory_bytes',
  'go_goroutines',
];
const MAX_GAUGES = new Set([
  'workqueue_longest_running_processor_seconds',
  'process_resident_memory_bytes',
  'go_goroutines',
]);

/**
 * The counters and gauges the evaluation needs, from one pod's exposition text. `refused` says why the
 * text cannot be trusted for rates: not the exposition format at all, or a bad line (or a NaN) in one
 * of the counters the rates are made of; then the counters are unknown, never zeros.
 */
export async function sampleFrom(
  text: string,
  metric: string,
): Promise<{
  counters: Record<string, number>;
  gauges: Record<string, number>;
  skipped: number;
  refused?: string;
}> {
  const parsed = parseExposition(text);
  const wanted = new Set(countersOf(metric));
  const counters: Record<string, number> = {};
  const gauges: Record<string, number> = {};
  const badCounterLines = parsed.malformed.filter((m) => m.name !== undefined && wanted.has(m.name));
  let refused: string | undefined;
  if (parsed.samples.length === 0 && parsed.malformedLines > 0) {
    refused = `not the Prometheus text format (${parsed.malformedLines} lines, none a sample; line ${parsed.malformed[0]?.line}: ${parsed.malformed[0]?.reason})`;
  } else if (badCounterLines.length > 0) {
    const first = badCounterLines[0];
    refused = `${badCounterLines.length} line(s) of ${first?.name} could not be read (line ${first?.line}: ${first?.reason}): its counters would be partial`;
  }
  const keep: Record<string, string[]> = {
    [`${metric}_count`]: ['result'],
    controller_runtime_reconcile_total: ['controller'],
    controller_runtime_reconcile_errors_total: ['controller'],
    rest_client_requests_total: ['code'],
  };
  for (const sample of refused ? [] : parsed.samples) {
    const labels = keep[sample.name];
    if (labels) {
      if (!Number.isFinite(sample.value)) {
        refused = `${sample.name} has the value ${sample.value}: a counter must be a number`;
        break;
      }
      const k = key(sample.name, sample.labels, labels);
      counters[k] = (counters[k] ?? 0) + sample.value;
    } else if (GAUGES.includes(sample.name) && Number.isFinite(sample.value)) {
      gauges[sample.name] = MAX_GAUGES.has(sample.name)
        ? Math.max(gauges[sample.name] ?? 0, sample.value)
        : (gauges[sample.name] ?? 0) + sample.value;
    }
  }
  if (refused) return { counters: {}, gauges: {}, skipped: parsed.malformedLines, refused };
  return { counters, gauges, skipped: parsed.malformedLines };
}

/** Increases since the previous sample, pod by pod, reset-aware; pods without a previous sample are left out. */
function increases(
  previous: ScrapeSample,
  current: ScrapeSample,
): { deltas: Record<string, number>; pods: number } {
  const deltas: Record<string, number> = {};
  let pods = 0;
  for (const [pod, counters] of Object.entries(current.pods)) {
    const before = previous.pods[pod];
    if (!before) continue;
    pods++;
    for (const [k, now] of Object.entries(counters)) {
      const was = before[k] ?? 0;
      deltas[k] = (deltas[k] ?? 0) + (now < was ? now : now - was);
    }
  }
  return { deltas, pods };
}

function sumWhere(deltas: Record<string, number>, prefix: string, labelFilter?: string): number {
  return Object.entries(deltas)
    .filter(([k]) => k.startsWith(`${prefix}{`) && (labelFilter === undefined || k.includes(labelFilter)))
    .reduce((s, [, v]) => s + v, 0);
}

/** How the operator pods' metrics texts are read: through the API server's proxy, or from the pods' addresses. */
export type ReadOperatorMetrics = () => Promise<SourceResult<{ pod: string; text: string }[]>>;

export async function evaluateScrape(
  read: ReadOperatorMetrics,
  options: Omit<ScrapeOptions, 'namespace' | 'podSelector' | 'port'>,
  previous: ScrapeState | undefined,
): Promise<{ result: SourceResult<MetricsEvaluation>; state?: ScrapeState }> {
  const started = Date.now();
  const readResult = await read();
  if (!readResult.ok)
    return {
      result: failed(readResult.error, Date.now() - started),
      ...(previous ? { state: previous } : {}),
    };
  const sample: ScrapeSample = { at: options.at.toISOString(), pods: {} };
  const gauges: Record<string, number> = {};
  const refused: { pod: string; reason: string }[] = [];
  for (const { pod, text } of readResult.data) {
    const parsed = await sampleFrom(text, options.metric);
    if (parsed.refused) {
      refused.push({ pod, reason: parsed.refused });
      continue;
    }
    sample.pods[pod] = parsed.counters;
    for (const [k, v] of Object.entries(parsed.gauges))
      gauges[k] =
        k === 'workqueue_depth' || k === 'workqueue_unfinished_work_seconds'
          ? (gauges[k] ?? 0) + v
          : Math.max(gauges[k] ?? 0, v);
  }
  const base: Pick<
    MetricsEvaluation,
    'source' | 'evaluatedAt' | 'threshold' | 'forSeconds' | 'byController'
  > = {
    source: 'scrape',
    evaluatedAt: sample.at,
    threshold: options.threshold,
    forSeconds: options.forSeconds,
    byController: [],
  };
  const gaugesPart = {
    workqueue: {
      ...(gauges.workqueue_depth !== undefined ? { depth: gauges.workqueue_depth } : {}),
      ...(gauges.workqueue_unfinished_work_seconds !== undefined
        ? { unfinishedWorkSeconds: gauges.workqueue_unfinished_work_seconds }
        : {}),
      ...(gauges.workqueue_longest_running_processor_seconds !== undefined
        ? { longestRunningSeconds: gauges.workqueue_longest_running_processor_seconds }
        : {}),
    },
    process: {
      ...(gauges.process_resident_memory_bytes !== undefined
        ? { residentMemoryBytes: gauges.process_resident_memory_bytes }
        : {}),
      ...(gauges.go_goroutines !== undefined ? { goroutines: gauges.go_goroutines } : {}),
    },
  };
  const unavailable = (reason: string): Measured => ({ state: 'unknown', reason });
  // A scrape that could not be read is unknown, never zeros: this cycle has no rate, and the pod's next
  // good scrape starts a new baseline (its lifetime totals are not one interval's increase).
  const rebaselined = Object.keys(sample.pods).filter((pod) => previous?.sample.refused?.includes(pod));
  if (refused.length > 0 || rebaselined.length > 0) {
    if (refused.length > 0) sample.refused = refused.map((r) => r.pod);
    const reason =
      refused.length > 0
        ? `the metrics of ${refused.map((r) => `${r.pod} (${r.reason})`).join('; ')} could not be read: unknown, not zero; the next good scrape starts a new baseline`
        : `warming up: a new baseline for ${rebaselined.join(', ')}, whose last scrape could not be read; the next cycle will have a rate`;
    const evaluation: MetricsEvaluation = {
      ...base,
      errorRate: unavailable(reason),
      sustained: false,
      reconcilesPerSecond: unavailable(reason),
      errorsPerMinute: unavailable(reason),
      partialFailureShare: unavailable(reason),
      controllerErrorRatio: unavailable(reason),
      ...gaugesPart,
      ...(refused.length === 0 ? { warmingUp: true } : {}),
    };
    return {
      result: succeeded(evaluation, Date.now() - started),
      state: { sample, history: previous?.history ?? [] },
    };
  }
  const elapsedSeconds = previous ? (Date.parse(sample.at) - Date.parse(previous.sample.at)) / 1000 : 0;
  const { deltas, pods } =
    previous && elapsedSeconds > 0 ? increases(previous.sample, sample) : { deltas: {}, pods: 0 };
  if (!previous || elapsedSeconds <= 0 || pods === 0) {
    const reason =
      !previous || elapsedSeconds <= 0
        ? 'warming up: the first scrape has no rate; the next cycle will'
        : 'warming up: every operator pod is new since the last scrape';
    const evaluation: MetricsEvaluation = {
      ...base,
      errorRate: unavailable(reason),
      sustained: false,
      reconcilesPerSecond: unavailable(reason),
      errorsPerMinute: unavailable(reason),
      partialFailureShare: unavailable(reason),
      controllerErrorRatio: unavailable(reason),
      ...gaugesPart,
      warmingUp: true,
    };
    return {
      result: succeeded(evaluation, Date.now() - started),
      state: { sample, history: previous?.history ?? [] },
    };
  }

  const count = `${options.metric}_count`;
  const total = sumWhere(deltas, count);
  const errors = sumWhere(deltas, count, 'result="error"');
  const partial = sumWhere(deltas, count, 'result="partial_failure"');
  const ratio = total > 0 ? errors / total : null;
  const noTraffic = `no reconciles in the last ${Math.round(elapsedSeconds)}s (0/0)`;
  const errorRate: Measured = ratio === null ? unavailable(noTraffic) : { state: 'ok', value: ratio };
  const interval: ScrapeInterval = { from: previous.sample.at, to: sample.at, errorRate: ratio };
  const history = [...previous.history, interval].filter(
    (h) => Date.parse(h.to) > options.at.getTime() - KEEP_HISTORY_SECONDS * 1000,
  );

  // Sustained: the unbroken run of intervals above the threshold, back from now, covers the window.
  let covered = 0;
  let runStart: ScrapeInterval | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i] as ScrapeInterval;
    if (!above(h.errorRate ?? undefined, options.threshold)) break;
    covered += (Date.parse(h.to) - Date.parse(h.from)) / 1000;
    runStart = h;
    const earlier = history[i - 1];
    if (earlier && earlier.to !== h.from) break; // a gap: nothing is known between
  }
  const slack = 30;
  const sustained = above(ratio ?? undefined, options.threshold) && covered + slack >= options.forSeconds;
  const crTotal = sumWhere(deltas, 'controller_runtime_reconcile_total');
  const crErrors = sumWhere(deltas, 'controller_runtime_reconcile_errors_total');
  const controllers = new Set(
    Object.keys(deltas)
      .filter((k) => k.startsWith('controller_runtime_reconcile_total{'))
      .map((k) => /controller="([^"]*)"/.exec(k)?.[1] ?? ''),
  );
  const byController: ControllerErrors[] = [...controllers]
    .map((controller) => {
      const e = deltas[`controller_runtime_reconcile_errors_total{controller="${controller}"}`] ?? 0;
      const t = deltas[`controller_runtime_reconcile_total{controller="${controller}"}`] ?? 0;
      return {
        controller,
        errorsPerSecond: e / elapsedSeconds,
        reconcilesPerSecond: t / elapsedSeconds,
        ...(t > 0 ? { errorRatio: e / t } : {}),
      };
    })
    .sort((a, b) => b.errorsPerSecond - a.errorsPerSecond);
  const restTotal = sumWhere(deltas, 'rest_client_requests_total');
  const restThrottled = sumWhere(deltas, 'rest_client_requests_total', 'code="429"');

  const evaluation: MetricsEvaluation = {
    ...base,
    errorRate,
    sustained,
    ...(above(ratio ?? undefined, options.threshold) && !sustained
      ? {
          sustainedReason: `above the threshold for ${Math.round(covered)}s of the ${options.forSeconds}s window (scrapes so far)`,
        }
      : {}),
    reconcilesPerSecond: { state: 'ok', value: total / elapsedSeconds },
    errorsPerMinute: { state: 'ok', value: (errors / elapsedSeconds) * 60 },
    partialFailureShare: total > 0 ? { state: 'ok', value: partial / total } : unavailable(noTraffic),
    controllerErrorRatio:
      controllers.size === 0
        ? unavailable('the operator exposes no controller_runtime_reconcile_total')
        : crTotal > 0
          ? { state: 'ok', value: crErrors / crTotal }
          : unavailable('no controller-runtime reconciles between the scrapes (0/0)'),
    byController,
    startedAt: sustained || above(ratio ?? undefined, options.threshold) ? (runStart?.to ?? sample.at) : null,
    errorRateSeries: {
      stepSeconds: Math.round(elapsedSeconds),
      points: history.map((h): [number, number | null] => [Date.parse(h.to) / 1000, h.errorRate]),
    },
    ...gaugesPart,
    ...(restTotal > 0 || Object.keys(deltas).some((k) => k.startsWith('rest_client_requests_total{'))
      ? {
          restClient: {
            requestsPerSecond: restTotal / elapsedSeconds,
            throttledPerSecond: restThrottled / elapsedSeconds,
          },
        }
      : {}),
    podRestartsPerSecond: unavailable(
      'pod restarts come from kube-state-metrics, which a direct scrape does not read (see the operator pods source)',
    ),
    apiServerP95Seconds: unavailable(
      "API server latency comes from the API server's metrics, not the operator's (see the API server metrics source)",
    ),
  };
  const blind = blindness(evaluation);
  if (blind) evaluation.alertBlind = blind;
  return { result: succeeded(evaluation, Date.now() - started), state: { sample, history } };
}
