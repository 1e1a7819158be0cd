/** Diagnosis step 3: the operator's pods. A crash needs the process to die; restarts before the onset are history. */
import { describe, expect, it } from 'vitest';
import { operatorHealth } from '../../lambda/checks/operator-health.js';
import type { ClusterSnapshot, OperatorContainer } from '../../lambda/model/snapshot.js';
import {
  before as ago,
  container,
  healthySnapshot,
  pod,
  reconcileErrors,
  unreadable,
  withLogs,
} from '../unit/snapshot.js';
import { firing, named, ok, THRESHOLD, top } from './incident.js';

const PANIC =
  'Observed a panic in reconciler: runtime error: invalid memory address or nil pointer dereference';

function withContainer(
  s: ClusterSnapshot,
  c: Partial<OperatorContainer>,
  usage?: { cpu?: number; memory?: number },
): ClusterSnapshot {
  const p = pod({ containers: [container(c)] });
  return {
    ...s,
    operatorPods: ok({
      selector: s.operator.podSelector,
      pods: [p],
      runbookSelector: { selector: 'app=tenant-operator', matched: 0 },
    }),
    ...(usage ? { podMetrics: ok([{ pod: p.name, container: 'manager', usage }]) } : {}),
  };
}

const check = (s: ClusterSnapshot) => operatorHealth(s, THRESHOLD);

describe('operator-health', () => {
  it('healthy: pods ready, no restarts, ok, with the runbook selector note', () => {
    const findings = check(healthySnapshot());
    expect(findings.map((f) => [f.status, f.cause])).toEqual([['ok', null]]);
    expect(findings[0]?.summary).toMatch(/1 operator pod\(s\) ready, no restarts/);
    expect(findings[0]?.remediation.join('\n')).toMatch(/app=tenant-operator/);
  });

  it('unreadable pods are unknown', () => {
    const s = healthySnapshot({ operatorPods: unreadable({ kind: 'timeout', message: 'timed out' }) });
    expect(check(s).map((f) => f.status)).toEqual(['unknown']);
  });

  it('no operator pod at all is a crash', () => {
    const s = firing({
      operatorPods: ok({
        selector: 'control-plane=controller-manager',
        pods: [],
        runbookSelector: { selector: 'app=tenant-operator', matched: 0 },
      }),
    });
    const f = check(s)[0];
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBe('controller-crash');
    expect(f?.evidence[0]).toMatch(/1\/1 ready/);
  });

  it('the incident: OOMKilled since the onset is resource exhaustion, with the memory limit', () => {
    const s = withContainer(firing(), {
      restartCount: 4,
      last: { state: 'terminated', reason: 'OOMKilled', exitCode: 137, finishedAt: ago(300) },
    });
    const f = check(s)[0];
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBe('controller-resource-exhaustion');
    expect(f?.evidence.join('\n')).toMatch(/memory limit 128/);
    expect(top(s)).toBe('controller-resource-exhaustion');
  });

  it('the incident: CrashLoopBackOff is a crash', () => {
    const s = withContainer(firing(), {
      ready: false,
      restartCount: 9,
      current: { state: 'waiting', reason: 'CrashLoopBackOff' },
      last: { state: 'terminated', reason: 'Error', exitCode: 1, finishedAt: ago(120) },
    });
    expect(named(check(s))).toEqual(['controller-crash']);
    expect(check(s)[0]?.weight).toBeGreaterThanOrEqual(0.8);
  });

  it('a single recent restart is only a weak warning', () => {
    const s = withContainer(firing(), {
      restartCount: 1,
      last: { state: 'terminated', reason: 'Error', exitCode: 1, finishedAt: ago(600) },
    });
    const f = check(s)[0];
    expect(f?.status).toBe('warn');
    expect(f?.cause).toBe('controller-crash');
    expect(f?.weight).toBeLessThan(0.3);
    expect(top(s)).toBeUndefined();
  });

  it('decoy: restarts (even OOM kills) days before the onset are history', () => {
    const s = withContainer(firing(), {
      restartCount: 7,
      last: { state: 'terminated', reason: 'OOMKilled', exitCode: 137, finishedAt: ago(3 * 86_400) },
    });
    const findings = check(s);
    expect(named(findings)).toEqual([]);
    expect(findings[0]?.status).toBe('ok');
    expect(findings[0]?.summary).toMatch(/7 restarts, the last 3 days before the errors began: history/);
  });

  it('decoy: panics recovered by controller-runtime without restarts are a bug, not a crash', () => {
    const s = withLogs(firing(), [reconcileErrors(30, PANIC, { level: 'panic' })]);
    const findings = check(s);
    expect(named(findings)).toEqual(['controller-bug']);
    expect(findings[0]?.summary).toMatch(/recovered by controller-runtime/);
    expect(top(s)).toBe('controller-bug');
  });

  it('panics with a container that restarts now are a crash', () => {
    const s = withLogs(
      withContainer(firing(), {
        restartCount: 5,
        current: { state: 'waiting', reason: 'CrashLoopBackOff' },
        last: { state: 'terminated', reason: 'Error', exitCode: 2, finishedAt: ago(60) },
      }),
      [reconcileErrors(5, 'panic: runtime error: invalid memory address or nil pointer dereference')],
    );
    const findings = check(s);
    expect(named(findings)).not.toContain('controller-bug');
    expect(
      findings.some(
        (f) => f.cause === 'controller-crash' && /panics and its container restarts/.test(f.summary),
      ),
    ).toBe(true);
    expect(top(s)).toBe('controller-crash');
  });

  it('decoy: panics that stopped days before the onset are history', () => {
    const s = withLogs(firing(), [
      reconcileErrors(50, PANIC, { firstSecondsAgo: 5 * 86_400, lastSecondsAgo: 4 * 86_400 }),
    ]);
    expect(named(check(s))).toEqual([]);
  });

  it('memory near the limit is a warning of exhaustion', () => {
    const s = withContainer(firing(), {}, { memory: 125 * 2 ** 20, cpu: 0.05 });
    const f = check(s).find((x) => x.cause === 'controller-resource-exhaustion');
    expect(f?.status).toBe('warn');
    expect(f?.summary).toMatch(/memory limit/);
  });

  it('CPU at the limit is a warning of throttling', () => {
    const s = withContainer(firing(), {}, { cpu: 0.49 });
    const f = check(s).find((x) => x.cause === 'controller-resource-exhaustion');
    expect(f?.status).toBe('warn');
    expect(f?.summary).toMatch(/CPU limit/);
  });

  it('a pod not ready without restarts is a warning without a cause', () => {
    const s = withContainer(firing(), { ready: false });
    expect(check(s).map((f) => [f.status, f.cause])).toEqual([['warn', null]]);
  });
});
