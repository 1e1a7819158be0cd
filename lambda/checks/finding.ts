import type { CauseId } from '../model/causes.js';
import type { Finding, FindingStatus } from '../model/finding.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { SourceResult } from '../model/source.js';
import { remediationFor } from './remediation.js';

/** A finding with the runbook's resolution for its cause, rendered with the cluster's names. */
export function finding(
  snapshot: ClusterSnapshot,
  check: string,
  status: FindingStatus,
  cause: CauseId | null,
  summary: string,
  evidence: string[],
  weight = 0,
  extraRemediation: string[] = [],
): Finding {
  const names = {
    operator: snapshot.operator,
    ...(snapshot.operatorDeployment.ok ? { deployment: snapshot.operatorDeployment.data } : {}),
  };
  return {
    check,
    status,
    cause,
    summary,
    evidence,
    remediation: [...(cause ? remediationFor(cause, names) : []), ...extraRemediation],
    weight,
  };
}

/** The finding for a source that could not be read: unknown, never "fine". */
export function unread(
  snapshot: ClusterSnapshot,
  check: string,
  what: string,
  result: SourceResult<unknown>,
): Finding {
  const error = result.ok ? undefined : result.error;
  return finding(
    snapshot,
    check,
    'unknown',
    null,
    `${what} could not be read: ${error?.kind ?? 'unknown'}`,
    error ? [error.message] : [],
  );
}
