/**
 * How a check writes its findings: one builder per check, so the check's name is written once, and
 * every finding that names a cause carries the runbook's resolution with the cluster's real names.
 */
import type { CauseId } from '../model/causes.js';
import type { Finding, FindingStatus } from '../model/finding.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { SourceResult } from '../model/source.js';
import { type Hints, remediationFor } from './remediation.js';

export interface FindingParts {
  summary: string;
  evidence?: string[];
  /** How strongly it points at its cause, 0..1 (the verdict combines them). */
  weight?: number;
  /** What the resolution should name: the datasource's host, the webhook, ... */
  hints?: Hints;
  /** Lines added after the cause's resolution (notes on the runbook's commands). */
  notes?: string[];
}

export interface Findings {
  fail(cause: CauseId | null, parts: FindingParts): Finding;
  warn(cause: CauseId | null, parts: FindingParts): Finding;
  ok(parts: FindingParts): Finding;
  unknown(parts: FindingParts): Finding;
  /** A source that could not be read: unknown, never "fine". */
  unread(what: string, result: SourceResult<unknown>): Finding;
}

/** The finding builder of one check. */
export function findings(snapshot: ClusterSnapshot, check: string): Findings {
  const make = (status: FindingStatus, cause: CauseId | null, p: FindingParts): Finding => ({
    check,
    status,
    cause,
    summary: p.summary,
    evidence: p.evidence ?? [],
    remediation: [
      ...(cause
        ? remediationFor(cause, {
            operator: snapshot.operator,
            cluster: snapshot.cluster,
            ...(snapshot.operatorDeployment.ok ? { deployment: snapshot.operatorDeployment.data } : {}),
            hints: p.hints ?? {},
          })
        : []),
      ...(p.notes ?? []),
    ],
    weight: cause ? (p.weight ?? 0) : 0,
  });
  return {
    fail: (cause, p) => make('fail', cause, p),
    warn: (cause, p) => make('warn', cause, p),
    ok: (p) => make('ok', null, p),
    unknown: (p) => make('unknown', null, p),
    unread: (what, result) =>
      make('unknown', null, {
        summary: `${what} could not be read: ${result.ok ? 'unknown' : result.error.kind}`,
        evidence: result.ok ? [] : [result.error.message],
      }),
  };
}
