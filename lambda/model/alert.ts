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
}
