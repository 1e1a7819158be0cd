/**
 * Groups as Alertmanager makes them by default (per cluster and alert name): one small object per
 * group whatever the number of alerts, a fingerprint that is data, the state of the group as a
 * whole, and what a message leads with.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../lambda/alert/lifecycle.js';
import {
  type AlertInstance,
  compareInstances,
  groupAlerts,
  groupFingerprint,
  type InstanceState,
  labelKey,
  operatorRules,
  type RuleEvaluation,
} from '../lambda/alert/rules/index.js';

const notReady = operatorRules().alerting.find((r) => r.name === 'TenantNotReady');
if (!notReady) throw new Error('TenantNotReady is missing');
const EVALUATED = new Date(Math.floor(Date.now() / 30_000) * 30_000);
const minutesAgo = (m: number) => new Date(EVALUATED.getTime() - m * 60_000).toISOString();

function instance(tenant: string, state: InstanceState, extra: Partial<AlertInstance> = {}): AlertInstance {
  const labels = {
    tenant,
    namespace: tenant.startsWith('b') ? 'billing' : 'tenants',
    type: 'Ready',
    severity: 'critical',
    component: 'tenant-operator',
    alertname: 'TenantNotReady',
  };
  return {
    key: labelKey(labels),
    labels,
    state,
    activeAt: minutesAgo(state === 'pending' ? 3 : 20),
    ...(state === 'firing' ? { firedAt: minutesAgo(5) } : {}),
    ...(state === 'resolved' ? { firedAt: minutesAgo(15), resolvedAt: minutesAgo(1) } : {}),
    value: 0,
    annotations: {
      summary: `Tenant ${tenant} not ready for 15+ minutes`,
      runbook_url: 'https://docs.kubernetes-tenants.org/alert-runbooks#tenantnotready',
    },
    ...extra,
  };
}

function evaluation(instances: AlertInstance[], extra: Partial<RuleEvaluation> = {}): RuleEvaluation {
  return {
    rule: notReady as NonNullable<typeof notReady>,
    evaluatedAt: EVALUATED.toISOString(),
    state: 'firing',
    instances: [...instances].sort(compareInstances),
    problems: [],
    window: { start: minutesAgo(30), end: EVALUATED.toISOString(), stepSeconds: 30, evaluations: 61 },
    ...extra,
  };
}

describe('a group', () => {
  it('of five thousand alerts stays one small object that counts them and lists ten', () => {
    const instances = Array.from({ length: 5000 }, (_, i) =>
      instance(`tenant-${String(i).padStart(4, '0')}`, i % 10 === 0 ? 'pending' : 'firing'),
    );
    const [group] = groupAlerts('prod-eu', evaluation(instances));
    expect(group).toMatchObject({
      cluster: 'prod-eu',
      alertname: 'TenantNotReady',
      state: 'firing',
      severity: 'critical',
      instances: 5000,
      counts: { firing: 4500, pending: 500, resolved: 0 },
      activeAt: minutesAgo(20),
      firedAt: minutesAgo(5),
      more: 4990,
      commonLabels: {
        type: 'Ready',
        severity: 'critical',
        component: 'tenant-operator',
        alertname: 'TenantNotReady',
      },
      commonAnnotations: { runbook_url: 'https://docs.kubernetes-tenants.org/alert-runbooks#tenantnotready' },
      leadAnnotations: { summary: 'Tenant tenant-0001 not ready for 15+ minutes' },
    });
    expect(group?.top).toHaveLength(10);
    expect(group?.top.every((a) => a.state === 'firing')).toBe(true);
    expect(group?.top[0]).toEqual({
      labels: { tenant: 'tenant-0001' },
      state: 'firing',
      activeAt: minutesAgo(20),
      firedAt: minutesAgo(5),
      value: 0,
      summary: 'Tenant tenant-0001 not ready for 15+ minutes',
    });
    expect(JSON.stringify(group).length).toBeLessThan(4096);
  });

  it('has the fingerprint of its cluster and alert name, the same as the runbook alert’s scheme', () => {
    const [group] = groupAlerts('prod-eu', evaluation([instance('acme', 'firing')]));
    expect(group?.fingerprint).toBe(fingerprint('prod-eu', 'TenantNotReady'));
    expect(group?.fingerprint).toBe(groupFingerprint('prod-eu', 'TenantNotReady'));
    expect(groupFingerprint('prod-us', 'TenantNotReady')).not.toBe(group?.fingerprint);
  });

  it('splits by extra group labels, each with its own stable fingerprint', () => {
    const instances = [
      instance('acme', 'firing'),
      instance('billing-1', 'pending'),
      instance('billing-2', 'firing'),
    ];
    const groups = groupAlerts('prod-eu', evaluation(instances), { groupBy: ['namespace'] });
    // The group with the strongest alert comes first (billing-2 fires, and sorts before acme).
    expect(groups.map((g) => [g.groupLabels, g.state, g.instances])).toEqual([
      [{ namespace: 'billing' }, 'firing', 2],
      [{ namespace: 'tenants' }, 'firing', 1],
    ]);
    const reversed = groupAlerts('prod-eu', evaluation([...instances].reverse()), { groupBy: ['namespace'] });
    expect(new Set(reversed.map((g) => g.fingerprint))).toEqual(new Set(groups.map((g) => g.fingerprint)));
    expect(groups[0]?.fingerprint).not.toBe(groups[1]?.fingerprint);
    expect(groups[0]?.fingerprint).not.toBe(groupFingerprint('prod-eu', 'TenantNotReady'));
  });

  it('resolves when its last alert has resolved, at that alert’s time', () => {
    const one = groupAlerts('c', evaluation([instance('a', 'resolved'), instance('b', 'firing')]))[0];
    expect(one?.state).toBe('firing');
    const last = instance('b', 'resolved', { resolvedAt: minutesAgo(0.5) });
    const all = groupAlerts('c', evaluation([instance('a', 'resolved'), last]))[0];
    expect(all).toMatchObject({
      state: 'resolved',
      instances: 0,
      counts: { resolved: 2 },
      resolvedAt: minutesAgo(0.5),
    });
  });

  it('of a rule with no alerts is one inactive group, so every evaluated rule is reported', () => {
    const groups = groupAlerts('c', evaluation([], { state: 'inactive' }));
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      state: 'inactive',
      instances: 0,
      top: [],
      more: 0,
      severity: 'critical',
    });
    expect(groups[0]?.commonLabels).toMatchObject({ alertname: 'TenantNotReady', severity: 'critical' });
  });

  it('of a rule that could not be evaluated is unknown, with the reason', () => {
    const reason =
      'rule "TenantNotReady" (group "tenant-operator.critical"): could not be evaluated: timeout';
    const [group] = groupAlerts('c', evaluation([], { state: 'unknown', reason }));
    expect(group).toMatchObject({ state: 'unknown', reason });
  });
});
