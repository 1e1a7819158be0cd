/** The verdict: causes ranked by their evidence, "none" only with most of the cluster read, the checker's trouble apart. */
import { describe, expect, it } from 'vitest';
import { decideVerdict, MIN_CONFIDENCE, MIN_COVERAGE_FOR_NONE } from '../../lambda/alert/verdict.js';
import type { CauseId } from '../../lambda/model/causes.js';
import type { Finding, FindingStatus } from '../../lambda/model/finding.js';
import type { ClusterSnapshot } from '../../lambda/model/snapshot.js';
import { succeeded } from '../../lambda/model/source.js';
import { CLUSTER_SOURCE_NAMES } from '../../lambda/model/sources.js';
import { firingMetrics, healthySnapshot, metrics, unreadable } from '../unit/snapshot.js';

const finding = (
  cause: CauseId | null,
  weight: number,
  status: FindingStatus = 'fail',
  check = 'x',
): Finding => ({
  check,
  status,
  cause,
  summary: `${cause ?? 'nothing'} at ${weight}`,
  evidence: [`evidence for ${cause}`],
  remediation: [],
  weight,
});
const firing = () => healthySnapshot({ metrics: succeeded(firingMetrics(), 5) });
/** The first `n` cluster sources unreadable (timeouts: not the checker's access trouble). */
function unread(s: ClusterSnapshot, n: number): ClusterSnapshot {
  const out = { ...s } as Record<string, unknown>;
  for (const name of CLUSTER_SOURCE_NAMES.slice(0, n))
    out[name] = unreadable({ kind: 'timeout', message: 'timed out' });
  return out as unknown as ClusterSnapshot;
}
const ids = (s: ClusterSnapshot, findings: Finding[]) =>
  decideVerdict(s, findings, 0.1).causes.map((c) => c.id);

describe('decideVerdict', () => {
  it('ranks causes by confidence, strongest first', () => {
    const v = decideVerdict(
      firing(),
      [finding('quota-exceeded', 0.6), finding('rbac-denied', 0.9), finding('dns-failure', 0.75)],
      0.1,
    );
    expect(v.causes.map((c) => [c.id, c.confidence])).toEqual([
      ['rbac-denied', 0.9],
      ['dns-failure', 0.75],
      ['quota-exceeded', 0.6],
    ]);
  });

  it('findings for one cause combine as independent evidence', () => {
    const v = decideVerdict(
      firing(),
      [finding('controller-crash', 0.5), finding('controller-crash', 0.5)],
      0.1,
    );
    expect(v.causes[0]).toMatchObject({ id: 'controller-crash', confidence: 0.75 });
  });

  it('a warning counts at 60% of its weight', () => {
    const v = decideVerdict(firing(), [finding('controller-crash', 0.8, 'warn')], 0.1);
    expect(v.causes[0]?.confidence).toBe(0.48);
  });

  it('ties are broken by id, stably', () => {
    expect(ids(firing(), [finding('rbac-denied', 0.7), finding('dns-failure', 0.7)])).toEqual([
      'dns-failure',
      'rbac-denied',
    ]);
  });

  it(`a cause under MIN_CONFIDENCE (${MIN_CONFIDENCE}) is not named`, () => {
    expect(ids(firing(), [finding('quota-exceeded', 0.29)])).toEqual([]);
    expect(ids(firing(), [finding('quota-exceeded', 0.3)])).toEqual(['quota-exceeded']);
    // A warning at 0.45 weighs 0.27: below.
    expect(ids(firing(), [finding('quota-exceeded', 0.45, 'warn')])).toEqual([]);
  });

  it('ok and unknown findings, and findings without a cause, never name one', () => {
    expect(
      ids(firing(), [
        finding('rbac-denied', 0.9, 'ok'),
        finding('dns-failure', 0.9, 'unknown'),
        finding(null, 0.9),
      ]),
    ).toEqual([]);
  });

  it('coverage scales confidence: half the sources read, three quarters of the confidence', () => {
    const s = unread(firing(), 8); // 8 of 16 unread
    const v = decideVerdict(s, [finding('rbac-denied', 0.8)], 0.1);
    expect(v.coverage).toBe(0.5);
    expect(v.causes[0]?.confidence).toBe(0.6);
    expect(v.unread).toHaveLength(8);
  });

  it("'none' on a healthy cluster read in full", () => {
    const v = decideVerdict(healthySnapshot(), [], 0.1);
    expect(v.causes).toEqual([
      { id: 'none', confidence: 1, evidence: ['16 of 16 sources read, nothing found'] },
    ]);
    expect(v.errorRate).toBe(0.01);
    expect(v.sustained).toBe(false);
  });

  it(`'none' needs at least ${MIN_COVERAGE_FOR_NONE * 100}% of the sources read`, () => {
    // 12 of 16 read: 75%.
    expect(ids(unread(healthySnapshot(), 4), [])).toEqual(['none']);
    // 11 of 16 read: 69%.
    expect(ids(unread(healthySnapshot(), 5), [])).toEqual([]);
  });

  it("no 'none' while the rate is above the threshold, unknown, or blind to failures", () => {
    expect(ids(firing(), [])).toEqual([]);
    expect(
      ids(
        healthySnapshot({
          metrics: succeeded(metrics({ errorRate: { state: 'unknown', reason: 'no traffic' } }), 5),
        }),
        [],
      ),
    ).toEqual([]);
    expect(ids(healthySnapshot({ metrics: unreadable({ kind: 'unreachable', message: 'x' }) }), [])).toEqual(
      [],
    );
    expect(
      ids(
        healthySnapshot({
          metrics: succeeded(metrics({ alertBlind: { reasons: ['partial failures'] } }), 5),
        }),
        [],
      ),
    ).toEqual([]);
  });

  it("no 'none' beside a failing finding, even one without a cause", () => {
    expect(ids(healthySnapshot(), [finding(null, 0, 'fail')])).toEqual([]);
  });

  it("the checker's trouble is never a cause, and never 'none'", () => {
    const s = { ...healthySnapshot() } as Record<string, unknown>;
    for (const name of CLUSTER_SOURCE_NAMES)
      if (name !== 'apiServerHealth')
        s[name] = unreadable({ kind: 'forbidden', status: 403, message: 'forbidden' });
    const v = decideVerdict(s as unknown as ClusterSnapshot, [], 0.1);
    expect(v.checker?.problem).toBe('forbidden');
    expect(v.causes).toEqual([]);
    expect(v.coverage).toBe(0.13);
  });

  it('a forbidden source beside a healthy reading keeps the checker note and withholds none', () => {
    const s = {
      ...healthySnapshot(),
      events: unreadable({ kind: 'forbidden', status: 403, message: 'forbidden' }),
    };
    const v = decideVerdict(s, [], 0.1);
    expect(v.checker?.problem).toBe('partly-forbidden');
    expect(v.causes).toEqual([]);
  });

  it('the evidence lists the strongest findings first, at most six lines', () => {
    const v = decideVerdict(
      firing(),
      [
        finding('rbac-denied', 0.3),
        finding('rbac-denied', 0.9),
        finding('rbac-denied', 0.6),
        finding('rbac-denied', 0.5),
      ],
      0.1,
    );
    expect(v.causes[0]?.evidence[0]).toBe('rbac-denied at 0.9');
    expect(v.causes[0]?.evidence).toHaveLength(6);
  });
});
