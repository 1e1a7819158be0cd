/** The decision of one cycle, pure: findings, verdict, next state, what to deliver, the run to store. */
import { describe, expect, it } from 'vitest';
import { type DecisionSettings, decide } from '../../lambda/alert/decide.js';
import { initialState } from '../../lambda/alert/lifecycle.js';
import { CHECKS, runChecks } from '../../lambda/checks/index.js';
import type { ClusterSnapshot } from '../../lambda/model/snapshot.js';
import { succeeded } from '../../lambda/model/source.js';
import { firingMetrics, healthySnapshot, reconcileErrors, unreadable, withLogs } from '../unit/snapshot.js';

const SETTINGS: DecisionSettings = {
  alert: { name: 'TenantReconciliationErrors', threshold: 0.1, for: 600, repeatInterval: 3600 },
  retentionDays: 30,
};
const AT = new Date('2026-12-01T10:00:00Z');
const input = (
  snapshot: ClusterSnapshot,
  previous = initialState(snapshot.cluster, SETTINGS.alert.name, AT),
) => ({
  snapshot,
  previous,
  settings: SETTINGS,
  at: AT,
  runId: 'run-1',
  slot: '2026-12-01T10:00',
});
/** operator pods "read" with no data: a shape no collector makes, which makes operator-health throw. */
const malformed = (s: ClusterSnapshot): ClusterSnapshot =>
  ({ ...s, operatorPods: { ok: true, data: null, elapsedMs: 5 } }) as unknown as ClusterSnapshot;

describe('runChecks', () => {
  it('runs every check on a healthy snapshot without throwing', () => {
    const findings = runChecks(healthySnapshot(), { threshold: 0.1 });
    expect(findings.every((f) => f.status === 'ok')).toBe(true);
    expect([...new Set(findings.map((f) => f.check))]).toEqual(
      expect.arrayContaining([
        'error-rate',
        'error-patterns',
        'operator-health',
        'api-server',
        'affected-tenants',
        'rbac',
        'cluster-resources',
      ]),
    );
    expect(CHECKS).toHaveLength(10);
  });

  it('a check that throws becomes an unknown finding that says so, and the others go on', () => {
    const s = withLogs(malformed(healthySnapshot({ metrics: succeeded(firingMetrics(), 5) })), [
      reconcileErrors(40, 'pods "web" is forbidden: exceeded quota: compute-resources'),
    ]);
    const findings = runChecks(s, { threshold: 0.1 });
    const broken = findings.find((f) => /^operator-?health$/i.test(f.check));
    expect(broken).toMatchObject({ status: 'unknown', cause: null, weight: 0 });
    expect(broken?.summary).toMatch(/check failed: .*a bug in the checker; the other checks ran/);
    expect(findings.some((f) => f.check === 'error-patterns' && f.cause === 'quota-exceeded')).toBe(true);
    expect(findings.some((f) => f.check === 'cluster-resources')).toBe(true);
  });
});

describe('decide', () => {
  it('healthy: none, inactive, nothing to deliver, the run stored with its sources', () => {
    const d = decide(input(healthySnapshot()));
    expect(d.verdict.causes.map((c) => c.id)).toEqual(['none']);
    expect(d.next.state).toBe('inactive');
    expect(d.deliver).toBeUndefined();
    expect(d.next.pendingNotice).toBeUndefined();
    expect(d.run).toMatchObject({
      cluster: 'prod-eks-1',
      runId: 'run-1',
      slot: '2026-12-01T10:00',
      errorRate: 0.01,
      coverage: 1,
    });
    expect(d.run.sources.metrics).toBe('ok');
    expect(d.run.expiresAt).toBe(Math.floor(AT.getTime() / 1000) + 30 * 86_400);
  });

  it('the incident: firing, with the cause, and the firing notice recorded as pending until delivered', () => {
    const s = withLogs(healthySnapshot({ metrics: succeeded(firingMetrics(), 5) }), [
      reconcileErrors(40, 'pods "web" is forbidden: exceeded quota: compute-resources'),
    ]);
    const d = decide(input(s));
    expect(d.verdict.causes[0]?.id).toBe('quota-exceeded');
    expect(d.next.state).toBe('firing');
    expect(d.deliver).toEqual({
      kind: 'firing',
      firingRunId: 'run-1',
      firingSince: AT.toISOString(),
      slot: '2026-12-01T10:00',
      runId: 'run-1',
    });
    expect(d.next.pendingNotice).toEqual(d.deliver);
    expect(d.run.alert.state).toBe('firing');
    expect(d.run.causes).toBe(d.verdict.causes);
  });

  it('a check that throws does not stop the decision: the run is still made', () => {
    const s = malformed(healthySnapshot({ metrics: succeeded(firingMetrics(), 5) }));
    const d = decide(input(s));
    expect(d.findings.some((f) => f.status === 'unknown' && /a bug in the checker/.test(f.summary))).toBe(
      true,
    );
    expect(d.next.state).toBe('firing');
    expect(d.run.findings).toBe(d.findings);
  });

  it('metrics that cannot be read count as an unknown cycle, not as below the threshold', () => {
    const previous = { ...initialState('prod-eks-1', SETTINGS.alert.name, AT), unknownStreak: 2 };
    const d = decide(
      input(
        healthySnapshot({ metrics: unreadable({ kind: 'unreachable', message: 'Prometheus down' }) }),
        previous,
      ),
    );
    expect(d.next.state).toBe('blind');
    expect(d.deliver?.kind).toBe('blind');
    expect(d.verdict.errorRate).toBeNull();
  });

  it('an undelivered notice from an earlier cycle is delivered first', () => {
    const pending = { kind: 'firing' as const, firingRunId: 'run-0', slot: 'earlier', runId: 'run-0' };
    const previous = {
      ...initialState('prod-eks-1', SETTINGS.alert.name, AT),
      state: 'firing' as const,
      firingRunId: 'run-0',
      pendingNotice: pending,
    };
    const d = decide(input(healthySnapshot({ metrics: succeeded(firingMetrics(), 5) }), previous));
    expect(d.deliver).toBe(pending);
  });
});
