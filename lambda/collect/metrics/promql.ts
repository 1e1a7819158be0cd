/**
 * The runbook's PromQL and the queries that complete it, evaluated on any Prometheus query API (AMP
 * or in-cluster), all at one explicit instant so that a past incident can be investigated (`--at`).
 */

import {
  above,
  type ControllerErrors,
  type MetricsEvaluation,
  type MetricsSourceKind,
} from '../../model/metrics.js';
import { failed, type Measured, type SourceResult, succeeded } from '../../model/source.js';
import { blindness } from './evaluation.js';
import type { PrometheusApi, Sample } from './prometheus-api.js';

export interface PromqlOptions {
  /** The operator's reconcile histogram, e.g. tenant_reconcile_duration_seconds. */
  metric: string;
  /** The operator's namespace: controller-runtime, workqueue and process metrics are filtered to it. */
  namespace: string;
  threshold: number;
  forSeconds: number;
  at: Date;
  /** How far back to look for the start of the errors. */
  lookbackSeconds?: number;
}

/** The runbook's expression, exactly. */
export function runbookExpression(metric: string): string {
  return `sum(rate(${metric}_count{result="error"}[5m])) / sum(rate(${metric}_count[5m]))`;
}

export function queriesFor(o: PromqlOptions) {
  const count = `${o.metric}_count`;
  const ns = `namespace="${o.namespace}"`;
  const expr = runbookExpression(o.metric);
  const window = `${Math.round(o.forSeconds / 60)}m`;
  // Over the window the 0/0 of a quiet minute is NaN, which no comparison passes: `>= 0` drops it so
  // that min and count see only real ratios.
  const windowed = `((${expr}) >= 0)[${window}:1m]`;
  return {
    errorRate: expr,
    windowMin: `min_over_time(${windowed})`,
    windowPoints: `count_over_time(${windowed})`,
    reconcilesPerSecond: `sum(rate(${count}[5m]))`,
    errorsPerMinute: `sum(rate(${count}{result="error"}[1m])) * 60`,
    partialFailureShare: `sum(rate(${count}{result="partial_failure"}[5m])) / sum(rate(${count}[5m]))`,
    controllerErrors: `sum by (controller) (rate(controller_runtime_reconcile_errors_total{${ns}}[5m]))`,
    controllerTotals: `sum by (controller) (rate(controller_runtime_reconcile_total{${ns}}[5m]))`,
    workqueueDepth: `sum(workqueue_depth{${ns}})`,
    workqueueUnfinished: `sum(workqueue_unfinished_work_seconds{${ns}})`,
    workqueueLongest: `max(workqueue_longest_running_processor_seconds{${ns}})`,
    restRequests: `sum(rate(rest_client_requests_total{${ns}}[5m]))`,
    restThrottled: `sum(rate(rest_client_requests_total{${ns},code="429"}[5m]))`,
    memory: `max(process_resident_memory_bytes{${ns}})`,
    goroutines: `max(go_goroutines{${ns}})`,
    podRestarts: `sum(rate(kube_pod_container_status_restarts_total{${ns}}[5m]))`,
    apiServerP95:
      'histogram_quantile(0.95, sum by (le) (rate(apiserver_request_duration_seconds_bucket{verb!~"WATCH|CONNECT"}[5m])))',
  };
}

function single(result: SourceResult<Sample[]>, what: string): Measured {
  if (!result.ok)
    return { state: 'unknown', reason: `${what} could not be queried: ${result.error.message}` };
  const [sample] = result.data;
  if (!sample)
    return { state: 'unknown', reason: `no series for ${what} (absent, or stale for more than 5m)` };
  if (Number.isNaN(sample.value))
    return { state: 'unknown', reason: `${what} is NaN: no reconciles in the last 5m (0/0)` };
  return { state: 'ok', value: sample.value };
}

const measuredValue = (m: Measured) => (m.state === 'ok' ? m.value : undefined);

/** Evaluates everything the checks need from one Prometheus-compatible API. */
export async function evaluatePromql(
  api: PrometheusApi,
  source: MetricsSourceKind,
  o: PromqlOptions,
): Promise<SourceResult<MetricsEvaluation>> {
  const started = Date.now();
  const q = queriesFor(o);
  const names = Object.keys(q) as (keyof typeof q)[];
  const answers = await Promise.all(names.map((name) => api.query(q[name], o.at)));
  const result = Object.fromEntries(
    names.map((name, i) => [name, answers[i] as SourceResult<Sample[]>]),
  ) as Record<keyof typeof q, SourceResult<Sample[]>>;
  // The API itself failed (Prometheus down, AMP refused): the whole source failed, with that error.
  if (!result.errorRate.ok && !result.reconcilesPerSecond.ok)
    return failed(result.errorRate.error, Date.now() - started);

  const errorRate = single(result.errorRate, "the runbook's error rate");
  const reconcilesPerSecond = single(result.reconcilesPerSecond, `${o.metric}_count`);
  const expectedPoints = Math.round(o.forSeconds / 60);
  const min = measuredValue(single(result.windowMin, 'the window minimum'));
  const points = measuredValue(single(result.windowPoints, 'the window count')) ?? 0;
  const sustained =
    above(measuredValue(errorRate), o.threshold) && above(min, o.threshold) && points >= expectedPoints;
  let sustainedReason: string | undefined;
  if (above(measuredValue(errorRate), o.threshold) && !sustained) {
    sustainedReason =
      points < expectedPoints
        ? `only ${points} of ${expectedPoints} evaluations in the last ${expectedPoints}m had data`
        : `it dipped to ${min?.toFixed(4)} within the last ${expectedPoints}m (a spike, not yet ${expectedPoints}m above ${o.threshold})`;
  }

  const byController = controllers(result.controllerErrors, result.controllerTotals);
  const crTotals = byController.reduce(
    (acc, c) => ({ errors: acc.errors + c.errorsPerSecond, total: acc.total + c.reconcilesPerSecond }),
    { errors: 0, total: 0 },
  );
  const controllerErrorRatio: Measured = !result.controllerTotals.ok
    ? {
        state: 'unknown',
        reason: `controller-runtime metrics could not be queried: ${result.controllerTotals.error.message}`,
      }
    : byController.length === 0
      ? {
          state: 'unknown',
          reason: `no controller_runtime_reconcile_total series in namespace ${o.namespace}`,
        }
      : crTotals.total === 0
        ? { state: 'unknown', reason: 'no controller-runtime reconciles in the last 5m (0/0)' }
        : { state: 'ok', value: crTotals.errors / crTotals.total };

  const partialFailureShare = single(result.partialFailureShare, 'the partial_failure share');
  const evaluation: MetricsEvaluation = {
    source,
    evaluatedAt: o.at.toISOString(),
    threshold: o.threshold,
    forSeconds: o.forSeconds,
    errorRate,
    sustained,
    ...(sustainedReason ? { sustainedReason } : {}),
    window: { ...(min !== undefined ? { min } : {}), points, expectedPoints },
    reconcilesPerSecond,
    errorsPerMinute: single(result.errorsPerMinute, 'errors per minute'),
    partialFailureShare,
    controllerErrorRatio,
    byController,
  };
  const blind = blindness(evaluation);
  if (blind) evaluation.alertBlind = blind;

  const gauge = (r: SourceResult<Sample[]>) => {
    const m = single(r, '');
    return m.state === 'ok' ? m.value : undefined;
  };
  const set = <T extends object>(target: T, entries: [keyof T, number | undefined][]): T | undefined => {
    let any = false;
    for (const [key, value] of entries) {
      if (value !== undefined) {
        (target as Record<keyof T, number>)[key] = value;
        any = true;
      }
    }
    return any ? target : undefined;
  };
  const workqueue = set<NonNullable<MetricsEvaluation['workqueue']>>({}, [
    ['depth', gauge(result.workqueueDepth)],
    ['unfinishedWorkSeconds', gauge(result.workqueueUnfinished)],
    ['longestRunningSeconds', gauge(result.workqueueLongest)],
  ]);
  const restClient = set<NonNullable<MetricsEvaluation['restClient']>>({}, [
    ['requestsPerSecond', gauge(result.restRequests)],
    [
      'throttledPerSecond',
      gauge(result.restThrottled) ?? (gauge(result.restRequests) !== undefined ? 0 : undefined),
    ],
  ]);
  const process = set<NonNullable<MetricsEvaluation['process']>>({}, [
    ['residentMemoryBytes', gauge(result.memory)],
    ['goroutines', gauge(result.goroutines)],
  ]);
  if (workqueue) evaluation.workqueue = workqueue;
  if (restClient) evaluation.restClient = restClient;
  if (process) evaluation.process = process;
  evaluation.podRestartsPerSecond = single(
    result.podRestarts,
    'kube_pod_container_status_restarts_total (kube-state-metrics)',
  );
  evaluation.apiServerP95Seconds = single(result.apiServerP95, 'apiserver_request_duration_seconds');

  const episodes = await findEpisodes(api, q.errorRate, o);
  if (episodes.ok) Object.assign(evaluation, episodes.data);
  return succeeded(evaluation, Date.now() - started);
}

function controllers(errors: SourceResult<Sample[]>, totals: SourceResult<Sample[]>): ControllerErrors[] {
  if (!totals.ok) return [];
  const errorsBy = new Map((errors.ok ? errors.data : []).map((s) => [s.labels.controller ?? '', s.value]));
  return totals.data
    .map((t) => {
      const controller = t.labels.controller ?? '';
      const errorsPerSecond = errorsBy.get(controller) ?? 0;
      return {
        controller,
        errorsPerSecond,
        reconcilesPerSecond: t.value,
        ...(t.value > 0 ? { errorRatio: errorsPerSecond / t.value } : {}),
      };
    })
    .sort((a, b) => b.errorsPerSecond - a.errorsPerSecond);
}

/**
 * When errors started: the runbook's expression over the look-back at a 1-minute step; the current
 * episode is the unbroken run above the threshold that reaches the evaluation time.
 */
async function findEpisodes(
  api: PrometheusApi,
  expr: string,
  o: PromqlOptions,
): Promise<SourceResult<Pick<MetricsEvaluation, 'startedAt' | 'lastEpisode' | 'errorRateSeries'>>> {
  const lookback = o.lookbackSeconds ?? 6 * 3600;
  const range = await api.queryRange(expr, new Date(o.at.getTime() - lookback * 1000), o.at, 60);
  if (!range.ok) return range;
  const points = range.data[0]?.points ?? [];
  const errorRateSeries = {
    stepSeconds: 60,
    points: points.map(([t, v]): [number, number | null] => [t, Number.isFinite(v) ? v : null]),
  };
  const isAbove = points.map(([, v]) => above(v, o.threshold));
  const iso = (t: number) => new Date(t * 1000).toISOString();
  const last = points.at(-1);
  const current =
    last !== undefined && isAbove.at(-1) === true && Math.abs(last[0] * 1000 - o.at.getTime()) <= 60_000;
  let i = points.length - 1;
  if (current) {
    while (i > 0 && isAbove[i - 1]) i--;
    return succeeded(
      { startedAt: iso((points[i] as [number, number])[0]), errorRateSeries },
      range.elapsedMs,
    );
  }
  // Not above now: the most recent episode that ended, if any.
  let end = points.length - 1;
  while (end >= 0 && !isAbove[end]) end--;
  if (end < 0) return succeeded({ startedAt: null, errorRateSeries }, range.elapsedMs);
  let start = end;
  while (start > 0 && isAbove[start - 1]) start--;
  const endedAt = points[end + 1]?.[0] ?? (points[end] as [number, number])[0];
  return succeeded(
    {
      startedAt: null,
      lastEpisode: { startedAt: iso((points[start] as [number, number])[0]), endedAt: iso(endedAt) },
      errorRateSeries,
    },
    range.elapsedMs,
  );
}
