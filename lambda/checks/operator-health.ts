/**
 * Diagnosis step 3: the operator's pods: readiness, restarts, OOM kills, crash loops, resource use.
 * A crash needs the process to die (restarts, exit codes, back-off); controller-runtime recovers a
 * reconcile's panic and requeues, so panics without restarts are the operator's logic, a bug. Restarts
 * that ended before the errors began are history.
 */
import type { Finding } from '../model/finding.js';
import { mebibytes, millicores } from '../model/format.js';
import type { ClusterSnapshot, ContainerUsage, OperatorContainer, OperatorPod } from '../model/snapshot.js';
import { evidenceOf } from './evidence.js';
import { findings } from './finding.js';
import { RUNBOOK_NOTES } from './remediation.js';
import type { Check } from './types.js';

const CHECK = 'operator-health';

function describe(pod: OperatorPod, c: OperatorContainer, age: string | undefined): string[] {
  const evidence = [
    `${pod.name}/${c.name}: ${c.ready ? 'ready' : 'not ready'}, ${c.restartCount} restarts, ${c.current.state}${c.current.reason ? ` (${c.current.reason})` : ''}`,
  ];
  if (c.last)
    evidence.push(
      `last terminated: ${c.last.reason ?? c.last.state}${c.last.exitCode !== undefined ? `, exit code ${c.last.exitCode}` : ''}${c.last.finishedAt ? ` at ${c.last.finishedAt}` : ''}${age ? ` (${age})` : ''}`,
    );
  return evidence;
}

/** The container's last run ended by the kubelet's kill (exit 137, not OOM) after failed probes. */
function livenessKilled(snapshot: ClusterSnapshot, c: OperatorContainer): boolean {
  if (c.last?.exitCode !== 137 || c.last.reason === 'OOMKilled') return false;
  if (!snapshot.events.ok) return true;
  return snapshot.events.data.recent.some(
    (e) => e.kind === 'Pod' && /Liveness probe failed|failed liveness probe/i.test(e.message ?? ''),
  );
}

function cpuStarved(usage: ContainerUsage[], pod: OperatorPod, c: OperatorContainer): boolean {
  const used = usage.find((u) => u.pod === pod.name && u.container === c.name)?.usage.cpu;
  return used !== undefined && c.limits.cpu !== undefined && used / c.limits.cpu >= 0.9;
}

export const operatorHealth: Check = (snapshot) => {
  const f = findings(snapshot, CHECK);
  if (!snapshot.operatorPods.ok) return [f.unread('the operator pods', snapshot.operatorPods)];
  const evidence = evidenceOf(snapshot);
  const { pods, runbookSelector } = snapshot.operatorPods.data;
  const out: Finding[] = [];
  const notes =
    'matched' in runbookSelector && runbookSelector.matched === 0 && pods.length > 0
      ? [RUNBOOK_NOTES.selector(snapshot.operator)]
      : [];
  if (pods.length === 0) {
    const replicas = snapshot.operatorDeployment.ok ? snapshot.operatorDeployment.data.replicas : undefined;
    out.push(
      f.fail('controller-crash', {
        summary: `no operator pod matches ${snapshot.operatorPods.data.selector}`,
        evidence: [
          replicas
            ? `deployment ${snapshot.operator.deployment}: ${replicas.ready}/${replicas.desired} ready`
            : 'deployment not readable',
        ],
        weight: 0.7,
      }),
    );
    return out;
  }
  const usage = snapshot.podMetrics.ok ? snapshot.podMetrics.data : [];
  let recentRestarts = false;
  for (const pod of pods) {
    for (const c of pod.containers) {
      const finished = c.last?.finishedAt;
      const timing = finished ? evidence.timingOf(undefined, finished) : 'unknown';
      const age = finished ? evidence.age(finished) : undefined;
      const crashLoop = c.current.reason === 'CrashLoopBackOff';
      // A restart counts when it is happening now: back-off, or a termination since the onset.
      const current = crashLoop || (c.restartCount > 0 && timing !== 'past');
      const oom = c.last?.reason === 'OOMKilled' || c.current.reason === 'OOMKilled';
      if (current && c.restartCount > 0) recentRestarts = true;
      const ev = describe(pod, c, age);
      if (oom && current) {
        ev.push(`memory limit ${c.limits.memory !== undefined ? mebibytes(c.limits.memory) : 'none'}`);
        out.push(
          f.fail('controller-resource-exhaustion', {
            summary: `${pod.name} was OOMKilled (${c.restartCount} restarts)`,
            evidence: ev,
            weight: 0.9,
            notes,
          }),
        );
      } else if (current && livenessKilled(snapshot, c) && cpuStarved(usage, pod, c)) {
        // Killed by the kubelet after failed liveness probes while at its CPU limit: starved, not crashing.
        out.push(
          f.fail('controller-resource-exhaustion', {
            summary: `${pod.name} is starved at its CPU limit and killed by its liveness probe (${c.restartCount} restarts)`,
            evidence: [...ev, `CPU limit ${millicores(c.limits.cpu)}`],
            weight: 0.9,
            notes,
          }),
        );
      } else if (current && (crashLoop || (c.restartCount >= 2 && c.last?.state === 'terminated'))) {
        out.push(
          f.fail('controller-crash', {
            summary: `${pod.name} is crash-looping (${c.restartCount} restarts)`,
            evidence: ev,
            weight: crashLoop ? 0.85 : 0.65,
            notes,
          }),
        );
      } else if (current && c.restartCount > 0) {
        out.push(
          f.warn('controller-crash', {
            summary: `${pod.name} restarted (${c.restartCount} restarts)`,
            evidence: ev,
            weight: 0.25,
          }),
        );
      } else if (c.restartCount > 0) {
        out.push(
          f.ok({
            summary: `${pod.name}: ${c.restartCount} restarts, the last ${age ?? 'long before the errors'}: history`,
            evidence: ev,
          }),
        );
      } else if (!c.ready) {
        out.push(f.warn(null, { summary: `${pod.name}: not ready`, evidence: ev }));
      }
      const used = usage.find((u) => u.pod === pod.name && u.container === c.name)?.usage;
      if (used?.memory !== undefined && c.limits.memory && used.memory / c.limits.memory >= 0.9) {
        out.push(
          f.warn('controller-resource-exhaustion', {
            summary: `${pod.name} uses ${mebibytes(used.memory)} of its ${mebibytes(c.limits.memory)} memory limit`,
            evidence: [`kubectl top: ${mebibytes(used.memory)}`],
            weight: 0.5,
          }),
        );
      }
      if (used?.cpu !== undefined && c.limits.cpu && used.cpu / c.limits.cpu >= 0.9) {
        out.push(
          f.warn('controller-resource-exhaustion', {
            summary: `${pod.name} uses ${millicores(used.cpu)} of its ${millicores(c.limits.cpu)} CPU limit (throttled)`,
            weight: 0.4,
          }),
        );
      }
    }
  }
  // Panics: with the process dying, a crash; recovered by controller-runtime, a bug in a reconcile.
  if (snapshot.operatorLogs.ok) {
    const panics = evidence.groups.filter(
      (g) => g.source === 'logs' && g.reading.signals.includes('panic') && g.timing !== 'past',
    );
    const count = panics.reduce((n, g) => n + g.count, 0);
    // The previous container's log tells how it died only when it died recently.
    const previous =
      recentRestarts &&
      snapshot.operatorLogs.data.streams.some((s) => s.previous && /\bpanic\b|fatal error:/.test(s.text));
    if (count > 0 || previous) {
      const crashed = recentRestarts && (previous || count > 0);
      const sample = panics[0]?.sample.slice(0, 300);
      out.push(
        crashed
          ? f.fail('controller-crash', {
              summary: `the operator panics and its container restarts${previous ? ' (the previous container died on a panic)' : ''}`,
              evidence: sample ? [`${count}× ${sample}`] : [],
              weight: 0.85,
            })
          : f.fail('controller-bug', {
              summary: `${count} panics in reconciles, recovered by controller-runtime: the process lives on, the logic fails`,
              evidence: sample ? [`${count}× ${sample}`] : [],
              weight: Math.min(0.85, 0.5 + 0.03 * count),
            }),
      );
    }
  }
  if (out.length === 0) {
    out.push(
      f.ok({
        summary: `${pods.length} operator pod(s) ready, no restarts`,
        evidence: pods.map((p) => p.name),
        notes,
      }),
    );
  }
  return out;
};
