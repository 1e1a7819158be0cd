/** One run of the cycle as it is stored and listed: what was found, and what became of the alert. */
import type { AlertStateName, AlertSummary, NoticeKind } from './alert.js';
import type { Finding } from './finding.js';
import type { RankedCause } from './verdict.js';

export interface RunRecord {
  cluster: string;
  runId: string;
  /** When the cycle evaluated (ISO). */
  at: string;
  /** The schedule's slot the run belongs to (ISO). */
  slot: string;
  errorRate: number | null;
  sustained: boolean;
  alert: { state: AlertStateName; fingerprint: string };
  /** The runbook's alert and every evaluated rule's group, firing and pending first. */
  alerts?: AlertSummary[];
  causes: RankedCause[];
  findings: Finding[];
  /** Each source: `ok` or its error kind. */
  sources: Record<string, string>;
  coverage: number;
  bundleKey?: string;
  bundleError?: string;
  notification?: { kind: NoticeKind; messageId?: string; error?: string };
  /** Seconds since the epoch, for the table's TTL. */
  expiresAt: number;
}
