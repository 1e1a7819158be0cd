/**
 * The verdict: the error rate, whether it is sustained, and the probable causes ranked by the weight
 * of their evidence. Findings for one cause combine as independent evidence (1 - Π(1 - w)). The
 * checker's own trouble comes first and is never a cause; "none" is said only with most of the
 * cluster read (a collection that read little is never read as "fine").
 */
import { checkerTrouble } from '../checks/checker-access.js';
import { evidenceOf } from '../checks/evidence.js';
import type { CauseId } from '../model/causes.js';
import type { Finding } from '../model/finding.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import { sourceStates } from '../model/sources.js';
import type { RankedCause, Verdict } from '../model/verdict.js';

/** Below this a cause is not named. */
export const MIN_CONFIDENCE = 0.3;
/** "Nothing found" needs at least this share of the sources read. */
export const MIN_COVERAGE_FOR_NONE = 0.7;

export function decideVerdict(snapshot: ClusterSnapshot, findings: Finding[], threshold: number): Verdict {
  const sources = Object.entries(sourceStates(snapshot));
  const unread = sources.filter(([, state]) => state !== 'ok').map(([name]) => name);
  const coverage = sources.length === 0 ? 0 : (sources.length - unread.length) / sources.length;
  const factor = 0.5 + 0.5 * coverage;
  const metrics = snapshot.metrics.ok ? snapshot.metrics.data : undefined;
  const errorRate = metrics?.errorRate.state === 'ok' ? metrics.errorRate.value : null;
  const checker = checkerTrouble(snapshot);
  // Nothing failing (the error rate below the threshold, no blind failures, tenants and registries
  // ready): what the checks see is at most a risk, and counts half.
  const quiet = errorRate !== null && !evidenceOf(snapshot).failing;

  const byCause = new Map<CauseId, Finding[]>();
  for (const f of findings) {
    if (!f.cause || f.status === 'ok' || f.status === 'unknown' || f.weight <= 0) continue;
    byCause.set(f.cause, [...(byCause.get(f.cause) ?? []), f]);
  }
  const causes: RankedCause[] = [...byCause.entries()]
    .map(([id, list]) => {
      const combined =
        1 - list.reduce((p, f) => p * (1 - Math.min(0.99, f.weight * (f.status === 'fail' ? 1 : 0.6))), 1);
      const evidence = list
        .sort((a, b) => b.weight - a.weight)
        .flatMap((f) => [f.summary, ...f.evidence.slice(0, 2)])
        .slice(0, 6);
      return { id, confidence: Math.round(combined * factor * (quiet ? 0.5 : 1) * 100) / 100, evidence };
    })
    .filter((c) => c.confidence >= MIN_CONFIDENCE)
    .sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));

  const healthy =
    !checker &&
    causes.length === 0 &&
    coverage >= MIN_COVERAGE_FOR_NONE &&
    errorRate !== null &&
    errorRate <= threshold &&
    !metrics?.alertBlind &&
    !findings.some((f) => f.status === 'fail');
  return {
    errorRate,
    sustained: metrics?.sustained ?? false,
    causes: healthy
      ? [
          {
            id: 'none',
            confidence: Math.round(factor * 100) / 100,
            evidence: [`${sources.length - unread.length} of ${sources.length} sources read, nothing found`],
          },
        ]
      : causes,
    coverage: Math.round(coverage * 100) / 100,
    unread,
    ...(checker ? { checker } : {}),
  };
}
