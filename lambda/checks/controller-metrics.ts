/** Diagnosis step 5: the controller's own metrics: workqueue, stuck workers, goroutines, memory. */

import type { Finding } from '../model/finding.js';
import { mebibytes, percent } from '../model/format.js';
import { finding } from './finding.js';
import { RUNBOOK_NOTES } from './remediation.js';
import type { Check } from './types.js';

const STUCK_SECONDS = 600;
const GOROUTINE_LEAK = 5000;

export const controllerMetrics: Check = (snapshot) => {
  if (!snapshot.metrics.ok) return [];
  const m = snapshot.metrics.data;
  const out: Finding[] = [];
  const rps = m.reconcilesPerSecond.state === 'ok' ? m.reconcilesPerSecond.value : undefined;
  const longest = m.workqueue?.longestRunningSeconds;
  if (longest !== undefined && longest > STUCK_SECONDS) {
    out.push(
      finding(
        snapshot,
        'controller-metrics',
        'fail',
        'controller-deadlock',
        `a reconcile has been running for ${Math.round(longest)} s`,
        [
          `workqueue_longest_running_processor_seconds ${Math.round(longest)}`,
          `workqueue depth ${m.workqueue?.depth ?? '?'}`,
        ],
        0.85,
      ),
    );
  } else if ((m.workqueue?.depth ?? 0) > 100 && rps !== undefined && rps < 0.1) {
    out.push(
      finding(
        snapshot,
        'controller-metrics',
        'fail',
        'controller-deadlock',
        `${m.workqueue?.depth} items queued while almost nothing is reconciled (${rps.toFixed(3)}/s)`,
        [],
        0.7,
      ),
    );
  } else if ((m.workqueue?.depth ?? 0) > 100) {
    out.push(
      finding(
        snapshot,
        'controller-metrics',
        'warn',
        null,
        `workqueue depth ${m.workqueue?.depth}: the operator is behind`,
        [`${rps?.toFixed(2) ?? '?'} reconciles/s`],
      ),
    );
  }
  if (m.process?.goroutines !== undefined && m.process.goroutines > GOROUTINE_LEAK) {
    out.push(
      finding(
        snapshot,
        'controller-metrics',
        'warn',
        'controller-deadlock',
        `${m.process.goroutines} goroutines (a leak?)`,
        [],
        0.5,
      ),
    );
  }
  if (m.process?.residentMemoryBytes !== undefined && snapshot.operatorPods.ok) {
    const limit = snapshot.operatorPods.data.pods[0]?.containers.find(
      (c) => c.name === snapshot.operator.container,
    )?.limits.memory;
    if (limit && m.process.residentMemoryBytes / limit > 0.9) {
      out.push(
        finding(
          snapshot,
          'controller-metrics',
          'warn',
          'controller-resource-exhaustion',
          `resident memory ${mebibytes(m.process.residentMemoryBytes)} of a ${mebibytes(limit)} limit`,
          [],
          0.5,
        ),
      );
    }
  }
  // Where the runbook's step 5 would have looked (a port-forward to :8080) versus where the numbers came from.
  out.push(
    finding(snapshot, 'controller-metrics', 'ok', null, `controller metrics read from ${m.source}`, [], 0, [
      RUNBOOK_NOTES.metricsPort(snapshot.operator),
    ]),
  );
  if (m.byController.length > 0) {
    const worst = m.byController[0];
    if (worst && worst.errorRatio !== undefined && worst.errorRatio > 0) {
      out.push(
        finding(
          snapshot,
          'controller-metrics',
          'ok',
          null,
          `errors by controller: ${m.byController.map((c) => `${c.controller} ${((c.errorRatio ?? 0) * 100).toFixed(1)}%`).join(', ')}`,
          [],
        ),
      );
    }
  }
  return out;
};
