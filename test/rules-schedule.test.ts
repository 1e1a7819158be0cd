/**
 * How far evaluating on a schedule (every 5 minutes) is from Prometheus evaluating every interval,
 * measured on a real Prometheus: onsets at every phase of the 30s sample grid, Prometheus's group
 * offset at every phase of the 30s interval, the checker's schedule at every phase of its 5 minutes.
 * The numbers are the ones evaluate.ts states: the moment an alert fires is found within one interval
 * of Prometheus's whatever its group offset, exactly on the same grid, and noticed within one schedule
 * period (plus the interval's rounding); an alert that fires and resolves between two cycles is still
 * seen, with both times. RULES_SCHEDULE_REPORT=1 prints the measurements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertingRule,
  evaluateRule,
  operatorRules,
  type RangeQuery,
  type RuleEvaluation,
} from '../lambda/alert/rules/index.js';
import { rangeQueryOver } from '../lambda/collect/metrics/source.js';
import { urlTransport } from '../lambda/collect/metrics/transports.js';
import { type PrometheusServer, startPrometheus } from '../sim/prometheus.js';
import { backfill, during, type RuleScenario, samples } from './helpers/rules-oracle.js';

const MINUTES = 70;
const ONSETS = Array.from({ length: 10 }, (_, k) => 3 + k * 0.5);
const SCENARIO: RuleScenario = {
  name: 'onsets at every phase',
  rule: 'TenantDegraded',
  file: 'operator',
  minutes: MINUTES,
  series: [
    ...ONSETS.map((onset, k) => ({
      name: 'tenant_degraded_status',
      labels: { tenant: `t${k}`, namespace: 'tenants', reason: 'ResourceFailures' },
      values: samples(MINUTES, during(onset, onset + 12, 1)),
    })),
    // Fires at 46:00 and resolves at 47:00, between two cycles of a 5-minute schedule.
    {
      name: 'tenant_degraded_status',
      labels: { tenant: 'blip', namespace: 'tenants', reason: 'ResourceFailures' },
      values: samples(MINUTES, during(41, 47, 1)),
    },
  ],
  expect: {},
};

const T0 = Math.floor(Date.now() / 3_600_000) * 3600 - 4 * 3600;
const INTERVAL_MS = 30_000;
const SCHEDULE_MS = 5 * 60_000;
const rule = operatorRules().alerting.find((r) => r.name === 'TenantDegraded') as AlertingRule;

let prometheus: PrometheusServer;
let rangeQuery: RangeQuery;
beforeAll(async () => {
  prometheus = await startPrometheus(backfill([{ scenario: SCENARIO, t0: T0 }]));
  rangeQuery = rangeQueryOver(urlTransport(prometheus.url));
});
afterAll(() => prometheus?.stop());

const tenantOf = (e: RuleEvaluation, tenant: string) => e.instances.find((i) => i.labels.tenant === tenant);

/** Evaluations at `times` (ms since T0), in order. */
async function evaluateAt(
  times: number[],
  gridOffsetMs = 0,
): Promise<{ t: number; evaluation: RuleEvaluation }[]> {
  const out = [];
  for (const t of times) {
    out.push({
      t,
      evaluation: await evaluateRule(rule, { at: new Date(T0 * 1000 + t), rangeQuery, gridOffsetMs }),
    });
  }
  return out;
}

/** When each tenant first fires, as an evaluator running every interval on a grid offset by `offsetMs` sees it. */
async function firedAtEveryInterval(offsetMs: number): Promise<Map<string, number>> {
  const times = Array.from(
    { length: (MINUTES * 60_000) / INTERVAL_MS },
    (_, i) => i * INTERVAL_MS + offsetMs,
  );
  const fired = new Map<string, number>();
  for (const { t, evaluation } of await evaluateAt(times, offsetMs)) {
    for (const i of evaluation.instances) {
      if (i.state === 'firing' && !fired.has(i.labels.tenant as string))
        fired.set(i.labels.tenant as string, t);
    }
  }
  return fired;
}

const report = (...lines: string[]) => {
  if (process.env.RULES_SCHEDULE_REPORT) console.info(lines.join('\n'));
};

describe('schedule against interval', () => {
  let reference: Map<string, number>;
  beforeAll(async () => {
    reference = await firedAtEveryInterval(0);
  });

  it("finds the moment of firing within one interval of Prometheus's, whatever its group's offset", async () => {
    expect(reference.size).toBe(ONSETS.length + 1);
    let worst = 0;
    for (const offset of [5_000, 10_000, 15_000, 20_000, 25_000]) {
      const shifted = await firedAtEveryInterval(offset);
      for (const [tenant, t] of reference) {
        const difference = Math.abs((shifted.get(tenant) as number) - t);
        worst = Math.max(worst, difference);
      }
    }
    report(`firing moment, grid offset 5s..25s against 0s: worst difference ${worst / 1000}s`);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(INTERVAL_MS);
  });

  it('notices a firing within one schedule period, and reconstructs its exact moment', async () => {
    let worstDelay = 0;
    for (const phase of [0, 37_000, 74_000, 111_000, 148_000, 185_000, 222_000, 259_000]) {
      const cycles = Array.from({ length: MINUTES / 5 + 1 }, (_, i) => i * SCHEDULE_MS + phase);
      const noticed = new Map<string, number>();
      for (const { t, evaluation } of await evaluateAt(cycles)) {
        for (const [tenant, firedAt] of reference) {
          const seen = tenantOf(evaluation, tenant);
          if (noticed.has(tenant) || !seen?.firedAt) continue;
          noticed.set(tenant, t);
          // The cycle reconstructs the moment the alert fired, not the cycle's own time.
          expect(Date.parse(seen.firedAt) - T0 * 1000, `${tenant} at phase ${phase}`).toBe(firedAt);
          worstDelay = Math.max(worstDelay, t - firedAt);
        }
      }
      expect([...noticed.keys()].sort()).toEqual([...reference.keys()].sort());
    }
    report(`notice delay on a 5-minute schedule, phases 0..259s: worst ${worstDelay / 1000}s`);
    expect(worstDelay).toBeLessThan(SCHEDULE_MS + INTERVAL_MS);
    expect(worstDelay).toBeGreaterThan(SCHEDULE_MS / 2);
  });

  it('sees an alert that fired and resolved between two cycles, with both times', async () => {
    const [evaluation] = (await evaluateAt([50 * 60_000])).map((e) => e.evaluation);
    const blip = tenantOf(evaluation as RuleEvaluation, 'blip');
    const minute = (iso?: string) => (Date.parse(iso as string) / 1000 - T0) / 60;
    expect(blip?.state).toBe('resolved');
    expect([minute(blip?.activeAt), minute(blip?.firedAt), minute(blip?.resolvedAt)]).toEqual([41, 46, 47]);
  });
});
