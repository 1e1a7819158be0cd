/**
 * Alerts grouped as Alertmanager groups them by default here (`group_by: [cluster, alertname]`,
 * plus any labels the caller adds): one group per cluster and rule, carrying what one notification
 * needs — the group's state, how many alerts are pending and firing, the common labels and
 * annotations, and the first few alerts (firing first, largest values first) — and a fingerprint
 * that is data, never text: sha256 of the cluster, the alert name and the group labels. A rule
 * with thousands of alerts (TenantNotReady on a big registry) is still one small group.
 */
import { createHash } from 'node:crypto';
import type { AlertInstance, InstanceState, RuleEvaluation, RuleState } from './evaluate.js';

/** Alerts listed in a group; the rest are counted. */
export const DEFAULT_TOP_INSTANCES = 10;
const MAX_PROBLEMS = 10;

export interface GroupedAlert {
  /** The alert's labels that the group's common labels do not already say. */
  labels: Record<string, string>;
  state: InstanceState;
  activeAt: string;
  firedAt?: string;
  resolvedAt?: string;
  value: number;
  /** Its rendered summary, when the rule has one. */
  summary?: string;
}

export interface AlertGroup {
  cluster: string;
  alertname: string;
  /** Labels grouped by beyond the cluster and the alert name (none by default). */
  groupLabels: Record<string, string>;
  /** sha256 of cluster, alertname and group labels (16 hex digits): stable for the group's life. */
  fingerprint: string;
  state: RuleState;
  /** Why the state is unknown. */
  reason?: string;
  /** The rule's `severity` label (or the alerts' common one). */
  severity?: string;
  evaluatedAt: string;
  /** Alerts pending or firing. */
  instances: number;
  counts: Record<InstanceState, number>;
  /** The earliest `activeAt` of the firing alerts (of the pending ones when none fires). */
  activeAt?: string;
  /** The earliest time one of the alerts fired. */
  firedAt?: string;
  /** When the last alert resolved, once all have. */
  resolvedAt?: string;
  /** Labels and annotations every alert of the group shares (Alertmanager's CommonLabels/CommonAnnotations). */
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  /** The first alert's annotations: the summary and description a message leads with. */
  leadAnnotations: Record<string, string>;
  /** The first alerts, firing first; `more` counts the others. */
  top: GroupedAlert[];
  more: number;
  /** The rule's problems (templates, known defects), at most ten. */
  problems: string[];
}

export interface GroupingOptions {
  /** Labels to group by beyond cluster and alertname (Alertmanager's `group_by`). */
  groupBy?: string[];
  /** How many alerts a group lists (default 10). */
  top?: number;
}

/** The group's fingerprint; with no group labels it is the runbook alert's (lifecycle.ts `fingerprint`). */
export function groupFingerprint(
  cluster: string,
  alertname: string,
  groupLabels: Record<string, string> = {},
): string {
  const hash = createHash('sha256').update(`${cluster}\u0000${alertname}`);
  for (const name of Object.keys(groupLabels).sort()) hash.update(`\u0000${name}=${groupLabels[name]}`);
  return hash.digest('hex').slice(0, 16);
}

function common(maps: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  const out: Record<string, string> = { ...first };
  for (const map of rest) {
    for (const key of Object.keys(out)) if (map[key] !== out[key]) delete out[key];
    if (Object.keys(out).length === 0) break;
  }
  return out;
}

function earliest(values: (string | undefined)[]): string | undefined {
  return values.filter((v): v is string => v !== undefined).sort()[0];
}

function latest(values: (string | undefined)[]): string | undefined {
  return values
    .filter((v): v is string => v !== undefined)
    .sort()
    .at(-1);
}

function buildGroup(
  cluster: string,
  evaluation: RuleEvaluation,
  groupLabels: Record<string, string>,
  instances: AlertInstance[],
  top: number,
): AlertGroup {
  const { rule } = evaluation;
  const counts: Record<InstanceState, number> = { firing: 0, pending: 0, resolved: 0 };
  for (const i of instances) counts[i.state]++;
  const commonLabels = common(instances.map((i) => i.labels));
  if (instances.length === 0) Object.assign(commonLabels, rule.labels, { alertname: rule.name });
  const commonAnnotations = common(instances.map((i) => i.annotations));
  const state: RuleState =
    evaluation.state === 'unknown'
      ? 'unknown'
      : counts.firing > 0
        ? 'firing'
        : counts.pending > 0
          ? 'pending'
          : counts.resolved > 0
            ? 'resolved'
            : 'inactive';
  const firing = instances.filter((i) => i.state === 'firing');
  const pending = instances.filter((i) => i.state === 'pending');
  const severity = rule.labels.severity ?? commonLabels.severity;
  const listed = instances.slice(0, top).map((i): GroupedAlert => {
    const labels = Object.fromEntries(
      Object.entries(i.labels).filter(([k]) => commonLabels[k] === undefined),
    );
    return {
      labels,
      state: i.state,
      activeAt: i.activeAt,
      ...(i.firedAt ? { firedAt: i.firedAt } : {}),
      ...(i.resolvedAt ? { resolvedAt: i.resolvedAt } : {}),
      value: i.value,
      ...(i.annotations.summary !== undefined ? { summary: i.annotations.summary } : {}),
    };
  });
  const activeAt = earliest((firing.length > 0 ? firing : pending).map((i) => i.activeAt));
  const firedAt = earliest(firing.map((i) => i.firedAt));
  const resolvedAt = state === 'resolved' ? latest(instances.map((i) => i.resolvedAt)) : undefined;
  return {
    cluster,
    alertname: rule.name,
    groupLabels,
    fingerprint: groupFingerprint(cluster, rule.name, groupLabels),
    state,
    ...(evaluation.reason ? { reason: evaluation.reason } : {}),
    ...(severity ? { severity } : {}),
    evaluatedAt: evaluation.evaluatedAt,
    instances: counts.firing + counts.pending,
    counts,
    ...(activeAt ? { activeAt } : {}),
    ...(firedAt ? { firedAt } : {}),
    ...(resolvedAt ? { resolvedAt } : {}),
    commonLabels,
    commonAnnotations,
    leadAnnotations: instances[0]?.annotations ?? {},
    top: listed,
    more: Math.max(instances.length - listed.length, 0),
    problems: evaluation.problems.slice(0, MAX_PROBLEMS),
  };
}

/**
 * The groups of one rule's evaluation. A rule with no alerts is one inactive group (so every
 * evaluated rule is reported); with `groupBy`, a rule's alerts split by those labels' values.
 */
export function groupAlerts(
  cluster: string,
  evaluation: RuleEvaluation,
  options: GroupingOptions = {},
): AlertGroup[] {
  const groupBy = [...new Set(options.groupBy ?? [])]
    .filter((l) => l !== 'cluster' && l !== 'alertname')
    .sort();
  const top = options.top ?? DEFAULT_TOP_INSTANCES;
  if (groupBy.length === 0 || evaluation.instances.length === 0) {
    return [buildGroup(cluster, evaluation, {}, evaluation.instances, top)];
  }
  const byKey = new Map<string, { labels: Record<string, string>; instances: AlertInstance[] }>();
  for (const instance of evaluation.instances) {
    const labels = Object.fromEntries(groupBy.map((l) => [l, instance.labels[l] ?? '']));
    const key = JSON.stringify(labels);
    let group = byKey.get(key);
    if (!group) {
      group = { labels, instances: [] };
      byKey.set(key, group);
    }
    group.instances.push(instance);
  }
  return [...byKey.values()].map((g) => buildGroup(cluster, evaluation, g.labels, g.instances, top));
}
