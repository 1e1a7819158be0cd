/**
 * The evaluation beyond what one instant shows: the replayed state machine on hand-made
 * evaluations (limit, clashing label sets, resolved retention), and on a real Prometheus the
 * window's edges (an alert older than the window, the previous cycle's state), a source that cannot
 * answer, the whole rule set at once, and the direct scrape, which evaluates none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertingRule,
  canEvaluate,
  evaluateRule,
  evaluateRules,
  operatorRules,
  parseRules,
  type RangeQuery,
  replay,
  type Step,
} from '../lambda/alert/rules/index.js';
import { rangeQueryOver } from '../lambda/collect/metrics/source.js';
import { urlTransport } from '../lambda/collect/metrics/transports.js';
import { type PrometheusServer, startPrometheus } from '../sim/prometheus.js';
import { backfill, during, type RuleScenario, samples } from './helpers/rules-oracle.js';

function rulesFrom(text: string): AlertingRule[] {
  const parsed = parseRules(text, 'test.yaml');
  if (!parsed.ok) throw parsed.error;
  return parsed.rules.alerting;
}

const [limited, clashing, forZero, emptyLabel] = rulesFrom(`groups:
- name: limited
  interval: 30s
  limit: 2
  rules:
  - alert: Limited
    expr: x > 0
- name: plain
  interval: 30s
  rules:
  - alert: Clashing
    expr: a > 0 or b > 0
    for: 1m
  - alert: Immediately
    expr: x > 0
  - alert: EmptyLabel
    expr: x > 0
    labels:
      tier: '{{ $labels.tier }}'
`) as [AlertingRule, AlertingRule, AlertingRule, AlertingRule];

const step = (minute: number, samples: { labels: Record<string, string>; value?: number }[]): Step => ({
  ts: minute * 60_000,
  samples: samples.map((s) => ({ labels: s.labels, value: s.value ?? 1 })),
});

describe("replaying Prometheus's state machine", () => {
  it('fires at the first evaluation when for is 0', () => {
    const { active } = replay(forZero, [step(0, [{ labels: { __name__: 'x', pod: 'a' } }])]);
    expect([...active.values()].map((a) => [a.key, a.state, a.firedAt])).toEqual([
      ['{alertname="Immediately", pod="a"}', 'firing', 0],
    ]);
  });

  it('over the group limit, drops every alert and fails the evaluation', () => {
    const pods = ['a', 'b', 'c'].map((pod) => ({ labels: { pod } }));
    const result = replay(limited, [step(0, pods.slice(0, 2)), step(0.5, pods)]);
    expect(result.active.size).toBe(0);
    expect(result.lastError).toBe('exceeded limit of 2 with 3 alerts');
  });

  it('fails an evaluation whose series clash once __name__ is dropped, leaving the state as it was', () => {
    const before = step(0, [{ labels: { __name__: 'a', pod: 'p' } }]);
    const clash = step(0.5, [
      { labels: { __name__: 'a', pod: 'p' } },
      { labels: { __name__: 'b', pod: 'p' } },
    ]);
    const result = replay(clashing, [before, clash]);
    expect(result.lastError).toBe(
      'vector contains metrics with the same labelset after applying alert labels',
    );
    expect([...result.active.values()].map((a) => [a.state, a.activeAt])).toEqual([['pending', 0]]);
    const after = replay(clashing, [before, clash, step(1, [{ labels: { __name__: 'a', pod: 'p' } }])]);
    expect(after.lastError).toBeUndefined();
    expect([...after.active.values()].map((a) => a.state)).toEqual(['firing']);
  });

  it('keeps a resolved alert 15 minutes, then forgets it', () => {
    const firing = [step(0, [{ labels: { pod: 'a' } }])];
    const gone = (minute: number) => step(minute, []);
    const at15 = replay(forZero, [...firing, gone(1), gone(16)]);
    expect([...at15.active.values()].map((a) => [a.state, a.resolvedAt])).toEqual([['inactive', 60_000]]);
    const at16 = replay(forZero, [...firing, gone(1), gone(16.5)]);
    expect(at16.active.size).toBe(0);
    expect(at16.expired.get('{alertname="Immediately", pod="a"}')).toBe(60_000);
  });

  it('drops a rule label whose template renders empty, as labels.Builder does', () => {
    const { active } = replay(emptyLabel, [
      step(0, [{ labels: { pod: 'a' } }, { labels: { pod: 'b', tier: 'gold' } }]),
    ]);
    expect([...active.values()].map((a) => a.labels)).toEqual([
      { pod: 'a', alertname: 'EmptyLabel' },
      { pod: 'b', tier: 'gold', alertname: 'EmptyLabel' },
    ]);
  });
});

/** Hours of history: an alert older than any window, one that resolved, one that resolved long ago. */
const HISTORY: RuleScenario = {
  name: 'history',
  rule: 'TenantDegraded',
  file: 'operator',
  minutes: 180,
  series: [
    {
      name: 'tenant_degraded_status',
      labels: { tenant: 'old', namespace: 't', reason: 'R' },
      values: samples(180, () => 1),
    },
    {
      name: 'tenant_degraded_status',
      labels: { tenant: 'recent', namespace: 't', reason: 'R' },
      values: samples(180, during(100, 170, 1)),
    },
    {
      name: 'tenant_degraded_status',
      labels: { tenant: 'long-ago', namespace: 't', reason: 'R' },
      values: samples(180, during(10, 60, 1)),
    },
  ],
  expect: {},
};
const T0 = Math.floor(Date.now() / 3_600_000) * 3600 - 6 * 3600;
const at = (minute: number) => new Date((T0 + minute * 60) * 1000);
const iso = (minute: number) => at(minute).toISOString();
const degraded = operatorRules().alerting.find((r) => r.name === 'TenantDegraded') as AlertingRule;

let prometheus: PrometheusServer;
let rangeQuery: RangeQuery;

beforeAll(async () => {
  prometheus = await startPrometheus(backfill([{ scenario: HISTORY, t0: T0 }]));
  rangeQuery = rangeQueryOver(urlTransport(prometheus.url));
});
afterAll(() => prometheus?.stop());

describe('one rule on a real Prometheus', () => {
  it('evaluates on the interval grid: the instant is rounded down, or onto a given offset', async () => {
    const base = { rangeQuery, at: new Date(at(120).getTime() + 17_000) };
    expect((await evaluateRule(degraded, base)).evaluatedAt).toBe(iso(120));
    expect((await evaluateRule(degraded, { ...base, gridOffsetMs: 10_000 })).evaluatedAt).toBe(
      new Date(at(120).getTime() + 10_000).toISOString(),
    );
  });

  it('says when an alert is older than its window, and takes the earlier activeAt from the previous cycle', async () => {
    const alone = await evaluateRule(degraded, { at: at(150), rangeQuery });
    const old = alone.instances.find((i) => i.labels.tenant === 'old');
    // for 5m + margin 15m: the window starts at 130m.
    expect(alone.window).toMatchObject({ start: iso(130), end: iso(150), stepSeconds: 30, evaluations: 41 });
    expect(old).toMatchObject({ state: 'firing', activeAt: iso(130), activeAtTruncated: true });
    const previous = {
      evaluatedAt: iso(145),
      instances: [
        {
          labels: {
            tenant: 'old',
            namespace: 't',
            reason: 'R',
            severity: 'critical',
            component: 'tenant-operator',
          },
          state: 'firing' as const,
          activeAt: iso(0),
        },
      ],
    };
    const withPrevious = await evaluateRule(degraded, { at: at(150), rangeQuery, previous });
    const carried = withPrevious.instances.find((i) => i.labels.tenant === 'old');
    expect(carried?.activeAt).toBe(iso(0));
    expect(carried?.activeAtTruncated).toBeUndefined();
  });

  it('reports an alert that resolved within the window with its times, and one firing at the previous cycle as resolved', async () => {
    const evaluation = await evaluateRule(degraded, {
      at: at(175),
      rangeQuery,
      previous: {
        evaluatedAt: iso(55),
        instances: [
          {
            labels: {
              tenant: 'long-ago',
              namespace: 't',
              reason: 'R',
              severity: 'critical',
              component: 'tenant-operator',
            },
            state: 'firing',
            activeAt: iso(10),
          },
        ],
      },
    });
    const byTenant = Object.fromEntries(evaluation.instances.map((i) => [i.labels.tenant, i]));
    expect(byTenant.recent).toMatchObject({
      state: 'resolved',
      resolvedAt: iso(170),
      annotations: { summary: 'Tenant recent is degraded (R)' },
    });
    // Gone since 60m: long before the window (155m–175m) began; resolved no later than its start.
    expect(byTenant['long-ago']).toMatchObject({
      state: 'resolved',
      activeAt: iso(10),
      resolvedAt: iso(155),
    });
    expect(evaluation.state).toBe('firing');
  });

  it('is unknown, naming the rule, when the source cannot be reached', async () => {
    const evaluation = await evaluateRule(degraded, {
      at: at(150),
      rangeQuery: rangeQueryOver(urlTransport('http://127.0.0.1:9', 2000)),
    });
    expect(evaluation.state).toBe('unknown');
    expect(evaluation.reason).toMatch(
      /^rule "TenantDegraded" \(group "tenant-operator.critical"\): could not be evaluated: .*ECONNREFUSED/,
    );
  });
});

describe('all the rules of a source', () => {
  it('are evaluated against AMP or Prometheus', async () => {
    const rules = operatorRules().alerting;
    const { evaluations, notices } = await evaluateRules(rules, {
      at: at(150),
      source: 'prometheus',
      rangeQuery,
    });
    expect(notices).toEqual([]);
    expect(evaluations.map((e) => [e.rule.name, e.state])).toEqual(
      rules.map((r) => [r.name, r.name === 'TenantDegraded' ? 'firing' : 'inactive']),
    );
  });

  it('need AMP or a Prometheus server: the direct scrape has no PromQL engine', () => {
    expect(canEvaluate(degraded, 'amp')).toEqual({ ok: true });
    expect(canEvaluate(degraded, 'prometheus')).toEqual({ ok: true });
    expect(canEvaluate(degraded, 'scrape')).toEqual({
      ok: false,
      needs: ['amp', 'prometheus'],
      reason: expect.stringContaining(
        'rule "TenantDegraded" needs a PromQL engine with history (it evaluates its expression every 30s and waits 5m before firing)',
      ),
    });
  });

  it('are unknown with the direct scrape, said once for all of them', async () => {
    const rules = operatorRules().alerting;
    const { evaluations, notices } = await evaluateRules(rules, {
      at: at(150),
      source: 'scrape',
      rangeQuery,
    });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('None of the 14 alerting rules can be evaluated with the direct scrape');
    expect(notices[0]).toContain('metrics.source "amp"');
    for (const rule of rules) expect(notices[0]).toContain(rule.name);
    expect(new Set(evaluations.map((e) => e.state))).toEqual(new Set(['unknown']));
    expect(evaluations[0]?.reason).toContain("the direct scrape of the operator's metrics has neither");
  });
});
