/**
 * Alerting rules as data, in Prometheus's own terms (rules/alerting.go): a rule is a name, an
 * expression, `for`, `keep_firing_for`, labels and annotation templates, evaluated on its group's
 * interval. Times are milliseconds, as Prometheus keeps them.
 */

export interface AlertingRule {
  kind: 'alerting';
  /** The `alert:` name; also the `alertname` label of its alerts. */
  name: string;
  /** The rule group it belongs to. */
  group: string;
  /** Its position in the group, from 1, as Prometheus numbers rules in its errors. */
  index: number;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  /** The rule's labels (the group's `labels` merged under them), templates allowed. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The group's evaluation interval (Prometheus's default, 1m, when the group names none). */
  intervalMs: number;
  /** The group's `limit` on alerts (0: none). */
  limit: number;
  /** The group's `query_offset`: each evaluation queries this much earlier. */
  queryOffsetMs: number;
  /**
   * What is wrong with the rule that does not stop it being evaluated: a template Prometheus would
   * refuse (`promtool check rules` rejects the file), a known defect of the shipped rules.
   */
  problems: string[];
}

export interface RecordingRule {
  kind: 'recording';
  name: string;
  group: string;
  index: number;
  expr: string;
  labels: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  intervalMs: number;
  limit: number;
  queryOffsetMs: number;
  rules: (AlertingRule | RecordingRule)[];
}

/** The rules from one file (a PrometheusRule resource or a Prometheus rule file). */
export interface RuleSet {
  /** Where they came from (a path, or `embedded:tenant-operator`). */
  source: string;
  groups: RuleGroup[];
  /** Every alerting rule of every group, in file order: what the checker evaluates. */
  alerting: AlertingRule[];
  /** Recording rules are read but not evaluated; one line says so. */
  notices: string[];
}

/** The metrics source a cluster is configured with (as `MetricsSourceKind` in collect/metrics). */
export type RuleSourceKind = 'amp' | 'prometheus' | 'scrape';

/** Prometheus's evaluation interval when a group names none (`global.evaluation_interval`). */
export const DEFAULT_INTERVAL_MS = 60_000;
/** How long Prometheus keeps sending a resolved alert (rules/alerting.go `resolvedRetention`). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;
/** The query engine's lookback: a series with no sample for this long is absent. */
export const LOOKBACK_DELTA_MS = 5 * 60_000;
