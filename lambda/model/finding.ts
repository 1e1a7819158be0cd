import type { CauseId } from './causes.js';
export type FindingStatus = 'ok' | 'warn' | 'fail' | 'unknown';

export interface Finding {
  /** The check that made it, in the runbook's words (`operator-health`, `rbac`, ...). */
  check: string;
  status: FindingStatus;
  /** The runbook's cause this is evidence for; null for a symptom or a clean bill. */
  cause: CauseId | null;
  summary: string;
  /** What was seen, quoted: the log pattern and its count, the restart count and reason, the status code. */
  evidence: string[];
  /** The runbook's resolution for the cause, with the cluster's real names. */
  remediation: string[];
  /** How strongly this finding points at its cause, 0..1 (used by the verdict, not shown). */
  weight: number;
}
