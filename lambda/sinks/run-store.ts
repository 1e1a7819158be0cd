/**
 * The RunStore port: each run's record, the alert's state, what the metrics source keeps between
 * cycles, and the notify-once claim. DynamoDB in Lambda, files on a laptop; the cycle sees only this.
 */

import type { AlertState, NoticeKind } from '../model/alert.js';
import type { MetricsState } from '../model/metrics.js';
import type { RunRecord } from '../model/run.js';

export interface ClusterState {
  /** The runbook alert's state (the fingerprint asked for). */
  alert?: AlertState;
  /** Every alert state of the cluster by fingerprint: the runbook's and each rule group's. */
  alerts?: Record<string, AlertState>;
  metrics?: MetricsState;
}

export interface RunStore {
  loadState(cluster: string, fingerprint: string): Promise<ClusterState>;
  saveRun(run: RunRecord): Promise<void>;
  /** Writes the alert state if nobody wrote a newer one since `previousVersion`; false when somebody did. */
  saveAlertState(state: AlertState, previousVersion: number): Promise<boolean>;
  saveMetricsState(cluster: string, state: MetricsState): Promise<void>;
  /**
   * Takes the right to notify for this alert and slot: `claimed`, or `sent` (it was delivered
   * already), or `busy` (another invocation holds a fresh claim). A claim left by an invocation that
   * died is taken over after CLAIM_STALE_SECONDS.
   */
  claimNotification(
    fingerprint: string,
    slot: string,
    kind: NoticeKind,
    runId: string,
  ): Promise<'claimed' | 'sent' | 'busy'>;
  recordNotification(fingerprint: string, slot: string, result: { messageId: string }): Promise<void>;
  /** Gives a claim back after a failed publish, so that the retried invocation can deliver it. */
  releaseNotification(fingerprint: string, slot: string, runId: string): Promise<void>;
  listRuns(cluster: string, limit: number): Promise<RunRecord[]>;
  /** Adds the bundle's key (or why there is none) to a stored run. */
  attachBundle(run: RunRecord, bundle: { key?: string; error?: string }): Promise<void>;
}

export const CLAIM_STALE_SECONDS = 120;

/** Items stay far below DynamoDB's 400 KB: long evidence is cut here (the whole of it is in the bundle). */
export const MAX_RECORD_BYTES = 300 * 1024;

export function boundRecord(run: RunRecord): RunRecord {
  if (Buffer.byteLength(JSON.stringify(run)) <= MAX_RECORD_BYTES) return run;
  const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);
  const trimmed: RunRecord = {
    ...run,
    findings: run.findings.map((f) => ({
      ...f,
      evidence: f.evidence.slice(0, 5).map(cut),
      remediation: f.remediation.map(cut),
    })),
    causes: run.causes.map((c) => ({ ...c, evidence: c.evidence.slice(0, 6).map(cut) })),
  };
  if (Buffer.byteLength(JSON.stringify(trimmed)) <= MAX_RECORD_BYTES) return trimmed;
  return { ...trimmed, findings: trimmed.findings.filter((f) => f.status !== 'ok').slice(0, 50) };
}
