/** The alert's life as a pure function: pending, firing, repeat, resolved with hysteresis, blind. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIFECYCLE,
  fingerprint,
  initialState,
  noticeToDeliver,
  type Observation,
  transition,
} from '../../lambda/alert/lifecycle.js';
import type { AlertState, Notice } from '../../lambda/model/alert.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const SETTINGS = { repeatIntervalSeconds: 3600, ...DEFAULT_LIFECYCLE };
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const above = (m: number, sustained = true): Observation => ({
  at: at(m),
  runId: `run-${m}`,
  errorRate: { state: 'ok', value: 0.2 },
  sustained,
  threshold: 0.1,
});
const below = (m: number): Observation => ({
  at: at(m),
  runId: `run-${m}`,
  errorRate: { state: 'ok', value: 0.01 },
  sustained: false,
  threshold: 0.1,
});
const unknown = (m: number): Observation => ({
  at: at(m),
  runId: `run-${m}`,
  errorRate: { state: 'unknown', reason: 'Prometheus unreachable' },
  sustained: false,
  threshold: 0.1,
});

/** Runs observations from the initial state, marking each notice delivered as the delivery stage would. */
function run(
  observations: Observation[],
  start: AlertState = initialState('prod-eks-1', 'TenantReconciliationErrors', T0),
) {
  let state = start;
  const notices: (Notice['kind'] | undefined)[] = [];
  const states: string[] = [];
  for (const o of observations) {
    const { next, notice } = transition(state, o, SETTINGS);
    if (notice) next.lastNotifiedAt = o.at.toISOString();
    notices.push(notice?.kind);
    states.push(next.state);
    state = next;
  }
  return { state, notices, states };
}

describe('transition', () => {
  it('inactive → pending → firing → (no repeat before the interval) → repeat → resolved after two cycles below', () => {
    const { states, notices, state } = run([
      above(0, false),
      above(5),
      above(10),
      above(65),
      below(70),
      below(75),
      below(80),
    ]);
    expect(states).toEqual(['pending', 'firing', 'firing', 'firing', 'firing', 'resolved', 'inactive']);
    expect(notices).toEqual([undefined, 'firing', undefined, 'repeat', undefined, 'resolved', undefined]);
    expect(state.firingRunId).toBeUndefined();
  });

  it('firing records its run and start; repeat and resolved carry them', () => {
    let s = initialState('c', 'a', T0);
    const fired = transition(s, above(5), SETTINGS);
    expect(fired.notice).toEqual({ kind: 'firing', firingRunId: 'run-5', firingSince: at(5).toISOString() });
    s = { ...fired.next, lastNotifiedAt: at(5).toISOString() };
    const repeat = transition(s, above(70), SETTINGS);
    expect(repeat.notice).toEqual({ kind: 'repeat', firingRunId: 'run-5', firingSince: at(5).toISOString() });
    s = transition(transition(repeat.next, below(75), SETTINGS).next, below(80), SETTINGS).next;
    expect(s.state).toBe('resolved');
  });

  it('hysteresis: one cycle below, then above again, stays firing without a resolved notice', () => {
    const { states, notices } = run([above(0), below(5), above(10), below(15), above(20)]);
    expect(states).toEqual(['firing', 'firing', 'firing', 'firing', 'firing']);
    expect(notices).toEqual(['firing', undefined, undefined, undefined, undefined]);
  });

  it('a spike that falls back never fires', () => {
    const { states, notices } = run([above(0, false), below(5)]);
    expect(states).toEqual(['pending', 'inactive']);
    expect(notices).toEqual([undefined, undefined]);
  });

  it('blind after three unknown cycles, repeats at the interval, unblinds when the rate is known again', () => {
    const { states, notices } = run([
      unknown(0),
      unknown(5),
      unknown(10),
      unknown(15),
      unknown(75),
      below(80),
    ]);
    expect(states).toEqual(['inactive', 'inactive', 'blind', 'blind', 'blind', 'inactive']);
    expect(notices).toEqual([undefined, undefined, 'blind', undefined, 'blind', 'unblind']);
  });

  it('an unknown cycle between knowns resets the streak', () => {
    const { states } = run([unknown(0), unknown(5), below(10), unknown(15), unknown(20)]);
    expect(states).toEqual(['inactive', 'inactive', 'inactive', 'inactive', 'inactive']);
  });

  it('a firing alert that goes blind keeps firing and repeats, never resolves on unknown', () => {
    const { states, notices } = run([above(0), unknown(5), unknown(10), unknown(15), unknown(65)]);
    expect(states).toEqual(['firing', 'firing', 'firing', 'firing', 'firing']);
    expect(notices).toEqual(['firing', undefined, undefined, undefined, 'repeat']);
  });

  it('from blind straight to firing', () => {
    const { states, notices } = run([unknown(0), unknown(5), unknown(10), above(15)]);
    expect(states.at(-1)).toBe('firing');
    expect(notices.at(-1)).toBe('firing');
  });

  it('bumps the version on every transition', () => {
    const s = initialState('c', 'a', T0);
    expect(transition(s, below(1), SETTINGS).next.version).toBe(1);
  });

  it('the fingerprint is stable and depends only on cluster and alert name', () => {
    expect(fingerprint('c', 'a')).toBe(fingerprint('c', 'a'));
    expect(fingerprint('c', 'a')).not.toBe(fingerprint('c', 'b'));
    expect(fingerprint('c', 'a')).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('noticeToDeliver', () => {
  const base = initialState('c', 'a', T0);
  const pending = { kind: 'firing' as const, firingRunId: 'run-1', slot: 's1', runId: 'run-1' };

  it('nothing decided and nothing pending: nothing', () => {
    expect(noticeToDeliver(base, undefined, 's2', 'run-2')).toBeUndefined();
  });

  it('a decided notice gets this slot and run', () => {
    expect(noticeToDeliver(base, { kind: 'firing' }, 's2', 'run-2')).toEqual({
      kind: 'firing',
      slot: 's2',
      runId: 'run-2',
    });
  });

  it('an undelivered notice is delivered first, also instead of a repeat', () => {
    expect(noticeToDeliver({ ...base, pendingNotice: pending }, undefined, 's2', 'run-2')).toBe(pending);
    expect(noticeToDeliver({ ...base, pendingNotice: pending }, { kind: 'repeat' }, 's2', 'run-2')).toBe(
      pending,
    );
  });

  it('a resolved or blind notice supersedes an undelivered firing', () => {
    expect(noticeToDeliver({ ...base, pendingNotice: pending }, { kind: 'resolved' }, 's2', 'run-2')).toEqual(
      { kind: 'resolved', slot: 's2', runId: 'run-2' },
    );
    expect(noticeToDeliver({ ...base, pendingNotice: pending }, { kind: 'blind' }, 's2', 'run-2')?.kind).toBe(
      'blind',
    );
  });
});
