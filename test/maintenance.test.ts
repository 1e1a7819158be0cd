/**
 * Maintenance windows: the pure functions at a window's edges and across daylight-saving changes
 * (Intl's time-zone data, so the dates are real 2026 transitions), then whole cycles on DynamoDB
 * (dynalite) that hold a firing during the window and say so when it ends.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeWindow,
  applyMaintenance,
  type MaintenanceWindow,
  offsetMs,
  parseDays,
  zonedInstant,
} from '../lambda/alert/maintenance.js';
import { KubeconfigConnector } from '../lambda/collect/connectors.js';
import type { MetricsSource } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import { runCycle } from '../lambda/cycle.js';
import type { HeldNotices } from '../lambda/model/alert.js';
import type { MetricsEvaluation } from '../lambda/model/metrics.js';
import type { Measured } from '../lambda/model/source.js';
import { succeeded } from '../lambda/model/source.js';
import { FileBundleStore } from '../lambda/sinks/bundle-store.js';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import { MemoryNotifier } from '../lambda/sinks/notifier.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { createTable, type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { collectorFor } from './helpers/ports.js';

const window = (w: Partial<MaintenanceWindow> & Pick<MaintenanceWindow, 'start' | 'timeZone'>) =>
  ({
    days: [0, 1, 2, 3, 4, 5, 6],
    daysText: '*',
    durationSeconds: 7200,
    ...w,
  }) as MaintenanceWindow;
const Z = (iso: string) => new Date(iso);
const localMs = (y: number, mo: number, d: number, h: number, mi: number) => Date.UTC(y, mo - 1, d, h, mi);

describe('days as cron writes them', () => {
  it.each([
    ['*', [0, 1, 2, 3, 4, 5, 6]],
    ['mon-fri', [1, 2, 3, 4, 5]],
    ['Sat,Sun', [0, 6]],
    ['1-5', [1, 2, 3, 4, 5]],
    ['0,7', [0]],
    ['fri-mon', [0, 1, 5, 6]],
  ])('%s', (text, days) => {
    expect(parseDays(text)).toEqual(days);
  });

  it.each(['mon-fry', 'monday', '8', 'mon-', 'mon-tue-wed', ''])('refuses %j', (text) => {
    expect(parseDays(text)).toHaveProperty('error');
  });
});

describe('local times in a zone, through Intl', () => {
  it('knows the offsets on each side of a change', () => {
    expect(offsetMs(Date.parse('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toBe(3600_000);
    expect(offsetMs(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(7200_000);
    expect(offsetMs(Date.parse('2026-03-08T06:59:59Z'), 'America/New_York')).toBe(-5 * 3600_000);
    expect(offsetMs(Date.parse('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(-4 * 3600_000);
  });

  it('a time that does not exist (spring forward) moves on by the gap', () => {
    // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST, so 02:30 is 03:30 CEST, 01:30Z.
    expect(new Date(zonedInstant(localMs(2026, 3, 29, 2, 30), 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });

  it('a time that exists twice (fall back) is the first of the two', () => {
    // Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 CEST is 00:30Z, 02:30 CET 01:30Z.
    expect(new Date(zonedInstant(localMs(2026, 10, 25, 2, 30), 'Europe/Berlin')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('ordinary times, east and west of Greenwich', () => {
    expect(new Date(zonedInstant(localMs(2026, 11, 23, 22, 0), 'Europe/Berlin')).toISOString()).toBe(
      '2026-11-23T21:00:00.000Z',
    );
    expect(new Date(zonedInstant(localMs(2026, 7, 1, 9, 0), 'America/New_York')).toISOString()).toBe(
      '2026-07-01T13:00:00.000Z',
    );
    expect(new Date(zonedInstant(localMs(2026, 7, 1, 9, 0), 'Asia/Kolkata')).toISOString()).toBe(
      '2026-07-01T03:30:00.000Z',
    );
  });
});

describe("a window's edges", () => {
  // Weeknights 22:00 for 2h in Berlin; in November that is 21:00Z to 23:00Z.
  const weeknights = window({
    days: [1, 2, 3, 4, 5],
    daysText: 'mon-fri',
    start: '22:00',
    timeZone: 'Europe/Berlin',
  });

  it('starts at its start (inclusive) and ends at its end (exclusive)', () => {
    expect(activeWindow([weeknights], Z('2026-11-23T20:59:59.999Z'))).toBeUndefined();
    expect(activeWindow([weeknights], Z('2026-11-23T21:00:00.000Z'))).toMatchObject({
      start: Z('2026-11-23T21:00:00.000Z'),
      end: Z('2026-11-23T23:00:00.000Z'),
    });
    expect(activeWindow([weeknights], Z('2026-11-23T22:59:59.999Z'))).toBeDefined();
    expect(activeWindow([weeknights], Z('2026-11-23T23:00:00.000Z'))).toBeUndefined();
  });

  it('runs past midnight into a day that does not start one (Friday night into Saturday)', () => {
    // Friday 27 November 22:00 CET to Saturday 00:00 CET.
    expect(activeWindow([weeknights], Z('2026-11-27T22:30:00Z'))?.start).toEqual(Z('2026-11-27T21:00:00Z'));
    // Saturday 22:00 CET: not a weeknight.
    expect(activeWindow([weeknights], Z('2026-11-28T21:30:00Z'))).toBeUndefined();
  });

  it('a window longer than a day is found days after it started', () => {
    const weekend = window({
      days: [6],
      daysText: 'sat',
      start: '08:00',
      durationSeconds: 2 * 86_400,
      timeZone: 'UTC',
    });
    expect(activeWindow([weekend], Z('2026-11-29T23:00:00Z'))?.start).toEqual(Z('2026-11-28T08:00:00Z'));
    expect(activeWindow([weekend], Z('2026-11-30T08:00:00Z'))).toBeUndefined();
  });
});

describe('a daylight-saving change', () => {
  // Weekdays 09:00 for 1h in New York; DST begins Sunday 8 March 2026.
  const mornings = window({
    days: [1, 2, 3, 4, 5],
    daysText: 'mon-fri',
    start: '09:00',
    durationSeconds: 3600,
    timeZone: 'America/New_York',
  });

  it('keeps the wall-clock start: 14:00Z in winter, 13:00Z in summer time', () => {
    // Friday 6 March, EST (UTC-5): 09:00 is 14:00Z.
    expect(activeWindow([mornings], Z('2026-03-06T13:30:00Z'))).toBeUndefined();
    expect(activeWindow([mornings], Z('2026-03-06T14:30:00Z'))?.start).toEqual(Z('2026-03-06T14:00:00Z'));
    // Monday 9 March, EDT (UTC-4): 09:00 is 13:00Z.
    expect(activeWindow([mornings], Z('2026-03-09T13:30:00Z'))?.start).toEqual(Z('2026-03-09T13:00:00Z'));
    expect(activeWindow([mornings], Z('2026-03-09T14:30:00Z'))).toBeUndefined();
  });

  it('a window across the change lasts its elapsed duration (an hour more or less on the wall clock)', () => {
    const night = window({
      days: [6],
      daysText: 'sat',
      start: '23:00',
      durationSeconds: 6 * 3600,
      timeZone: 'Europe/Berlin',
    });
    // Spring forward: Saturday 28 March 23:00 CET (22:00Z) to 04:00Z, which is 06:00 CEST.
    expect(activeWindow([night], Z('2026-03-29T03:59:59Z'))?.start).toEqual(Z('2026-03-28T22:00:00Z'));
    expect(activeWindow([night], Z('2026-03-29T04:00:00Z'))).toBeUndefined();
    // Fall back: Saturday 24 October 23:00 CEST (21:00Z) to 03:00Z, which is 04:00 CET.
    expect(activeWindow([night], Z('2026-10-25T02:59:59Z'))?.end).toEqual(Z('2026-10-25T03:00:00Z'));
    expect(activeWindow([night], Z('2026-10-25T03:00:00Z'))).toBeUndefined();
  });

  it('a start in the spring-forward gap starts an hour later on the wall clock that day', () => {
    const early = window({ start: '02:30', durationSeconds: 1800, timeZone: 'Europe/Berlin' });
    expect(activeWindow([early], Z('2026-03-29T01:00:00Z'))).toBeUndefined();
    expect(activeWindow([early], Z('2026-03-29T01:45:00Z'))?.start).toEqual(Z('2026-03-29T01:30:00Z'));
    // The day before and after, 02:30 is 01:30Z (CET) and 00:30Z (CEST).
    expect(activeWindow([early], Z('2026-03-28T01:45:00Z'))?.start).toEqual(Z('2026-03-28T01:30:00Z'));
    expect(activeWindow([early], Z('2026-03-30T00:45:00Z'))?.start).toEqual(Z('2026-03-30T00:30:00Z'));
  });
});

describe('holding and releasing notices', () => {
  const w = window({ start: '22:00', timeZone: 'UTC' });
  const inside = Z('2026-11-23T22:30:00Z');
  const after = Z('2026-11-24T00:05:00Z');
  const firing = {
    kind: 'firing' as const,
    firingRunId: 'r1',
    firingSince: inside.toISOString(),
    slot: 's1',
    runId: 'r1',
  };

  it('holds what was decided inside the window, and delivers nothing', () => {
    const d = applyMaintenance({
      windows: [w],
      at: inside,
      state: 'firing',
      deliver: firing,
      slot: 's1',
      runId: 'r1',
    });
    expect(d.deliver).toBeUndefined();
    expect(d.holding).toEqual({
      kind: 'firing',
      until: '2026-11-24T00:00:00.000Z',
      window: '* 22:00 UTC for 2h',
    });
    expect(d.held).toMatchObject({ kinds: ['firing'], count: 1, firstAt: inside.toISOString() });
  });

  const held: HeldNotices = {
    window: '* 22:00 UTC for 2h',
    windowStart: '2026-11-23T22:00:00.000Z',
    windowEnd: '2026-11-24T00:00:00.000Z',
    kinds: ['firing', 'repeat'],
    count: 5,
    firstAt: '2026-11-23T22:30:00.000Z',
    lastAt: '2026-11-23T23:55:00.000Z',
    firing: { firingRunId: 'r1', firingSince: '2026-11-23T22:30:00.000Z' },
  };

  it('after the window, a still-firing alert notifies (as the firing nobody heard of), reporting what was held', () => {
    const d = applyMaintenance({ windows: [w], at: after, state: 'firing', held, slot: 's9', runId: 'r9' });
    expect(d.deliver).toEqual({
      kind: 'firing',
      firingRunId: 'r1',
      firingSince: held.firstAt,
      slot: 's9',
      runId: 'r9',
      held,
    });
    expect(d.held).toBeUndefined();
  });

  it('after the window, a firing that began and ended inside it stays quiet', () => {
    const ended = { ...held, kinds: ['firing', 'repeat', 'resolved'] as HeldNotices['kinds'] };
    expect(
      applyMaintenance({ windows: [w], at: after, state: 'inactive', held: ended, slot: 's9', runId: 'r9' }),
    ).toEqual({});
  });

  it('after the window, a firing announced before it and resolved during it is closed', () => {
    const resolved = { ...held, kinds: ['repeat', 'resolved'] as HeldNotices['kinds'] };
    const d = applyMaintenance({
      windows: [w],
      at: after,
      state: 'resolved',
      held: resolved,
      slot: 's9',
      runId: 'r9',
    });
    expect(d.deliver?.kind).toBe('resolved');
  });

  it('a blind checker after the window says so', () => {
    const blind = { ...held, kinds: ['blind'] as HeldNotices['kinds'] };
    expect(
      applyMaintenance({ windows: [w], at: after, state: 'blind', held: blind, slot: 's', runId: 'r' })
        .deliver?.kind,
    ).toBe('blind');
  });

  it('outside any window with nothing held, the decided notice goes through untouched', () => {
    expect(
      applyMaintenance({
        windows: [w],
        at: after,
        state: 'firing',
        deliver: firing,
        slot: 's1',
        runId: 'r1',
      }),
    ).toEqual({ deliver: firing });
  });
});

describe('cycles through a maintenance window (dynalite)', () => {
  let dynamo: LocalDynamo;
  let sim: Simulator;
  beforeAll(async () => {
    dynamo = await startDynamo('maintenance-runs');
    sim = await startSimulator(healthyCluster());
  });
  afterAll(async () => {
    await sim?.close();
    await dynamo?.close();
  });

  // 22:00 to 00:00 in Berlin on weeknights; the incident starts 22:10 CET (21:10Z) on Monday 23 November.
  const config = parseConfig({
    clusters: [
      {
        name: 'prod-eks-1',
        region: 'eu-west-1',
        metrics: { source: 'scrape' },
        maintenance: [
          {
            days: 'mon-fri',
            start: '22:00',
            duration: '2h',
            timeZone: 'Europe/Berlin',
            reason: 'operator upgrade',
          },
        ],
      },
    ],
  });
  const cluster = config.clusters[0] as (typeof config.clusters)[number];
  const T = Date.parse('2026-11-23T21:00:00Z');
  const at = (minute: number) => new Date(T + minute * 60_000);
  const ok = (value: number): Measured => ({ state: 'ok', value });
  const metrics = (rate: (minute: number) => number): MetricsSource => ({
    kind: 'prometheus',
    async evaluate(when) {
      const minute = (when.getTime() - T) / 60_000;
      const value = rate(minute);
      const evaluation: MetricsEvaluation = {
        source: 'prometheus',
        evaluatedAt: when.toISOString(),
        threshold: 0.1,
        forSeconds: 600,
        errorRate: ok(value),
        sustained: value > 0.1 && minute >= 20,
        reconcilesPerSecond: ok(10),
        errorsPerMinute: ok(value * 600),
        partialFailureShare: ok(0),
        controllerErrorRatio: ok(value),
        byController: [],
      };
      return { result: succeeded(evaluation, 1) };
    },
  });
  let tables = 0;
  async function run(minutes: number[], rate: (minute: number) => number) {
    const table = `maintenance-${++tables}`;
    await createTable(dynamo.client, table);
    const store = new DynamoDbRunStore(dynamo.client, table);
    const notifier = new MemoryNotifier();
    const outcomes: string[] = [];
    for (const minute of minutes) {
      const result = await runCycle(
        {
          collector: collectorFor(
            config,
            cluster,
            new KubeconfigConnector({ path: sim.kubeconfigPath }),
            () => metrics(rate),
          ),
          store,
          bundles: new FileBundleStore(mkdtempSync(join(tmpdir(), 'bundles-'))),
          notifier,
        },
        { config, cluster: cluster.name, budgetMs: 20_000, at: at(minute), slot: at(minute).toISOString() },
      );
      outcomes.push(`${minute}:${result.alert.state}:${result.notification?.status ?? '-'}`);
    }
    return { store, notifier, outcomes };
  }

  it('stores and evaluates every run, holds the firing, and says so when the window ends with the alert still firing', async () => {
    const minutes = [0, 10, 20, 30, 60, 115, 120, 125];
    const { store, notifier, outcomes } = await run(minutes, (m) => (m >= 10 ? 0.3 : 0.01));
    expect(outcomes).toEqual([
      '0:inactive:-',
      '10:pending:-',
      '20:firing:held',
      '30:firing:held',
      '60:firing:held',
      '115:firing:held',
      // 00:00 CET: the window is over; the alert still fires.
      '120:firing:sent',
      '125:firing:-',
    ]);
    expect(await store.listRuns('prod-eks-1', 100)).toHaveLength(minutes.length);
    expect(notifier.sent).toHaveLength(1);
    const [message] = notifier.sent;
    expect(message?.kind).toBe('firing');
    expect(message?.subject).toBe('[FIRING] TenantReconciliationErrors 30% on prod-eks-1');
    expect(message?.body).toContain(
      'Notifications were held during the maintenance window mon-fri 22:00 Europe/Berlin for 2h (operator upgrade), from 2026-11-23T21:00:00.000Z to 2026-11-23T23:00:00.000Z: 4 held (firing, repeat), the first at 2026-11-23T21:20:00.000Z, the last at 2026-11-23T22:55:00.000Z.',
    );
    expect(message?.body).toContain(`Firing since: ${at(20).toISOString()}`);
    const chat = JSON.parse(message?.protocols?.https ?? '{}');
    expect(chat.content.description).toContain('_Notifications were held during the maintenance window');
  });

  it('an incident that begins and ends inside the window sends nothing, then or after', async () => {
    const { notifier, outcomes } = await run([0, 10, 20, 30, 40, 50, 120, 125], (m) =>
      m >= 10 && m < 35 ? 0.3 : 0.01,
    );
    expect(outcomes.filter((o) => o.endsWith(':held'))).toEqual([
      '20:firing:held',
      '30:firing:held',
      '50:resolved:held',
    ]);
    expect(outcomes.slice(-2)).toEqual(['120:inactive:-', '125:inactive:-']);
    expect(notifier.sent).toEqual([]);
  });
});
