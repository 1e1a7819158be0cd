/**
 * The report of one cycle: the JSON object of `tenant-check run --format json` and the Lambda's
 * return value (a contract, see the design notes: extend, don't rename).
 */
import type { CycleResult } from './cycle.js';
import type { AlertSummary } from './model/alert.js';

export interface CheckReport {
  cluster: string;
  runId: string;
  evaluatedAt: string;
  errorRate: number | null;
  sustained: boolean;
  alert: { state: string; fingerprint: string };
  /**
   * The runbook's alert and every evaluated alerting rule, by group, firing and pending first;
   * `unknown` with a `reason` where the metrics source cannot evaluate a rule.
   */
  alerts: AlertSummary[];
  /** What the rules' evaluation said once for all (which rules need AMP or a Prometheus server). */
  ruleNotices: string[];
  causes: { id: string; confidence: number; evidence: string[] }[];
  findings: {
    check: string;
    status: string;
    cause: string | null;
    summary: string;
    evidence: string[];
    remediation: string[];
  }[];
  bundle: { location: string; link: string | null; expiresAt: string | null } | null;
  notification: CycleResult['notification'];
  sources: Record<string, string>;
  /** The checker's own trouble reaching or reading the cluster (never a cause), when there is any. */
  checker: { problem: string; summary: string; remedy: string[] } | null;
}

export function toReport(result: CycleResult): CheckReport {
  return {
    cluster: result.run.cluster,
    runId: result.runId,
    evaluatedAt: result.at,
    errorRate: result.verdict.errorRate,
    sustained: result.verdict.sustained,
    alert: { state: result.alert.state, fingerprint: result.alert.fingerprint },
    alerts: result.run.alerts ?? [],
    ruleNotices: result.ruleNotices,
    causes: result.verdict.causes.map(({ id, confidence, evidence }) => ({ id, confidence, evidence })),
    findings: result.findings.map(({ check, status, cause, summary, evidence, remediation }) => ({
      check,
      status,
      cause,
      summary,
      evidence,
      remediation,
    })),
    bundle:
      result.bundle && !('error' in result.bundle)
        ? { location: result.bundle.location, link: result.bundle.link, expiresAt: result.bundle.expiresAt }
        : null,
    notification: result.notification,
    sources: result.run.sources,
    checker: result.verdict.checker
      ? {
          problem: result.verdict.checker.problem,
          summary: result.verdict.checker.summary,
          remedy: result.verdict.checker.remedy,
        }
      : null,
  };
}
