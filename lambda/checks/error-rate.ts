/** Diagnosis step 1: the overall error rate, from the metrics (the runbook's expression) and from the logs. */
import type { Finding } from '../model/finding.js';
import { percent } from '../model/format.js';
import { above } from '../model/metrics.js';
import { findings } from './finding.js';
import type { Check } from './types.js';

export const errorRate: Check = (snapshot, { threshold }) => {
  const f = findings(snapshot, 'error-rate');
  const out: Finding[] = [];
  const metrics = snapshot.metrics;
  let metricsAbove = false;
  if (!metrics.ok && (metrics.error.kind === 'unauthorized' || metrics.error.kind === 'forbidden'))
    // The checker's own access to its metrics source, with the source's remedy: never a cluster fault.
    out.push(
      f.unknown({
        summary: `error rate unknown: the checker may not read its metrics source (HTTP ${metrics.error.status ?? metrics.error.kind}), the checker's access, not a fault of the cluster`,
        evidence: [metrics.error.message],
      }),
    );
  else if (!metrics.ok) out.push(f.unread('the error rate (metrics)', metrics));
  else {
    const m = metrics.data;
    const window = `${Math.round(m.forSeconds / 60)}m`;
    if (m.errorRate.state === 'unknown') {
      out.push(
        f.unknown({
          summary: `error rate unknown: ${m.errorRate.reason}`,
          evidence: [`source: ${m.source}`],
        }),
      );
    } else {
      const rate = m.errorRate.value;
      const since = m.startedAt ? `, since ${m.startedAt}` : '';
      const evidence = [
        `${percent(rate)} of reconciles failed (result="error", 5m rate, ${m.source})`,
        `threshold ${percent(threshold)} for ${window}`,
      ];
      if (m.errorsPerMinute.state === 'ok') evidence.push(`${m.errorsPerMinute.value.toFixed(1)} errors/min`);
      if (m.sustainedReason) evidence.push(m.sustainedReason);
      metricsAbove = above(rate, threshold);
      if (metricsAbove && m.sustained)
        out.push(
          f.fail(null, {
            summary: `error rate ${percent(rate)}, above ${percent(threshold)} for ${window}${since}`,
            evidence,
          }),
        );
      else if (metricsAbove)
        out.push(
          f.warn(null, {
            summary: `error rate ${percent(rate)}, above ${percent(threshold)} but not yet for ${window}`,
            evidence,
          }),
        );
      else out.push(f.ok({ summary: `error rate ${percent(rate)}, below ${percent(threshold)}`, evidence }));
    }
    if (m.alertBlind) {
      metricsAbove = true;
      out.push(
        f.warn(null, {
          summary: "failures the runbook's alert does not count",
          evidence: m.alertBlind.reasons,
        }),
      );
    }
  }
  // The runbook's own log count: "Reconciler error" lines against reconcile lines in the tail. It
  // covers only the tail read, so it never contradicts the metrics into an "ok".
  if (snapshot.operatorLogs.ok) {
    const s = snapshot.operatorLogs.data.summary;
    // Optimistic-lock conflicts are retried at once: noise, not failed reconciles.
    const conflicts = s.patterns
      .filter((p) => p.reconcileErrors > 0 && p.tags.includes('conflict'))
      .reduce((n, p) => n + p.reconcileErrors, 0);
    const failed = Math.max(0, s.reconcileErrors - conflicts);
    const total = s.reconcileErrors + s.reconcileOther;
    if (total > 0) {
      const share = failed / total;
      const parts = {
        summary: `logs: ${failed} of ${total} reconcile lines in the tail are errors (${percent(share)})${conflicts > 0 ? `, besides ${conflicts} update conflicts` : ''}`,
        evidence: [
          `last ${snapshot.operatorLogs.data.tailLines} lines per pod, ${s.lines} lines read`,
          ...(metricsAbove && share <= threshold
            ? [
                'the metrics count every reconcile; the tail holds only the most recent lines, and partial failures log no "Reconciler error"',
              ]
            : []),
        ],
      };
      out.push(share > threshold || metricsAbove ? f.warn(null, parts) : f.ok(parts));
    }
  }
  return out;
};
