/**
 * What the metrics say, whichever source they came from: the runbook's error rate now, whether it
 * held above the threshold for the whole `for` window, the signals the runbook's alert misses, when
 * the errors started, and the operator's own health gauges. A value that cannot be known is
 * `unknown` with the reason (no traffic, absent or stale series, a source that could not be read),
 * never a healthy number.
 */
import type { Measured } from './source.js';

export type MetricsSourceKind = 'amp' | 'prometheus' | 'scrape';

export interface ControllerErrors {
  controller: string;
  /** Failed reconciles per second (controller_runtime_reconcile_errors_total). */
  errorsPerSecond: number;
  /** All reconciles per second (controller_runtime_reconcile_total). */
  reconcilesPerSecond: number;
  /** errorsPerSecond / reconcilesPerSecond, when there were reconciles. */
  errorRatio?: number;
}

export interface MetricsEvaluation {
  source: MetricsSourceKind;
  /** The instant the expressions were evaluated at. */
  evaluatedAt: string;
  threshold: number;
  forSeconds: number;
  /** The runbook's expression, exactly: error reconciles over all reconciles, rates over 5m. */
  errorRate: Measured;
  /** True when the expression stayed above the threshold at every evaluation over the `for` window. */
  sustained: boolean;
  /** Why `sustained` is false when the rate is above the threshold now (a spike, too little history). */
  sustainedReason?: string;
  /** The lowest value over the window and how many evaluations it saw. */
  window?: { min?: number; points: number; expectedPoints: number };
  /** All reconciles per second (traffic); 0 means the ratio is 0/0. */
  reconcilesPerSecond: Measured;
  /** The runbook's "total errors per minute". */
  errorsPerMinute: Measured;
  /** Share of reconciles that ended `partial_failure`: failures the runbook's `result="error"` does not count. */
  partialFailureShare: Measured;
  /** controller-runtime's own ratio of failed reconciles, and by controller (the runbook's "errors by controller"). */
  controllerErrorRatio: Measured;
  byController: ControllerErrors[];
  /** Signals over the threshold while the runbook's ratio is not: the runbook's alert would stay silent. */
  alertBlind?: { reasons: string[] };
  /** When the current episode of the rate above the threshold began (null: the rate is not above now). */
  startedAt?: string | null;
  /** The last episode that ended, when none is running. */
  lastEpisode?: { startedAt: string; endedAt: string };
  /**
   * The runbook's expression over the look-back (6 h at a 1-minute step from Prometheus, the kept
   * scrape intervals otherwise): `[epoch seconds, ratio]`, null where it was 0/0 or absent. For the chart.
   */
  errorRateSeries?: { stepSeconds: number; points: [number, number | null][] };
  /** Evidence for the checks; absent when the source does not carry the metric. */
  workqueue?: { depth?: number; unfinishedWorkSeconds?: number; longestRunningSeconds?: number };
  restClient?: { requestsPerSecond?: number; throttledPerSecond?: number };
  process?: { residentMemoryBytes?: number; goroutines?: number };
  /** The runbook's `rate(kube_pod_container_status_restarts_total[5m])`, summed over the operator's pods. */
  podRestartsPerSecond?: Measured;
  /** The runbook's p95 of apiserver_request_duration_seconds over 5m, in seconds. */
  apiServerP95Seconds?: Measured;
  /** A scrape's first sample: rates need a second one, so nothing is known yet. */
  warmingUp?: boolean;
}

/** Above the threshold, as Prometheus compares: NaN never is. */
export function above(value: number | undefined, threshold: number): boolean {
  return value !== undefined && Number.isFinite(value) && value > threshold;
}

/** Counter values by series key, per pod. */
export interface ScrapeSample {
  at: string;
  pods: Record<string, Record<string, number>>;
  /** Pods whose scrape could not be read: no counters (unknown, not zero); their next good scrape is a new baseline. */
  refused?: string[];
}

export interface ScrapeInterval {
  from: string;
  to: string;
  /** The runbook's ratio over the interval; null for 0/0 (no reconciles). */
  errorRate: number | null;
}

/** What one scrape leaves for the next: the sample and the recent intervals. */
export interface ScrapeState {
  sample: ScrapeSample;
  history: ScrapeInterval[];
}

/** What a source keeps between cycles (only the scrape source keeps anything). */
export interface MetricsState {
  scrape?: ScrapeState;
}
