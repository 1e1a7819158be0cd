/**
 * The decision of one cycle, pure: from the snapshot and the alert's previous state to the findings,
 * the verdict, the alert's next state, the notice to deliver and the run to store. No I/O, no clock:
 * everything it needs comes in, so every branch is tested with plain objects.
 */
import { runChecks } from '../checks/index.js';
import type { AlertState, Notice } from '../model/alert.js';
import type { Finding } from '../model/finding.js';
import type { RunRecord } from '../model/run.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { Measured } from '../model/source.js';
import { sourceStates } from '../model/sources.js';
import type { Verdict } from '../model/verdict.js';
import { DEFAULT_LIFECYCLE, noticeToDeliver, transition } from './lifecycle.js';
import { applyMaintenance, type MaintenanceWindow } from './maintenance.js';
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

export function decide({ snapshot, previous, settings, at, runId, slot }: DecisionInput): Decision {
  const { threshold } = settings.alert;
  const findings = runChecks(snapshot, { threshold });
  const verdict = decideVerdict(snapshot, findings, threshold);
  const { errorRate, sustained } = errorRateOf(snapshot);
  const { next, notice } = transition(
    previous,
    { at, runId, errorRate, sustained, threshold, checkerBlind: isCheckerBlind(verdict) },
    { repeatIntervalSeconds: settings.alert.repeatInterval, ...DEFAULT_LIFECYCLE },
  );
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
  const deliver = quiet.deliver;
  if (quiet.held) next.held = quiet.held;
  else delete next.held;
  if (quiet.holding) delete next.pendingNotice;
  if (deliver) next.pendingNotice = deliver;
  const run: RunRecord = {
    cluster: snapshot.cluster,
    runId,
    at: at.toISOString(),
    slot,
    errorRate: verdict.errorRate,
    sustained: verdict.sustained,
    alert: { state: next.state, fingerprint: previous.fingerprint },
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
    ...(deliver ? { deliver } : {}),
    ...(quiet.holding ? { holding: quiet.holding } : {}),
    run,
  };
}
