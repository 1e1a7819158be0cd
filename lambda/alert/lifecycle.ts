/**
 * The alert's life, like a Prometheus rule with Alertmanager behind it, as a pure function:
 * inactive → pending (above the threshold) → firing (above for the whole `for` window) → resolved
 * (below for `resolveAfterCycles` cycles in a row: hysteresis against flapping) → inactive. A firing
 * alert repeats every repeat interval. When the error rate cannot be evaluated for
 * `blindAfterCycles` cycles in a row, the checker is blind, and says so: an outage of the API server
 * or Prometheus must page, not go silent.
 */
import { createHash } from 'node:crypto';
import type { Measured } from '../collect/metrics/evaluation.js';
import type { HeldNotices } from './maintenance.js';

export type AlertStateName = 'inactive' | 'pending' | 'firing' | 'resolved' | 'blind';

export interface AlertState {
  cluster: string;
  fingerprint: string;
  state: AlertStateName;
  /** When the current state was entered. */
  since: string;
  /** The run that started the current firing, and when. */
  firingRunId?: string;
  firingSince?: string;
  /** Set only once a notification was delivered: an undelivered one is retried, never forgotten. */
  lastNotifiedAt?: string;
  /** A notice decided but not yet delivered (a failed publish, an invocation that died): sent again first. */
  pendingNotice?: Notice & { slot: string; runId: string };
  /** Notices held during a maintenance window, until the window ends (alert/maintenance.ts). */
  held?: HeldNotices;
  unknownStreak: number;
  belowStreak: number;
  /** Optimistic concurrency: bumped on every write. */
  version: number;
}

export type NoticeKind = 'firing' | 'repeat' | 'resolved' | 'blind' | 'unblind';

export interface Notice {
  kind: NoticeKind;
  /** For resolved: the firing it ends. */
  firingRunId?: string;
  firingSince?: string;
  /** What was held during a maintenance window that has ended, reported by this notice. */
  held?: HeldNotices;
}

/**
 * The notice to deliver this cycle: a pending (undelivered) one is delivered first, unless this
 * cycle decided a different kind (a resolved or blind notice supersedes an undelivered firing).
 */
export function noticeToDeliver(
  previous: AlertState,
  decided: Notice | undefined,
  slot: string,
  runId: string,
): (Notice & { slot: string; runId: string }) | undefined {
  const pending = previous.pendingNotice;
  if (pending && (!decided || decided.kind === 'repeat' || decided.kind === pending.kind)) return pending;
  return decided ? { ...decided, slot, runId } : undefined;
}

export interface Observation {
  at: Date;
  runId: string;
  errorRate: Measured;
  sustained: boolean;
  threshold: number;
}

export interface LifecycleSettings {
  repeatIntervalSeconds: number;
  blindAfterCycles: number;
  resolveAfterCycles: number;
}

export const DEFAULT_LIFECYCLE = { blindAfterCycles: 3, resolveAfterCycles: 2 };

/** Stable: the cluster and the alert's name, never free text. */
export function fingerprint(cluster: string, alertName: string): string {
  return createHash('sha256').update(`${cluster}\u0000${alertName}`).digest('hex').slice(0, 16);
}

export function initialState(cluster: string, alertName: string, at: Date): AlertState {
  return {
    cluster,
    fingerprint: fingerprint(cluster, alertName),
    state: 'inactive',
    since: at.toISOString(),
    unknownStreak: 0,
    belowStreak: 0,
    version: 0,
  };
}

export function transition(
  previous: AlertState,
  o: Observation,
  s: LifecycleSettings,
): { next: AlertState; notice?: Notice } {
  const at = o.at.toISOString();
  const next: AlertState = { ...previous, version: previous.version + 1 };
  const enter = (state: AlertStateName) => {
    if (next.state !== state) next.since = at;
    next.state = state;
  };
  const due =
    !previous.lastNotifiedAt ||
    o.at.getTime() - Date.parse(previous.lastNotifiedAt) >= s.repeatIntervalSeconds * 1000;
  const notify = (notice: Notice) => ({ next, notice });

  if (o.errorRate.state === 'unknown') {
    next.unknownStreak = previous.unknownStreak + 1;
    if (previous.state === 'firing') return due ? notify({ kind: 'repeat', ...firing(previous) }) : { next };
    if (previous.state === 'blind') return due ? notify({ kind: 'blind' }) : { next };
    if (next.unknownStreak >= s.blindAfterCycles) {
      enter('blind');
      return notify({ kind: 'blind' });
    }
    return { next };
  }

  next.unknownStreak = 0;
  const above = o.errorRate.value > o.threshold;
  const notice: Notice | undefined = previous.state === 'blind' ? { kind: 'unblind' } : undefined;
  if (previous.state === 'blind') enter('inactive');

  if (above && o.sustained) {
    next.belowStreak = 0;
    if (previous.state !== 'firing') {
      enter('firing');
      next.firingRunId = o.runId;
      next.firingSince = at;
      return notify({ kind: 'firing', firingRunId: o.runId, firingSince: at });
    }
    return due ? notify({ kind: 'repeat', ...firing(previous) }) : { next };
  }
  if (above) {
    next.belowStreak = 0;
    if (previous.state !== 'firing' && previous.state !== 'pending') enter('pending');
    if (previous.state === 'firing' && due) return notify({ kind: 'repeat', ...firing(previous) });
    return notice ? notify(notice) : { next };
  }
  // Below the threshold.
  next.belowStreak = previous.belowStreak + 1;
  if (previous.state === 'firing') {
    if (next.belowStreak >= s.resolveAfterCycles) {
      enter('resolved');
      const ended = firing(previous);
      delete next.firingRunId;
      delete next.firingSince;
      return notify({ kind: 'resolved', ...ended });
    }
    return { next };
  }
  enter('inactive');
  return notice ? notify(notice) : { next };
}

function firing(state: AlertState): Pick<Notice, 'firingRunId' | 'firingSince'> {
  return {
    ...(state.firingRunId ? { firingRunId: state.firingRunId } : {}),
    ...(state.firingSince ? { firingSince: state.firingSince } : {}),
  };
}
