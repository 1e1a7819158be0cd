/** Diagnosis step 2: the most common error messages, each read for the cause it names. */
import type { CauseId } from '../model/causes.js';
import type { Finding } from '../model/finding.js';
import { classifyMessage } from './classify.js';
import { finding, unread } from './finding.js';
import type { Check } from './types.js';

export const errorPatterns: Check = (snapshot) => {
  if (!snapshot.operatorLogs.ok)
    return [unread(snapshot, 'error-patterns', 'the operator logs', snapshot.operatorLogs)];
  const { summary } = snapshot.operatorLogs.data;
  const byCause = new Map<CauseId, { count: number; weight: number; evidence: string[] }>();
  let noise = 0;
  let unexplained = 0;
  const unexplainedEvidence: string[] = [];
  for (const pattern of summary.patterns) {
    const classified = classifyMessage(pattern.sample);
    if (classified && classified.cause === null) {
      noise += pattern.count;
      continue;
    }
    if (!classified) {
      if (pattern.level === 'error' || pattern.level === 'panic') {
        unexplained += pattern.count;
        unexplainedEvidence.push(`${pattern.count}× ${pattern.pattern}`);
      }
      continue;
    }
    const entry = byCause.get(classified.cause as CauseId) ?? {
      count: 0,
      weight: classified.weight,
      evidence: [],
    };
    entry.count += pattern.count;
    entry.evidence.push(
      `${pattern.count}× ${pattern.pattern}${pattern.firstSeen ? ` (first ${pattern.firstSeen}, last ${pattern.lastSeen})` : ''}`,
    );
    byCause.set(classified.cause as CauseId, entry);
  }
  const errors = summary.byLevel.error + summary.byLevel.panic + summary.byLevel.fatal;
  const out: Finding[] = [];
  for (const [cause, entry] of [...byCause.entries()].sort((a, b) => b[1].count - a[1].count)) {
    // Share of the error lines that carry this signal: a handful among thousands is noise.
    const share = errors > 0 ? Math.min(1, entry.count / errors) : 0;
    const strong = entry.count >= 5 && share >= 0.2;
    out.push(
      finding(
        snapshot,
        'error-patterns',
        strong ? 'fail' : 'warn',
        cause,
        `${entry.count} log errors point at ${cause}`,
        entry.evidence.slice(0, 5),
        entry.weight * (strong ? Math.max(0.6, share) : 0.3 * share + 0.1),
      ),
    );
  }
  // Reconciler errors nothing else explains: the operator's own logic (with fewer infra signals, more likely).
  if (unexplained >= 5 && errors > 0 && unexplained / errors >= 0.3) {
    const share = unexplained / errors;
    const strong = unexplained >= 20 && share >= 0.5;
    out.push(
      finding(
        snapshot,
        'error-patterns',
        strong ? 'fail' : 'warn',
        'controller-bug',
        `${unexplained} reconcile errors match no infrastructure signal: the operator's own logic`,
        unexplainedEvidence.slice(0, 5),
        (strong ? 0.7 : 0.45) * share,
      ),
    );
  }
  if (out.length === 0) {
    out.push(
      finding(
        snapshot,
        'error-patterns',
        'ok',
        null,
        noise > 0
          ? `only benign errors in the logs (${noise} update conflicts)`
          : 'no error patterns in the logs',
        [],
      ),
    );
  }
  return out;
};
