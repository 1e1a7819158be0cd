/**
 * The decision of one cycle, pure: from the snapshot and the alert's previous state to the findings,
 * the verdict, the alert's next state, the notice to deliver and the run to store. No I/O, no clock:
 * everything it needs comes in, so every branch is tested with plain objects.
 */
import { runChecks } from '../checks/index.js';
import type { AlertState, AlertSummary, Notice } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { RunRecord } from '../model/run.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { Measured } from '../model/source.js';
import { sourceStates } from '../model/sources.js';
import type { Verdict } from '../model/verdict.js';
import { DEFAULT_LIFECYCLE, noticeToDeliver, transition } from './lifecycle.js';
import { applyMaintenance, type MaintenanceWindow } from './maintenance.js';
import { compareSummaries, initialGroupState, summarizeGroup, transitionGroup } from './rule-groups.js';
import type { RuleEvaluation } from './rules/evaluate.js';
import { type AlertGroup, groupAlerts } from './rules/grouping.js';
import { decideVerdict } from './verdict.js';

/** The settings the decision reads: the alert's rule and how long runs are kept. */
export interface DecisionSettings {
  alert: { name: string; threshold: number; for: number; repeatInterval: number };
  retentionDays: number;
  /** The cluster's maintenance windows: notices are held inside them. */
  maintenance?: readonly MaintenanceWindow[];
}

export interface DecisionInput {
  snapshot: ClusterSnapshot;
  /** The alert's state as stored (or the initial state of a new alert). */
  previous: AlertState;
  settings: DecisionSettings;
  at: Date;
  runId: string;
  /** The schedule's slot this run belongs to. */
  slot: string;
  /** The alerting rules evaluated this cycle (absent when none are configured). */
  rules?: { evaluations: RuleEvaluation[]; notices: string[] };
  /** The stored states of the rules' groups, by fingerprint. */
  previousGroups?: Record<string, AlertState>;
}

/** One alerting rule's group this cycle: its state before and after, and what to deliver. */
export interface GroupDecision {
  group: AlertGroup;
  previous: AlertState;
  next: AlertState;
  deliver?: Notice & { slot: string; runId: string };
  holding?: { kind: Notice['kind']; until: string; window: string };
}

export interface Decision {
  findings: Finding[];
  verdict: Verdict;
  /** The alert's next state, with the notice to deliver recorded as pending. */
  next: AlertState;
  /** What to deliver this cycle (a pending notice from an earlier cycle comes first). */
  deliver?: Notice & { slot: string; runId: string };
  /** Set when a maintenance window holds this cycle's notice. */
  holding?: { kind: Notice['kind']; until: string; window: string };
  /** Every evaluated rule's groups, firing first. */
  groups: GroupDecision[];
  /** What the rules' evaluation said once for all (rules the metrics source cannot evaluate). */
  ruleNotices: string[];
  run: RunRecord;
}

/** The checker cannot diagnose: it cannot reach the cluster, or may read little of it. */
function isCheckerBlind(verdict: Verdict): boolean {
  return (
    verdict.checker !== undefined &&
    verdict.checker.problem !== 'partly-forbidden' &&
    verdict.checker.problem !== 'throttled'
  );
}

function errorRateOf(snapshot: ClusterSnapshot): { errorRate: Measured; sustained: boolean } {
  if (!snapshot.metrics.ok)
    return { errorRate: { state: 'unknown', reason: snapshot.metrics.error.message }, sustained: false };
  return { errorRate: snapshot.metrics.data.errorRate, sustained: snapshot.metrics.data.sustained };
}

export function decide({
  snapshot,
  previous,
  settings,
  at,
  runId,
  slot,
  rules,
  previousGroups,
}: DecisionInput): Decision {
  const { threshold } = settings.alert;
  const findings = runChecks(snapshot, { threshold });
  const verdict = decideVerdict(snapshot, findings, threshold);
  const { errorRate, sustained } = errorRateOf(snapshot);
  const { next, notice } = transition(
    previous,
    { at, runId, errorRate, sustained, threshold, checkerBlind: isCheckerBlind(verdict) },
    { repeatIntervalSeconds: settings.alert.repeatInterval, ...DEFAULT_LIFECYCLE },
  );
  const quiet = quieten(previous, next, notice, settings, at, slot, runId);
  // The runbook's alert is the primary one: a rule of the same name is the same alert, evaluated above.
  const evaluations = (rules?.evaluations ?? []).filter((e) => e.rule.name !== settings.alert.name);
  const groups = decideGroups(snapshot.cluster, evaluations, previousGroups ?? {}, {
    settings,
    at,
    slot,
    runId,
  });
  const alerts = [
    runbookSummary(settings.alert.name, next),
    ...groups.map((g) => summarizeGroup(g.group)),
  ].sort(compareSummaries);
  const run: RunRecord = {
    cluster: snapshot.cluster,
    runId,
    at: at.toISOString(),
    slot,
    errorRate: verdict.errorRate,
    sustained: verdict.sustained,
    alert: { state: next.state, fingerprint: previous.fingerprint },
    alerts,
    causes: verdict.causes,
    findings,
    sources: sourceStates(snapshot),
    coverage: verdict.coverage,
    expiresAt: Math.floor(at.getTime() / 1000) + settings.retentionDays * 86_400,
  };
  return {
    findings,
    verdict,
    next,
    ...(quiet.deliver ? { deliver: quiet.deliver } : {}),
    ...(quiet.holding ? { holding: quiet.holding } : {}),
    groups,
    ruleNotices: rules?.notices ?? [],
    run,
  };
}

type Quiet = Pick<GroupDecision, 'deliver' | 'holding'>;

/**
 * The notice to deliver, unless a maintenance window holds it: sets the state's pending notice and
 * what is held, as the window decides. The same for the runbook's alert and every rule's group.
 */
function quieten(
  previous: AlertState,
  next: AlertState,
  notice: Notice | undefined,
  settings: DecisionSettings,
  at: Date,
  slot: string,
  runId: string,
): Quiet {
  // Inside a maintenance window the notice is held; after it, what was held is reported once.
  const quiet = applyMaintenance({
    windows: settings.maintenance ?? [],
    at,
    state: next.state,
    firing: {
      ...(next.firingRunId ? { firingRunId: next.firingRunId } : {}),
      ...(next.firingSince ? { firingSince: next.firingSince } : {}),
    },
    ...(previous.held ? { held: previous.held } : {}),
    deliver: noticeToDeliver(previous, notice, slot, runId),
    slot,
    runId,
  });
  if (quiet.held) next.held = quiet.held;
  else delete next.held;
  if (quiet.holding) delete next.pendingNotice;
  if (quiet.deliver) next.pendingNotice = quiet.deliver;
  return {
    ...(quiet.deliver ? { deliver: quiet.deliver } : {}),
    ...(quiet.holding ? { holding: quiet.holding } : {}),
  };
}

function decideGroups(
  cluster: string,
  evaluations: RuleEvaluation[],
  stored: Record<string, AlertState>,
  c: { settings: DecisionSettings; at: Date; slot: string; runId: string },
): GroupDecision[] {
  const out: GroupDecision[] = [];
  for (const evaluation of evaluations) {
    for (const group of groupAlerts(cluster, evaluation)) {
      const previous = stored[group.fingerprint] ?? initialGroupState(group, c.at);
      const { next, notice } = transitionGroup(previous, group, evaluation, {
        at: c.at,
        runId: c.runId,
        repeatIntervalSeconds: c.settings.alert.repeatInterval,
      });
      const quiet = quieten(previous, next, notice, c.settings, c.at, c.slot, c.runId);
      out.push({ group, previous, next, ...quiet });
    }
  }
  return out;
}

/** The runbook's alert among the rules' groups. */
function runbookSummary(name: string, state: AlertState): AlertSummary {
  const live = state.state === 'firing' || state.state === 'pending';
  return {
    name,
    severity: 'warning',
    state: state.state === 'blind' ? 'unknown' : state.state,
    instances: live ? 1 : 0,
    activeAt: state.state === 'firing' ? (state.firingSince ?? state.since) : live ? state.since : null,
    fingerprint: state.fingerprint,
    ...(state.state === 'blind'
      ? { reason: 'the checker could not evaluate the error rate for several cycles (blind)' }
      : {}),
    source: 'runbook',
  };
}
