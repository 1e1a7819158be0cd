/** Diagnosis step 1: the overall error rate, from the metrics (the runbook's expression) and from the logs. */

import type { Finding } from '../model/finding.js';
import { mebibytes, percent } from '../model/format.js';
import { above } from '../model/metrics.js';
import { finding, unread } from './finding.js';
import type { Check } from './types.js';

export const errorRate: Check = (snapshot, { threshold }) => {
  const out: Finding[] = [];
  const metrics = snapshot.metrics;
  if (!metrics.ok) out.push(unread(snapshot, 'error-rate', 'the error rate (metrics)', metrics));
  else {
    const m = metrics.data;
    if (m.errorRate.state === 'unknown') {
      out.push(
        finding(snapshot, 'error-rate', 'unknown', null, `error rate unknown: ${m.errorRate.reason}`, [
          `source: ${m.source}`,
        ]),
      );
    } else {
      const rate = m.errorRate.value;
      const since = m.startedAt ? `, since ${m.startedAt}` : '';
      const evidence = [
        `${percent(rate)} of reconciles failed (result="error", 5m rate, ${m.source})`,
        `threshold ${percent(threshold)} for ${Math.round(m.forSeconds / 60)}m`,
      ];
      if (m.errorsPerMinute.state === 'ok') evidence.push(`${m.errorsPerMinute.value.toFixed(1)} errors/min`);
      if (m.sustainedReason) evidence.push(m.sustainedReason);
      const status = above(rate, threshold) ? (m.sustained ? 'fail' : 'warn') : 'ok';
      const summary =
        status === 'fail'
          ? `error rate ${percent(rate)}, above ${percent(threshold)} for ${Math.round(m.forSeconds / 60)}m${since}`
          : status === 'warn'
            ? `error rate ${percent(rate)}, above ${percent(threshold)} but not yet for ${Math.round(m.forSeconds / 60)}m`
            : `error rate ${percent(rate)}, below ${percent(threshold)}`;
      out.push(finding(snapshot, 'error-rate', status, null, summary, evidence));
    }
    if (m.alertBlind) {
      out.push(
        finding(
          snapshot,
          'error-rate',
          'warn',
          null,
          "failures the runbook's alert does not count",
          m.alertBlind.reasons,
        ),
      );
    }
  }
  // The runbook's own log count: "Reconciler error" lines against reconcile lines in the tail.
  if (snapshot.operatorLogs.ok) {
    const s = snapshot.operatorLogs.data.summary;
    const total = s.reconcileErrors + s.reconcileOther;
    if (total > 0) {
      out.push(
        finding(
          snapshot,
          'error-rate',
          s.reconcileErrors / total > threshold ? 'warn' : 'ok',
          null,
          `logs: ${s.reconcileErrors} of ${total} reconcile lines are errors (${percent(s.reconcileErrors / total)})`,
          [`last ${snapshot.operatorLogs.data.tailLines} lines per pod, ${s.lines} lines read`],
        ),
      );
    }
  }
  return out;
};
