/** Diagnosis step 5: the controller's own metrics: workqueue, stuck workers, goroutines, memory. */
import type { Finding } from '../model/finding.js';
import { mebibytes, percent } from '../model/format.js';
import { findings } from './finding.js';
import { RUNBOOK_NOTES } from './remediation.js';
import type { Check } from './types.js';

const STUCK_SECONDS = 600;
const GOROUTINE_LEAK = 5000;

export const controllerMetrics: Check = (snapshot) => {
  if (!snapshot.metrics.ok) return [];
  const f = findings(snapshot, 'controller-metrics');
  const m = snapshot.metrics.data;
  const out: Finding[] = [];
  const notes = [RUNBOOK_NOTES.metricsPort(snapshot.operator)];
  const rps = m.reconcilesPerSecond.state === 'ok' ? m.reconcilesPerSecond.value : undefined;
  const longest = m.workqueue?.longestRunningSeconds;
  const depth = m.workqueue?.depth;
  if (longest !== undefined && longest > STUCK_SECONDS) {
    out.push(
      f.fail('controller-deadlock', {
        summary: `a reconcile has been running for ${Math.round(longest)} s`,
        evidence: [
          `workqueue_longest_running_processor_seconds ${Math.round(longest)}`,
          `workqueue depth ${depth ?? '?'}`,
        ],
        weight: 0.85,
        notes,
      }),
    );
  } else if ((depth ?? 0) > 100 && rps !== undefined && rps < 0.1) {
    out.push(
      f.fail('controller-deadlock', {
        summary: `${depth} items queued while almost nothing is reconciled (${rps.toFixed(3)}/s)`,
        weight: 0.7,
        notes,
      }),
    );
  } else if ((depth ?? 0) > 100) {
    out.push(
      f.warn(null, {
        summary: `workqueue depth ${depth}: the operator is behind (${rps?.toFixed(2) ?? '?'} reconciles/s)`,
      }),
    );
  }
  if (m.process?.goroutines !== undefined && m.process.goroutines > GOROUTINE_LEAK) {
    out.push(
      f.warn('controller-deadlock', { summary: `${m.process.goroutines} goroutines (a leak?)`, weight: 0.5 }),
    );
  }
  if (m.process?.residentMemoryBytes !== undefined && snapshot.operatorPods.ok) {
    const limit = snapshot.operatorPods.data.pods[0]?.containers.find(
      (c) => c.name === snapshot.operator.container,
    )?.limits.memory;
    if (limit && m.process.residentMemoryBytes / limit > 0.9) {
      out.push(
        f.warn('controller-resource-exhaustion', {
          summary: `resident memory ${mebibytes(m.process.residentMemoryBytes)} of a ${mebibytes(limit)} limit`,
          weight: 0.5,
        }),
      );
    }
  }
  const failing = m.byController.filter((c) => (c.errorRatio ?? 0) > 0);
  if (failing.length > 0) {
    const worst = Math.max(...failing.map((c) => c.errorRatio ?? 0));
    const summary = `errors by controller: ${m.byController.map((c) => `${c.controller} ${percent(c.errorRatio ?? 0)}`).join(', ')}`;
    out.push(worst > 0.1 ? f.warn(null, { summary, notes }) : f.ok({ summary, notes }));
  }
  return out;
};
