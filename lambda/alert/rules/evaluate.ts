/**
 * An alerting rule evaluated at one instant with Prometheus's semantics, without keeping any state
 * of our own: one range query of the rule's expression, at the rule group's interval, over
 * [t − for − keep_firing_for − margin, t] gives the expression's result at every evaluation
 * Prometheus would have made on that grid, and replaying Prometheus's own state machine
 * (rules/alerting.go `AlertingRule.Eval`, v2.42) over them gives each alert's state at t:
 * instances keyed by their labels (the series' labels without `__name__`, the rule's labels, and
 * `alertname`), `activeAt` at the start of an unbroken presence, pending until it has been active
 * for `for` (`t − activeAt ≥ for`), then firing; a firing alert whose series vanishes keeps firing
 * while `keep_firing_for` has not passed since it first went missing, and otherwise is resolved
 * (and reported as such for 15 minutes, as Prometheus keeps sending it); a pending alert that
 * vanishes is simply gone. Absent and stale data are the query engine's: a series with no sample
 * within the 5-minute lookback is not in the result, and NaN compares false.
 *
 * ## Evaluating every few minutes instead of every interval
 * The checker runs on a schedule (every 5 minutes by default); Prometheus evaluates each group
 * every `interval` (30s or 1m for the operator's rules). Because the range query reconstructs every
 * past evaluation on the interval's grid, the schedule does not thin the evaluations out: a blip
 * that Prometheus would have seen at one evaluation is seen here too, and `for` is measured on
 * the same grid. What differs, and by how much:
 * - Grid alignment. The instant is rounded down to a multiple of the interval (`evaluatedAt`), and
 *   the grid runs through multiples of the interval; Prometheus offsets each group's grid by a hash
 *   of the group (less than one interval; `gridOffsetMs` takes a known one). So `activeAt`, the
 *   moment an alert fires and the moment it resolves are each found within one interval of
 *   Prometheus's, and exactly on the same grid (test/rules-oracle.test.ts): under 30s for the
 *   operator's critical and warning groups, under 60s for the info group. Measured
 *   (test/rules-schedule.test.ts, onsets at every phase, offsets 5s to 25s): the difference is the
 *   offset itself, 25s at most for a 25s offset.
 * - Notice. A transition is seen at the first cycle after it happened: up to one schedule period
 *   later than Prometheus sees it, plus the interval's rounding (bound: 5m30s on the default 5-minute
 *   schedule; measured worst 4m58s over eight schedule phases). The transition's own time (`firedAt`,
 *   `resolvedAt`) is reconstructed exactly, not the cycle's. An alert that fired and resolved between
 *   two cycles shows as resolved at the next one, with both times.
 * - Hindsight. The range query reads samples that arrived after the instant they carry (AMP's
 *   ingestion lag, typically seconds): Prometheus evaluating live would not have had them yet. The
 *   5-minute lookback hides a lag shorter than that for gauges; a rate over 5m ending at t may
 *   include one scrape more than the live evaluation did.
 * - Memory. Prometheus remembers an alert for as long as it runs; the checker looks back
 *   for + keep_firing_for + margin (the margin is 15 minutes, Prometheus's resolved retention, or
 *   `for` when longer). An alert active since before that window has its `activeAt` at the window's
 *   start (`activeAtTruncated`), unless the previous cycle's state carries the earlier one. Its state
 *   is Prometheus's: a run of presence ending at t decides it within `for`, a resolution within 15
 *   minutes plus `for`; one gap bridged by keep_firing_for before the window is absorbed by the
 *   margin. Only a chain of such gaps reaching further back than the window could differ.
 */
import { compileTemplate, labelsReferenced } from './template.js';
import { type AlertingRule, RESOLVED_RETENTION_MS } from './types.js';

/** A range query's series (the shape `PrometheusApi.queryRange` returns): points are [unix seconds, value]. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

/** A query's answer as a value; `SourceResult` from collect/ is one. */
export type QueryAnswer<T> =
  | { ok: true; data: T }
  | { ok: false; error: { kind?: string; status?: number; message: string } };

/** The port: `PrometheusApi.queryRange` (AMP or a Prometheus server) fits it as it is. */
export type RangeQuery = (
  expr: string,
  start: Date,
  end: Date,
  stepSeconds: number,
) => Promise<QueryAnswer<RangeSeries[]>>;

export type InstanceState = 'pending' | 'firing' | 'resolved';

/** One alert of a rule: a label set of the expression's result. */
export interface AlertInstance {
  /** The alert's identity, as Prometheus prints a label set: `{alertname="X", tenant="a"}`. */
  key: string;
  /** The series' labels (without `__name__`), the rule's labels, and `alertname`. */
  labels: Record<string, string>;
  state: InstanceState;
  /** When its current run of presence began (Prometheus's `activeAt`). */
  activeAt: string;
  /** True when it was present since the start of the window: it may have been active longer. */
  activeAtTruncated?: boolean;
  firedAt?: string;
  resolvedAt?: string;
  /** The expression's value at its last evaluation with a result (NaN is a value). */
  value: number;
  /** The rule's annotations rendered for this alert, as Alertmanager would receive them. */
  annotations: Record<string, string>;
}

export type RuleState = 'inactive' | 'pending' | 'firing' | 'resolved' | 'unknown';

export interface RuleEvaluation {
  rule: AlertingRule;
  /** The instant evaluated: the requested one rounded down to the rule's interval. */
  evaluatedAt: string;
  /** The strongest state of its alerts (firing > pending > resolved > inactive), or unknown. */
  state: RuleState;
  /** Why the state is unknown: the query failed, the server rejected the expression, … */
  reason?: string;
  /** Pending, firing and recently resolved alerts, firing first, then by value (largest first). */
  instances: AlertInstance[];
  /** What the rule's output shows wrong that does not stop the evaluation (templates, labels, errors at past evaluations). */
  problems: string[];
  /** The replayed evaluations. */
  window: { start: string; end: string; stepSeconds: number; evaluations: number };
}

/** An alert as a previous cycle recorded it (only what the grouping keeps is needed). */
export interface PreviousInstance {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

export interface PreviousRuleState {
  evaluatedAt: string;
  instances: PreviousInstance[];
}

export interface EvaluateOptions {
  at: Date;
  rangeQuery: RangeQuery;
  /** The previous cycle's alerts for this rule: earlier `activeAt`s, and alerts resolved since. */
  previous?: PreviousRuleState;
  /** History replayed beyond for + keep_firing_for (default: 15 minutes, Prometheus's resolved retention, or `for` when longer). */
  marginMs?: number;
  /**
   * Where the evaluation grid sits within the interval (default 0: multiples of the interval).
   * Prometheus offsets each group's grid by a hash of the group; a known offset can be given here.
   */
  gridOffsetMs?: number;
  externalLabels?: Record<string, string>;
  externalURL?: string;
}

export const DEFAULT_MARGIN_MS = RESOLVED_RETENTION_MS;

/** One evaluation's result: the expression's samples at that instant. */
export interface Step {
  ts: number;
  samples: { labels: Record<string, string>; value: number }[];
}

interface Identity {
  key: string;
  labels: Record<string, string>;
}

interface ActiveAlert {
  key: string;
  labels: Record<string, string>;
  /** The series' labels (with `__name__`) that the templates see. */
  sampleLabels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  keepFiringSince?: number;
  value: number;
}

/** A label set as Prometheus prints it, sorted by name: the alert's identity. */
export function labelKey(labels: Record<string, string>): string {
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(', ')}}`;
}

const templateCache = new WeakMap<AlertingRule, Map<string, ReturnType<typeof compileTemplate>>>();
function template(rule: AlertingRule, text: string) {
  let cache = templateCache.get(rule);
  if (!cache) {
    cache = new Map();
    templateCache.set(rule, cache);
  }
  let compiled = cache.get(text);
  if (!compiled) {
    compiled = compileTemplate(rule.name, text);
    cache.set(text, compiled);
  }
  return compiled;
}

export interface ReplayResult {
  active: Map<string, ActiveAlert>;
  /** Resolved alerts Prometheus stopped sending (15 minutes after they resolved): key → resolvedAt. */
  expired: Map<string, number>;
  /** The error of the last evaluation, when it failed (Prometheus leaves the state as it was). */
  lastError?: string;
  /** Errors of earlier evaluations, distinct. */
  errors: string[];
}

/**
 * Prometheus's AlertingRule.Eval applied to each step in turn, from no state: the pure core, fed
 * by a range query or, in tests, by hand.
 */
export function replay(
  rule: AlertingRule,
  steps: Step[],
  options: Pick<EvaluateOptions, 'externalLabels' | 'externalURL'> = {},
): ReplayResult {
  const active = new Map<string, ActiveAlert>();
  const expired = new Map<string, number>();
  const errors = new Set<string>();
  let lastError: string | undefined;
  const labelTemplates = Object.entries(rule.labels);
  const templated = labelTemplates.some(([, v]) => v.includes('{{'));
  // A series has the same labels at every step: without templated labels, its alert's are computed once.
  const identities = new WeakMap<Record<string, string>, Identity>();
  const identify = (sample: Step['samples'][number]): Identity => {
    const known = templated ? undefined : identities.get(sample.labels);
    if (known) return known;
    const labels: Record<string, string> = { ...sample.labels };
    delete labels.__name__;
    for (const [name, text] of labelTemplates) {
      const value = templated
        ? template(rule, text).render({
            labels: sample.labels,
            value: sample.value,
            ...(options.externalLabels ? { externalLabels: options.externalLabels } : {}),
            ...(options.externalURL ? { externalURL: options.externalURL } : {}),
          }).text
        : text;
      // labels.Builder.Set with an empty value deletes the label.
      if (value === '') delete labels[name];
      else labels[name] = value;
    }
    labels.alertname = rule.name;
    const identity = { key: labelKey(labels), labels };
    if (!templated) identities.set(sample.labels, identity);
    return identity;
  };
  for (const step of steps) {
    lastError = undefined;
    const ts = step.ts;
    // The evaluation's result: alert key → the sample behind it.
    const result = new Map<string, { identity: Identity; sample: Step['samples'][number] }>();
    let failed: string | undefined;
    for (const sample of step.samples) {
      const identity = identify(sample);
      if (result.has(identity.key)) {
        failed = 'vector contains metrics with the same labelset after applying alert labels';
        break;
      }
      result.set(identity.key, { identity, sample });
    }
    if (failed) {
      lastError = failed;
      errors.add(failed);
      continue;
    }
    for (const [key, { identity, sample }] of result) {
      expired.delete(key);
      const existing = active.get(key);
      if (existing && existing.state !== 'inactive') {
        existing.value = sample.value;
        existing.sampleLabels = sample.labels;
        continue;
      }
      active.set(key, {
        key,
        labels: identity.labels,
        sampleLabels: sample.labels,
        state: 'pending',
        activeAt: ts,
        value: sample.value,
      });
    }
    let activeOrPending = 0;
    for (const [key, alert] of active) {
      if (!result.has(key)) {
        let keepFiring = false;
        if (alert.state === 'firing' && rule.keepFiringForMs > 0) {
          if (alert.keepFiringSince === undefined) alert.keepFiringSince = ts;
          if (ts - alert.keepFiringSince < rule.keepFiringForMs) keepFiring = true;
        }
        if (
          alert.state === 'pending' ||
          (alert.resolvedAt !== undefined && ts - alert.resolvedAt > RESOLVED_RETENTION_MS)
        ) {
          active.delete(key);
          if (alert.state === 'inactive' && alert.resolvedAt !== undefined)
            expired.set(key, alert.resolvedAt);
        }
        if (alert.state !== 'inactive' && !keepFiring) {
          alert.state = 'inactive';
          alert.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else {
        alert.keepFiringSince = undefined;
      }
      activeOrPending++;
      if (alert.state === 'pending' && ts - alert.activeAt >= rule.forMs) {
        alert.state = 'firing';
        alert.firedAt = ts;
      }
    }
    if (rule.limit > 0 && activeOrPending > rule.limit) {
      active.clear();
      lastError = `exceeded limit of ${rule.limit} with ${activeOrPending} alerts`;
      errors.add(lastError);
    }
  }
  return { active, expired, errors: [...errors], ...(lastError ? { lastError } : {}) };
}

/** Turns a range query's series into one step per grid instant (missing points: not in the result). */
export function stepsFromSeries(
  series: RangeSeries[],
  startMs: number,
  stepMs: number,
  count: number,
): Step[] {
  const steps: Step[] = Array.from({ length: count }, (_, i) => ({ ts: startMs + i * stepMs, samples: [] }));
  for (const s of series) {
    for (const [t, v] of s.points) {
      const index = Math.round((Math.round(t * 1000) - startMs) / stepMs);
      const step = steps[index];
      if (step) step.samples.push({ labels: s.labels, value: v });
    }
  }
  return steps;
}

/** The reason a query failed, with the rule named: a rejected expression says it was rejected. */
function queryFailure(
  rule: AlertingRule,
  error: { kind?: string; status?: number; message: string },
): string {
  const where = `rule "${rule.name}" (group "${rule.group}")`;
  const apiError = /"errorType":"([^"]+)","error":"((?:\\.|[^"\\])*)"/.exec(error.message);
  if (error.status === 400 || error.status === 422 || apiError?.[1] === 'bad_data') {
    const detail = apiError ? `${apiError[1]}: ${JSON.parse(`"${apiError[2]}"`)}` : error.message;
    return `${where}: the Prometheus API rejected its expression: ${detail}`;
  }
  return `${where}: could not be evaluated: ${error.message}`;
}

const ORDER: Record<InstanceState, number> = { firing: 0, pending: 1, resolved: 2 };

/** Firing first, then pending, then resolved; larger values first (NaN last); then by labels. */
export function compareInstances(a: AlertInstance, b: AlertInstance): number {
  const byState = ORDER[a.state] - ORDER[b.state];
  if (byState !== 0) return byState;
  const av = Number.isNaN(a.value) ? Number.NEGATIVE_INFINITY : a.value;
  const bv = Number.isNaN(b.value) ? Number.NEGATIVE_INFINITY : b.value;
  if (av !== bv) return bv > av ? 1 : -1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function strongest(instances: AlertInstance[]): RuleState {
  if (instances.some((i) => i.state === 'firing')) return 'firing';
  if (instances.some((i) => i.state === 'pending')) return 'pending';
  if (instances.some((i) => i.state === 'resolved')) return 'resolved';
  return 'inactive';
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Evaluates one alerting rule at `options.at`. Never throws for a failing source: the rule is then
 * `unknown` with the reason, naming the rule.
 */
export async function evaluateRule(rule: AlertingRule, options: EvaluateOptions): Promise<RuleEvaluation> {
  const stepMs = rule.intervalMs;
  const offset = options.gridOffsetMs ?? 0;
  const endMs = Math.floor((options.at.getTime() - offset) / stepMs) * stepMs + offset;
  const marginMs = options.marginMs ?? Math.max(DEFAULT_MARGIN_MS, rule.forMs);
  const windowMs = rule.forMs + rule.keepFiringForMs + marginMs;
  const count = Math.ceil(windowMs / stepMs) + 1;
  const startMs = endMs - (count - 1) * stepMs;
  const window = { start: iso(startMs), end: iso(endMs), stepSeconds: stepMs / 1000, evaluations: count };
  const base = { rule, evaluatedAt: iso(endMs), window };
  const answer = await options.rangeQuery(
    rule.expr,
    new Date(startMs - rule.queryOffsetMs),
    new Date(endMs - rule.queryOffsetMs),
    stepMs / 1000,
  );
  if (!answer.ok) {
    return {
      ...base,
      state: 'unknown',
      reason: queryFailure(rule, answer.error),
      instances: [],
      problems: [...rule.problems],
    };
  }
  const steps = stepsFromSeries(answer.data, startMs - rule.queryOffsetMs, stepMs, count).map((s) => ({
    ...s,
    ts: s.ts + rule.queryOffsetMs,
  }));
  const result = replay(rule, steps, options);
  return finish(rule, result, { ...base, startMs, endMs }, options);
}

function finish(
  rule: AlertingRule,
  result: ReplayResult,
  base: { evaluatedAt: string; window: RuleEvaluation['window']; startMs: number; endMs: number },
  options: EvaluateOptions,
): RuleEvaluation {
  const problems = new Set(rule.problems);
  for (const error of result.errors) {
    if (error !== result.lastError) problems.add(`an earlier evaluation failed: ${error}`);
  }
  const previous = options.previous;
  const previousByKey = new Map(
    (previous?.instances ?? []).map((p) => [labelKey({ ...p.labels, alertname: rule.name }), p]),
  );
  const previousAt = previous ? Date.parse(previous.evaluatedAt) : Number.NaN;
  const instances: AlertInstance[] = [];
  for (const alert of result.active.values()) {
    const state: InstanceState = alert.state === 'inactive' ? 'resolved' : alert.state;
    let activeAt = alert.activeAt;
    let truncated = alert.activeAt === base.startMs && state !== 'resolved';
    const before = previousByKey.get(alert.key);
    // Present since the window's start, and active at the previous cycle inside the window: the
    // same run, which began when the previous cycle said.
    if (truncated && before && previousAt >= base.startMs && previousAt <= base.endMs) {
      activeAt = Math.min(activeAt, Date.parse(before.activeAt));
      truncated = false;
    }
    instances.push({
      key: alert.key,
      labels: alert.labels,
      state,
      activeAt: iso(activeAt),
      ...(truncated ? { activeAtTruncated: true } : {}),
      ...(alert.firedAt !== undefined ? { firedAt: iso(alert.firedAt) } : {}),
      ...(alert.resolvedAt !== undefined && state === 'resolved'
        ? { resolvedAt: iso(alert.resolvedAt) }
        : {}),
      value: alert.value,
      annotations: render(rule, alert, options, problems),
    });
  }
  // Firing at the previous cycle and no longer remembered: resolved more than 15 minutes ago (when
  // the replay saw it), or before the window began (then at the window's start at the latest).
  const seen = new Set(instances.map((i) => i.key));
  for (const [key, before] of previousByKey) {
    if (before.state !== 'firing' || seen.has(key)) continue;
    instances.push({
      key,
      labels: { ...before.labels, alertname: rule.name },
      state: 'resolved',
      activeAt: before.activeAt,
      resolvedAt: iso(result.expired.get(key) ?? base.startMs),
      value: Number.NaN,
      annotations: {},
    });
  }
  instances.sort(compareInstances);
  if (result.lastError) {
    return {
      rule,
      evaluatedAt: base.evaluatedAt,
      window: base.window,
      state: 'unknown',
      reason: `rule "${rule.name}" (group "${rule.group}"): the evaluation at ${base.evaluatedAt} failed: ${result.lastError}`,
      instances,
      problems: [...problems],
    };
  }
  return {
    rule,
    evaluatedAt: base.evaluatedAt,
    window: base.window,
    state: strongest(instances),
    instances,
    problems: [...problems],
  };
}

const referencedCache = new WeakMap<AlertingRule, Map<string, string[]>>();
/** The labels an annotation reads that the rule's own problems do not already mention. */
function referencedLabels(rule: AlertingRule, text: string): string[] {
  let cache = referencedCache.get(rule);
  if (!cache) {
    cache = new Map();
    referencedCache.set(rule, cache);
  }
  let labels = cache.get(text);
  if (!labels) {
    labels = labelsReferenced(text).filter((l) => !rule.problems.some((p) => p.includes(`$labels.${l}`)));
    cache.set(text, labels);
  }
  return labels;
}

function render(
  rule: AlertingRule,
  alert: ActiveAlert,
  options: EvaluateOptions,
  problems: Set<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(rule.annotations)) {
    const compiled = template(rule, text);
    const rendered = compiled.render({
      labels: alert.sampleLabels,
      value: alert.value,
      ...(options.externalLabels ? { externalLabels: options.externalLabels } : {}),
      ...(options.externalURL ? { externalURL: options.externalURL } : {}),
    });
    out[name] = rendered.text;
    // A template that does not parse is already among the rule's problems.
    if (rendered.error && !compiled.parseError) {
      problems.add(`annotation "${name}" cannot be rendered: ${rendered.error}`);
    }
    for (const label of referencedLabels(rule, text)) {
      if (!(label in alert.sampleLabels)) {
        problems.add(
          `annotation "${name}" reads $labels.${label}, which the expression's result does not carry: it renders empty`,
        );
      }
    }
  }
  return out;
}
