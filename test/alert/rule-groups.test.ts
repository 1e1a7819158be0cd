/**
 * The notification life of a rule's group, with plain objects: one firing notice when the group
 * starts firing, repeats at the repeat interval, one resolved notice when its last firing alert
 * resolves (pending alerts are not sent), nothing on a failed evaluation; maintenance holds group
 * notices as it holds the runbook's; the runbook's own rule is not a group; the record lists them.
 */
import { describe, expect, it } from 'vitest';
import { type DecisionSettings, decide } from '../../lambda/alert/decide.js';
import { initialState } from '../../lambda/alert/lifecycle.js';
import { maintenanceWindowSchema } from '../../lambda/alert/maintenance.js';
import {
  compareSummaries,
  initialGroupState,
  previousRuleState,
  transitionGroup,
} from '../../lambda/alert/rule-groups.js';
import {
  type AlertInstance,
  type AlertingRule,
  groupAlerts,
  type RuleEvaluation,
} from '../../lambda/alert/rules/index.js';
import type { AlertState } from '../../lambda/model/alert.js';
import { healthySnapshot } from '../unit/snapshot.js';

const AT = new Date('2026-12-01T10:00:00Z');
const minutes = (m: number) => new Date(AT.getTime() + m * 60_000);

function rule(name = 'TenantResourcesFailed', severity = 'critical'): AlertingRule {
  return {
    kind: 'alerting',
    name,
    group: 'tenant-operator.critical',
    index: 2,
    expr: 'tenant_resources_failed > 0',
    forMs: 300_000,
    keepFiringForMs: 0,
    labels: { severity },
    annotations: { summary: 'Tenant {{ $labels.tenant }} has {{ $value }} failed resource(s)' },
    intervalMs: 30_000,
    limit: 0,
    queryOffsetMs: 0,
    problems: [],
  };
}

function alert(tenant: string, state: AlertInstance['state'], activeAt = minutes(-20)): AlertInstance {
  const labels = { alertname: 'TenantResourcesFailed', severity: 'critical', tenant, namespace: 'tenants-0' };
  return {
    key: JSON.stringify(labels),
    labels,
    state,
    activeAt: activeAt.toISOString(),
    ...(state === 'firing' ? { firedAt: minutes(-15).toISOString() } : {}),
    ...(state === 'resolved' ? { resolvedAt: minutes(-1).toISOString() } : {}),
    value: 2,
    annotations: { summary: `Tenant ${tenant} has 2 failed resource(s)` },
  };
}

function evaluation(instances: AlertInstance[], r = rule(), at = AT): RuleEvaluation {
  const firing = instances.some((i) => i.state === 'firing');
  const pending = instances.some((i) => i.state === 'pending');
  return {
    rule: r,
    evaluatedAt: at.toISOString(),
    state: firing ? 'firing' : pending ? 'pending' : instances.length ? 'resolved' : 'inactive',
    instances,
    problems: [],
    window: { start: minutes(-35).toISOString(), end: at.toISOString(), stepSeconds: 30, evaluations: 70 },
  };
}

const step = (previous: AlertState | undefined, e: RuleEvaluation, at = AT, repeat = 4 * 3600) => {
  const [group] = groupAlerts('prod', e);
  if (!group) throw new Error('no group');
  return transitionGroup(previous ?? initialGroupState(group, at), group, e, {
    at,
    runId: `run-${at.getTime()}`,
    repeatIntervalSeconds: repeat,
  });
};

describe('a rule group', () => {
  it('notifies once when it starts firing, carrying when it fired, and remembers its alerts', () => {
    const { next, notice } = step(undefined, evaluation([alert('a', 'firing'), alert('b', 'pending')]));
    expect(next.state).toBe('firing');
    expect(notice).toMatchObject({ kind: 'firing', firingSince: minutes(-15).toISOString() });
    expect(next.rule).toMatchObject({ name: 'TenantResourcesFailed', severity: 'critical', count: 2 });
    expect(next.rule?.instances.map((i) => i.state)).toEqual(['firing', 'pending']);
    expect(previousRuleState(next)?.instances).toHaveLength(2);
  });

  it('is silent while it keeps firing, and repeats once the repeat interval has passed', () => {
    const first = step(undefined, evaluation([alert('a', 'firing')]));
    const notified = { ...first.next, lastNotifiedAt: AT.toISOString() };
    expect(step(notified, evaluation([alert('a', 'firing')]), minutes(5)).notice).toBeUndefined();
    expect(step(notified, evaluation([alert('a', 'firing')]), minutes(60), 3600).notice).toMatchObject({
      kind: 'repeat',
      firingSince: first.next.firingSince,
    });
  });

  it('resolves once, when its last firing alert resolves, even with others still pending', () => {
    const fired = step(undefined, evaluation([alert('a', 'firing'), alert('b', 'firing')])).next;
    const firing = { ...fired, lastNotifiedAt: AT.toISOString() };
    // One of two resolved: still firing, nothing said.
    const half = step(firing, evaluation([alert('a', 'resolved'), alert('b', 'firing')]), minutes(5));
    expect(half.notice).toBeUndefined();
    expect(half.next.state).toBe('firing');
    // The last one resolved while a third is only pending: the group of firing alerts has resolved.
    const done = step(half.next, evaluation([alert('b', 'resolved'), alert('c', 'pending')]), minutes(10));
    expect(done.notice).toMatchObject({ kind: 'resolved', firingSince: firing.firingSince });
    expect(done.next.state).toBe('pending');
    expect(done.next.firingSince).toBeUndefined();
    // And not again.
    expect(step(done.next, evaluation([]), minutes(15)).notice).toBeUndefined();
  });

  it('a firing group whose alerts expired from the evaluation (inactive) still resolves once', () => {
    const firing = step(undefined, evaluation([alert('a', 'firing')])).next;
    const gone = step(firing, evaluation([]), minutes(40));
    expect(gone.notice?.kind).toBe('resolved');
    expect(gone.next.state).toBe('resolved');
  });

  it('a pending group never notifies', () => {
    const { next, notice } = step(undefined, evaluation([alert('a', 'pending')]));
    expect(next.state).toBe('pending');
    expect(notice).toBeUndefined();
  });

  it('a failed evaluation (unknown) leaves the group as it was, and says nothing', () => {
    const firing = step(undefined, evaluation([alert('a', 'firing')])).next;
    const failed: RuleEvaluation = { ...evaluation([]), state: 'unknown', reason: 'the query timed out' };
    const { next, notice } = step(firing, failed, minutes(5));
    expect(notice).toBeUndefined();
    expect(next.state).toBe('firing');
    expect(next.rule).toEqual(firing.rule);
  });

  it('remembers at most 50 alerts of a group of thousands, and counts them all', () => {
    const many = Array.from({ length: 3000 }, (_, i) => alert(`t-${i}`, 'firing'));
    const { next } = step(undefined, evaluation(many));
    expect(next.rule?.instances).toHaveLength(50);
    expect(next.rule?.count).toBe(3000);
    expect(Buffer.byteLength(JSON.stringify(next))).toBeLessThan(16 * 1024);
  });
});

describe('decide with rules', () => {
  const SETTINGS: DecisionSettings = {
    alert: { name: 'TenantReconciliationErrors', threshold: 0.1, for: 600, repeatInterval: 3600 },
    retentionDays: 30,
  };
  const snapshot = healthySnapshot();
  const base = {
    snapshot,
    previous: initialState(snapshot.cluster, SETTINGS.alert.name, AT),
    settings: SETTINGS,
    at: AT,
    runId: 'run-1',
    slot: AT.toISOString(),
  };

  it('delivers a firing group while the runbook alert stays quiet, and lists every alert, firing first', () => {
    const decision = decide({
      ...base,
      rules: {
        evaluations: [
          evaluation([], rule('TenantConflicted', 'warning')),
          evaluation([alert('a', 'firing')]),
          // The runbook's own rule is the primary alert: never a second group of the same alert.
          evaluation([alert('a', 'firing')], rule('TenantReconciliationErrors', 'warning')),
        ],
        notices: [],
      },
    });
    expect(decision.deliver).toBeUndefined();
    expect(decision.groups.map((g) => g.group.alertname)).toEqual([
      'TenantConflicted',
      'TenantResourcesFailed',
    ]);
    expect(decision.groups[1]?.deliver).toMatchObject({ kind: 'firing', slot: base.slot, runId: 'run-1' });
    expect(decision.groups[1]?.next.pendingNotice?.kind).toBe('firing');
    expect(decision.run.alerts?.map((a) => [a.name, a.state, a.source])).toEqual([
      ['TenantResourcesFailed', 'firing', 'rule'],
      ['TenantConflicted', 'inactive', 'rule'],
      ['TenantReconciliationErrors', 'inactive', 'runbook'],
    ]);
  });

  it('holds a group notice inside a maintenance window, as it holds the runbook’s', () => {
    const decision = decide({
      ...base,
      settings: {
        ...SETTINGS,
        maintenance: [maintenanceWindowSchema.parse({ start: '09:00', duration: '2h', timeZone: 'UTC' })],
      },
      rules: { evaluations: [evaluation([alert('a', 'firing')])], notices: [] },
    });
    expect(decision.groups[0]?.deliver).toBeUndefined();
    expect(decision.groups[0]?.holding?.kind).toBe('firing');
    expect(decision.groups[0]?.next.held?.kinds).toEqual(['firing']);
  });

  it('orders summaries: firing, pending, unknown, resolved, inactive; critical before warning', () => {
    const s = (name: string, state: 'firing' | 'pending' | 'unknown' | 'inactive', severity: string) => ({
      name,
      severity,
      state,
      instances: 0,
      activeAt: null,
      fingerprint: name,
      source: 'rule' as const,
    });
    const sorted = [
      s('c', 'inactive', 'critical'),
      s('b', 'firing', 'warning'),
      s('a', 'firing', 'critical'),
      s('d', 'unknown', 'info'),
      s('e', 'pending', 'warning'),
    ].sort(compareSummaries);
    expect(sorted.map((x) => x.name)).toEqual(['a', 'b', 'e', 'd', 'c']);
  });
});
