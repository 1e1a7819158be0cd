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
  /** Set on the state of an alerting rule's group (not on the runbook's alert). */
  rule?: RuleMemory;
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

/** The states an alerting rule's group can be in (the runbook's alert maps onto them). */
export type RuleGroupState = 'inactive' | 'pending' | 'firing' | 'resolved' | 'unknown';

/**
 * What a rule group's stored state remembers of its alerts between cycles: the earliest `activeAt`
 * of each pending or firing alert (the range query only looks back so far). At most
 * `MAX_REMEMBERED_INSTANCES`, so that a group of thousands stays one small item.
 */
export interface RuleMemory {
  /** The rule's `alert:` name. */
  name: string;
  severity?: string;
  evaluatedAt: string;
  instances: { labels: Record<string, string>; state: 'pending' | 'firing'; activeAt: string }[];
  /** Alerts pending or firing at the last evaluation (all of them, not only those remembered). */
  count: number;
}

export const MAX_REMEMBERED_INSTANCES = 50;

/**
 * One evaluated alert in a run's record and in the CLI's JSON (`alerts`): the runbook's alert and
 * every rule the checker evaluated, by group.
 */
export interface AlertSummary {
  name: string;
  severity: string | null;
  state: RuleGroupState;
  /** Alerts pending or firing in the group. */
  instances: number;
  /** The earliest `activeAt` of its firing alerts (of its pending ones when none fires). */
  activeAt: string | null;
  fingerprint: string;
  /** Why the state is unknown. */
  reason?: string;
  /** `runbook` for the runbook's own alert (`alert` in the report), `rule` for a rule's group. */
  source: 'runbook' | 'rule';
}
