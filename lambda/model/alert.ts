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

/** What was held during a window: kept with the alert's state until the window ends. */
export interface HeldNotices {
  window: string;
  windowStart: string;
  windowEnd: string;
  /** The kinds held, each once, in the order first held. */
  kinds: NoticeKind[];
  count: number;
  firstAt: string;
  lastAt: string;
  /** The firing the held notices were about, for a notice made from them later. */
  firing?: { firingRunId?: string; firingSince?: string };
}
