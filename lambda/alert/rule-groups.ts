/**
 * The notification life of an alerting rule's groups, as Alertmanager gives it by default
 * (`group_by: [cluster, alertname]`): one message when a group starts firing, a repeat every
 * `repeatInterval` while it fires, one resolved message when its last firing alert resolves.
 * Pending alerts are not sent (Prometheus does not send them to Alertmanager), so a group whose
 * firing alerts resolve while others are still pending is resolved. An evaluation that failed
 * (`unknown`) leaves the group as it was, as Prometheus leaves a rule's state on a failed
 * evaluation; the runbook's own alert says when the checker is blind.
 *
 * Pure: the rule's evaluation and the group's stored state in, the next state and the notice out.
 * The state is the runbook alert's `AlertState` (same store, same conditional writes and claims),
 * keyed by the group's fingerprint, with `rule` remembering the alerts' `activeAt`s.
 */
import {
  type AlertState,
  type AlertSummary,
  MAX_REMEMBERED_INSTANCES,
  type Notice,
  type RuleGroupState,
} from '../model/alert.js';
import { initialState } from './lifecycle.js';
import type { PreviousRuleState, RuleEvaluation } from './rules/evaluate.js';
import type { AlertGroup } from './rules/grouping.js';

export interface GroupTransition {
  next: AlertState;
  notice?: Notice;
}

/** The stored state a group starts from: the runbook alert's initial state under the group's fingerprint. */
export function initialGroupState(group: AlertGroup, at: Date): AlertState {
  return { ...initialState(group.cluster, group.alertname, at), fingerprint: group.fingerprint };
}

/** What the group's state remembers of the evaluation: the pending and firing alerts, at most 50. */
function memory(group: AlertGroup, evaluation: RuleEvaluation): NonNullable<AlertState['rule']> {
  const live = evaluation.instances.filter(
    (i): i is typeof i & { state: 'pending' | 'firing' } => i.state === 'pending' || i.state === 'firing',
  );
  return {
    name: group.alertname,
    ...(group.severity ? { severity: group.severity } : {}),
    evaluatedAt: evaluation.evaluatedAt,
    instances: live
      .slice(0, MAX_REMEMBERED_INSTANCES)
      .map(({ labels, state, activeAt }) => ({ labels, state, activeAt })),
    count: group.instances,
  };
}

/** The previous cycle's alerts of a rule, for the next evaluation's earlier `activeAt`s. */
export function previousRuleState(state: AlertState | undefined): PreviousRuleState | undefined {
  if (!state?.rule) return undefined;
  return { evaluatedAt: state.rule.evaluatedAt, instances: state.rule.instances };
}

export function transitionGroup(
  previous: AlertState,
  group: AlertGroup,
  evaluation: RuleEvaluation,
  o: { at: Date; runId: string; repeatIntervalSeconds: number },
): GroupTransition {
  const at = o.at.toISOString();
  const next: AlertState = { ...previous, version: previous.version + 1 };
  if (group.state === 'unknown') return { next };
  next.rule = memory(group, evaluation);
  next.unknownStreak = 0;
  const enter = (state: AlertState['state']) => {
    if (next.state !== state) next.since = at;
    next.state = state;
  };
  const wasFiring = previous.state === 'firing';
  if (group.state === 'firing') {
    if (!wasFiring) {
      enter('firing');
      next.firingRunId = o.runId;
      next.firingSince = group.firedAt ?? at;
      return { next, notice: { kind: 'firing', firingRunId: o.runId, firingSince: next.firingSince } };
    }
    const due =
      !previous.lastNotifiedAt ||
      o.at.getTime() - Date.parse(previous.lastNotifiedAt) >= o.repeatIntervalSeconds * 1000;
    return due ? { next, notice: { kind: 'repeat', ...firingOf(previous) } } : { next };
  }
  // Pending, resolved or inactive: a group that fired has resolved (pending alerts are not sent).
  const ended = firingOf(previous);
  delete next.firingRunId;
  delete next.firingSince;
  if (wasFiring) {
    enter(group.state === 'pending' ? 'pending' : 'resolved');
    return { next, notice: { kind: 'resolved', ...ended } };
  }
  enter(group.state === 'pending' ? 'pending' : group.state === 'resolved' ? 'resolved' : 'inactive');
  return { next };
}

function firingOf(state: AlertState): Pick<Notice, 'firingRunId' | 'firingSince'> {
  return {
    ...(state.firingRunId ? { firingRunId: state.firingRunId } : {}),
    ...(state.firingSince ? { firingSince: state.firingSince } : {}),
  };
}

/** A group as the run's record and the CLI's JSON list it. */
export function summarizeGroup(group: AlertGroup): AlertSummary {
  return {
    name: group.alertname,
    severity: group.severity ?? null,
    state: group.state,
    instances: group.instances,
    activeAt: group.activeAt ?? null,
    fingerprint: group.fingerprint,
    ...(group.reason ? { reason: group.reason } : {}),
    source: 'rule',
  };
}

const ORDER: Record<RuleGroupState, number> = { firing: 0, pending: 1, unknown: 2, resolved: 3, inactive: 4 };

/** Firing first, then pending, unknown, resolved, inactive; by severity, then by name within each. */
export function compareSummaries(a: AlertSummary, b: AlertSummary): number {
  const severity = (s: string | null) => ({ critical: 0, warning: 1, info: 2 })[s ?? ''] ?? 3;
  return (
    ORDER[a.state] - ORDER[b.state] ||
    severity(a.severity) - severity(b.severity) ||
    a.name.localeCompare(b.name)
  );
}
