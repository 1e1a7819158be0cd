/** Diagnosis step 3: the operator's pods: readiness, restarts, OOM kills, crash loops, resource use. */

import type { Finding } from '../model/finding.js';
import { mebibytes, percent } from '../model/format.js';
import { finding, unread } from './finding.js';
import { RUNBOOK_NOTES } from './remediation.js';
import type { Check } from './types.js';

export const operatorHealth: Check = (snapshot) => {
  if (!snapshot.operatorPods.ok)
    return [unread(snapshot, 'operator-health', 'the operator pods', snapshot.operatorPods)];
  const { pods, runbookSelector } = snapshot.operatorPods.data;
  const out: Finding[] = [];
  const selectorNote =
    'matched' in runbookSelector && runbookSelector.matched === 0 && pods.length > 0
      ? [RUNBOOK_NOTES.selector(snapshot.operator)]
      : [];
  if (pods.length === 0) {
    const replicas = snapshot.operatorDeployment.ok ? snapshot.operatorDeployment.data.replicas : undefined;
    out.push(
      finding(
        snapshot,
        'operator-health',
        'fail',
        'controller-crash',
        `no operator pod matches ${snapshot.operatorPods.data.selector}`,
        [
          replicas
            ? `deployment ${snapshot.operator.deployment}: ${replicas.ready}/${replicas.desired} ready`
            : 'deployment not readable',
        ],
        0.7,
      ),
    );
    return out;
  }
  const usage = snapshot.podMetrics.ok ? snapshot.podMetrics.data : [];
  for (const pod of pods) {
    for (const c of pod.containers) {
      const evidence = [
        `${pod.name}/${c.name}: ${c.ready ? 'ready' : 'not ready'}, ${c.restartCount} restarts, ${c.current.state}${c.current.reason ? ` (${c.current.reason})` : ''}`,
      ];
      if (c.last)
        evidence.push(
          `last terminated: ${c.last.reason ?? c.last.state}${c.last.exitCode !== undefined ? `, exit code ${c.last.exitCode}` : ''}${c.last.finishedAt ? ` at ${c.last.finishedAt}` : ''}`,
        );
      const oom = c.last?.reason === 'OOMKilled' || c.current.reason === 'OOMKilled';
      const crashLoop = c.current.reason === 'CrashLoopBackOff';
      if (oom) {
        evidence.push(`memory limit ${c.limits.memory !== undefined ? mebibytes(c.limits.memory) : 'none'}`);
        out.push(
          finding(
            snapshot,
            'operator-health',
            'fail',
            'controller-resource-exhaustion',
            `${pod.name} was OOMKilled (${c.restartCount} restarts)`,
            evidence,
            0.9,
            selectorNote,
          ),
        );
      } else if (crashLoop || (c.restartCount >= 3 && c.last?.state === 'terminated')) {
        out.push(
          finding(
            snapshot,
            'operator-health',
            'fail',
            'controller-crash',
            `${pod.name} is crash-looping (${c.restartCount} restarts)`,
            evidence,
            crashLoop ? 0.8 : 0.6,
            selectorNote,
          ),
        );
      } else if (!c.ready || c.restartCount > 0) {
        out.push(
          finding(
            snapshot,
            'operator-health',
            'warn',
            c.restartCount > 0 ? 'controller-crash' : null,
            `${pod.name}: ${c.ready ? 'ready' : 'not ready'}, ${c.restartCount} restarts`,
            evidence,
            0.25,
          ),
        );
      }
      const used = usage.find((u) => u.pod === pod.name && u.container === c.name)?.usage;
      if (used?.memory !== undefined && c.limits.memory && used.memory / c.limits.memory >= 0.9) {
        out.push(
          finding(
            snapshot,
            'operator-health',
            'warn',
            'controller-resource-exhaustion',
            `${pod.name} uses ${mebibytes(used.memory)} of its ${mebibytes(c.limits.memory)} memory limit`,
            [`kubectl top: ${mebibytes(used.memory)}`],
            0.5,
          ),
        );
      }
      if (used?.cpu !== undefined && c.limits.cpu && used.cpu / c.limits.cpu >= 0.9) {
        out.push(
          finding(
            snapshot,
            'operator-health',
            'warn',
            'controller-resource-exhaustion',
            `${pod.name} uses ${Math.round(used.cpu * 1000)}m of its ${Math.round(c.limits.cpu * 1000)}m CPU limit (throttled)`,
            [],
            0.4,
          ),
        );
      }
    }
  }
  if (snapshot.operatorLogs.ok) {
    const panics =
      snapshot.operatorLogs.data.summary.byLevel.panic + (snapshot.operatorLogs.data.summary.tags.panic ?? 0);
    if (panics > 0) {
      const restarted = pods.some((p) => p.containers.some((c) => c.restartCount > 0));
      out.push(
        finding(
          snapshot,
          'operator-health',
          'fail',
          restarted ? 'controller-crash' : 'controller-bug',
          `${panics} panics in the operator logs${restarted ? ', and the container restarted' : ' (recovered by controller-runtime)'}`,
          [],
          restarted ? 0.85 : 0.7,
        ),
      );
    }
  }
  if (out.length === 0) {
    out.push(
      finding(
        snapshot,
        'operator-health',
        'ok',
        null,
        `${pods.length} operator pod(s) ready, no restarts`,
        pods.map((p) => p.name),
        0,
        selectorNote,
      ),
    );
  }
  return out;
};
