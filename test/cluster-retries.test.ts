/**
 * Reading the cluster on a bad day, round two: a transient 429, 5xx or dropped connection is tried
 * again inside the read's share of the budget (Retry-After honoured, in seconds or as a date), an
 * expired list token does not lose the list, and the newest log lines are the ones kept. Every fault
 * comes from the simulator, as the API server would give it.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Budget, HttpsClusterReader } from '../lambda/collect/cluster-reader.js';
import { loadLocalKubeConfig } from '../lambda/collect/kubeconfig.js';
import {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  isIdempotentRead,
  parseRetryAfter,
  planRetry,
  triesAllowed,
} from '../lambda/collect/retry.js';
import { healthyCluster, logLine } from '../sim/kube/fixtures.js';
import { type Fault, type Simulator, startSimulator } from '../sim/kube/server.js';
import { collectFrom } from './helpers/collect.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const TENANTS = /^\/apis\/operator\.kubernetes-tenants\.org\/v1\/tenants/;
const tenantReads = (s: Simulator) => s.requests.filter((r) => TENANTS.test(r.path));

async function collectWith(faults: Fault[], options: Parameters<typeof collectFrom>[1] = {}) {
  const fixture = healthyCluster();
  fixture.faults = faults;
  sim = await startSimulator(fixture);
  return collectFrom(sim, options);
}

async function readerFor(s: Simulator, budgetMs = 20_000, retry = {}) {
  return HttpsClusterReader.fromKubeConfig(
    loadLocalKubeConfig({ path: s.kubeconfigPath }),
    Budget.forMs(budgetMs),
    {
      retry,
    },
  );
}

describe('the retry policy', () => {
  it('retries only what a retry can cure: 429, 5xx but 501, resets; a refused connection once', () => {
    const policy = { maxTries: 4 };
    expect(triesAllowed({ status: 429 }, policy)).toBe(4);
    expect(triesAllowed({ status: 500 }, policy)).toBe(4);
    expect(triesAllowed({ status: 503 }, policy)).toBe(4);
    expect(triesAllowed({ status: 501 }, policy)).toBe(1);
    for (const status of [400, 401, 403, 404, 409, 410]) expect(triesAllowed({ status }, policy)).toBe(1);
    expect(triesAllowed({ code: 'ECONNRESET' }, policy)).toBe(4);
    expect(triesAllowed({ code: 'ECONNREFUSED' }, policy)).toBe(2);
    expect(triesAllowed({ code: 'ENOTFOUND' }, policy)).toBe(1);
    expect(triesAllowed({ timeout: true }, policy)).toBe(1);
  });

  it('retries reads only: GET, and the reviews that store nothing', () => {
    expect(isIdempotentRead('GET', '/api/v1/nodes')).toBe(true);
    expect(isIdempotentRead('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews')).toBe(true);
    expect(isIdempotentRead('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).toBe(true);
    expect(
      isIdempotentRead('POST', '/apis/authorization.k8s.io/v1/namespaces/x/localsubjectaccessreviews'),
    ).toBe(true);
    expect(isIdempotentRead('POST', '/api/v1/namespaces/x/configmaps')).toBe(false);
    expect(isIdempotentRead('DELETE', '/api/v1/nodes/n')).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('waits with full jitter: somewhere in [0, min(cap, base·2^n)), never more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, r) => {
          const wait = backoffMs(n, { baseMs: 200, capMs: 3000, random: () => r });
          const ceiling = Math.min(3000, 200 * 2 ** (n - 2));
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThan(ceiling);
        },
      ),
    );
  });

  it('never plans a wait past the read share, and honours Retry-After when it fits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 1, max: 3 }),
        (seconds, remainingMs, tried) => {
          const plan = planRetry(
            { status: 429, retryAfter: String(seconds) },
            tried,
            remainingMs,
            { ...DEFAULT_RETRY_POLICY, random: () => 0.5 },
            0,
          );
          if (plan.retry) {
            expect(plan.waitMs).toBeGreaterThanOrEqual(seconds * 1000);
            expect(plan.waitMs + DEFAULT_RETRY_POLICY.minTryMs).toBeLessThanOrEqual(remainingMs);
          } else {
            expect(seconds * 1000 + DEFAULT_RETRY_POLICY.minTryMs > remainingMs || tried >= 4).toBe(true);
          }
        },
      ),
    );
  });
});

describe('transient faults are tried again, and the source says how many tries it took', () => {
  it('a 503 once: the tenants are read on the second try', async () => {
    const snapshot = await collectWith([{ path: TENANTS, status: 503, times: 1 }]);
    expect(snapshot.tenants).toMatchObject({ ok: true, tries: 2 });
    expect(snapshot.tenants.notes?.[0]).toMatch(/HTTP 503.*tried again after \d+ ms/);
    expect(tenantReads(sim as Simulator)).toHaveLength(2);
    // Sources without trouble say nothing about tries.
    expect(snapshot.nodes.tries).toBeUndefined();
  });

  it('a 429 with Retry-After in seconds: waits at least that long, then reads', async () => {
    const snapshot = await collectWith([
      { path: TENANTS, status: 429, headers: { 'Retry-After': '1' }, times: 1 },
    ]);
    expect(snapshot.tenants).toMatchObject({ ok: true, tries: 2 });
    const [first, second] = tenantReads(sim as Simulator);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('a 503 with Retry-After as an HTTP date: waits until then', async () => {
    const fixture = healthyCluster();
    sim = await startSimulator(fixture);
    // Dates have whole seconds: two seconds ahead is at least one second from now.
    fixture.faults = [
      {
        path: TENANTS,
        status: 503,
        headers: { 'Retry-After': new Date(Date.now() + 2000).toUTCString() },
        times: 1,
      },
    ];
    const snapshot = await collectFrom(sim);
    expect(snapshot.tenants).toMatchObject({ ok: true, tries: 2 });
    const [first, second] = tenantReads(sim);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('a Retry-After longer than the read share of the budget is not waited for', async () => {
    const snapshot = await collectWith([{ path: TENANTS, status: 429, headers: { 'Retry-After': '120' } }]);
    expect(snapshot.tenants).toMatchObject({
      ok: false,
      error: { kind: 'throttled', retryAfterSeconds: 120 },
      notes: [expect.stringMatching(/Retry-After 120s does not fit/)],
    });
    expect(tenantReads(sim as Simulator)).toHaveLength(1);
  });

  it('501 Not Implemented is not retried (another try gives the same answer)', async () => {
    const snapshot = await collectWith([{ path: TENANTS, status: 501 }]);
    expect(snapshot.tenants).toMatchObject({ ok: false, error: { status: 501 } });
    expect(snapshot.tenants.tries).toBeUndefined();
    expect(tenantReads(sim as Simulator)).toHaveLength(1);
  });

  it('a connection reset once: read on the second try', async () => {
    const snapshot = await collectWith([
      { path: '/api/v1/namespaces/tenant-operator-system/pods', reset: true, times: 1 },
    ]);
    expect(snapshot.operatorPods).toMatchObject({ ok: true, tries: 2 });
    // The logs, which wait for the pod list, are read too.
    expect(snapshot.operatorLogs.ok).toBe(true);
  });

  it('a SubjectAccessReview answered 503 once is asked again (it stores nothing)', async () => {
    const snapshot = await collectWith([
      { path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', method: 'POST', status: 503, times: 2 },
    ]);
    expect(snapshot.rbacChecks).toMatchObject({ ok: true, tries: 2 });
    expect(
      snapshot.rbacChecks.ok && snapshot.rbacChecks.data.checks.every((c) => c.allowed !== undefined),
    ).toBe(true);
  });

  it('a 503 that lasts: four tries at most, and the failure is evidence as before', async () => {
    const snapshot = await collectWith([{ path: TENANTS, status: 503 }]);
    expect(snapshot.tenants).toMatchObject({ ok: false, error: { kind: 'server', status: 503 }, tries: 4 });
    expect(tenantReads(sim as Simulator)).toHaveLength(4);
  });

  it('no try is sent once the budget is spent', async () => {
    const snapshot = await collectWith([{ path: /./, status: 503 }], { budgetMs: 600 });
    const deadline = Date.parse(snapshot.collectedAt) + 600;
    for (const r of (sim as Simulator).requests) expect(r.at).toBeLessThanOrEqual(deadline + 250);
    expect(snapshot.tenants).toMatchObject({ ok: false, error: { kind: 'server' } });
  });
});

describe('a refused connection is tried once more', () => {
  it('an API server that restarts between two tries is read on the second', async () => {
    sim = await startSimulator(healthyCluster());
    const s = sim;
    await s.refuseConnections();
    const waits: number[] = [];
    const reader = await readerFor(s, 20_000, {
      // While the reader waits to try again, the API server comes back.
      sleep: async (ms: number) => {
        waits.push(ms);
        await s.acceptConnections();
      },
    });
    const nodes = await reader.getJson('/api/v1/nodes');
    reader.close();
    expect(nodes).toMatchObject({ ok: true, tries: 2 });
    expect(waits).toHaveLength(1);
  });

  it('an API server that stays down is tried twice, not more: the refusal is the evidence', async () => {
    sim = await startSimulator(healthyCluster());
    await sim.refuseConnections();
    const reader = await readerFor(sim);
    const nodes = await reader.getJson('/api/v1/nodes');
    reader.close();
    expect(nodes).toMatchObject({ ok: false, error: { kind: 'unreachable' }, tries: 2 });
    expect(!nodes.ok && nodes.error.message).toContain('ECONNREFUSED');
  });
});

describe('an expired continue token (410 Gone) does not lose the list', () => {
  const many = () => {
    const fixture = healthyCluster({ tenants: 1200 });
    return fixture;
  };

  it('continues with the fresh token the 410 Status carries, counting every tenant once', async () => {
    const fixture = many();
    fixture.faults = [{ path: /tenants\?.*continue=/, expireContinue: 'fresh-token', times: 1 }];
    sim = await startSimulator(fixture);
    const snapshot = await collectFrom(sim);
    expect(snapshot.tenants).toMatchObject({ ok: true, data: { total: 1200, pages: 3 } });
    expect(snapshot.tenants.notes?.join('\n')).toMatch(/continue token expired \(410\).*fresh token/);
  });

  it('starts the list again when the 410 has no token, skipping what was already counted', async () => {
    const fixture = many();
    fixture.faults = [{ path: /tenants\?.*continue=/, expireContinue: 'restart', times: 1 }];
    sim = await startSimulator(fixture);
    const snapshot = await collectFrom(sim);
    expect(snapshot.tenants).toMatchObject({ ok: true, data: { total: 1200 } });
    expect(snapshot.tenants.notes?.join('\n')).toMatch(
      /list was started again, skipping the \d+ items already read/,
    );
    const firstPages = tenantReads(sim).filter((r) => !r.query.has('continue'));
    expect(firstPages).toHaveLength(2);
  });

  it('gives up after three expiries in a row, with the 410 as the error', async () => {
    const fixture = many();
    fixture.faults = [{ path: /tenants\?.*continue=/, expireContinue: 'restart' }];
    sim = await startSimulator(fixture);
    const snapshot = await collectFrom(sim);
    expect(snapshot.tenants).toMatchObject({ ok: false, error: { status: 410 } });
  });
});

describe('the newest log lines are kept', () => {
  it('at the default cap: a 17 MB tail keeps its newest lines (limitBytes would have kept the oldest)', async () => {
    const fixture = healthyCluster();
    const key = Object.keys(fixture.logs ?? {})[0] as string;
    const padding = 'x'.repeat(1000);
    const lines = Array.from(
      { length: 17_000 },
      (_, i) => `2026-12-01T10:00:00.000Z\tINFO\tline ${String(i).padStart(5, '0')} ${padding}`,
    );
    fixture.logs = { ...fixture.logs, [key]: `${lines.join('\n')}\n` };
    sim = await startSimulator(fixture);
    const snapshot = await collectFrom(sim, { logTailLines: 50_000 });
    const stream = snapshot.operatorLogs.ok ? snapshot.operatorLogs.data.streams[0] : undefined;
    expect(stream?.text).toContain('line 16999 ');
    expect(stream?.text).not.toContain('line 00000 ');
  });

  it('with more log than the byte cap, the lines nearest now survive and the oldest are cut', async () => {
    const fixture = healthyCluster();
    const key = Object.keys(fixture.logs ?? {})[0] as string;
    const lines = Array.from({ length: 2000 }, (_, i) =>
      logLine('console', {
        secondsAgo: 2000 - i,
        level: 'info',
        msg: `reconcile step ${String(i).padStart(4, '0')} done`,
      }),
    );
    fixture.logs = { ...fixture.logs, [key]: `${lines.join('\n')}\n` };
    sim = await startSimulator(fixture);
    const snapshot = await collectFrom(sim, { logTailLines: 2000, logLimitBytes: 16 * 1024 });
    expect(snapshot.operatorLogs.ok).toBe(true);
    if (!snapshot.operatorLogs.ok) return;
    const stream = snapshot.operatorLogs.data.streams[0];
    expect(stream?.text).toContain('reconcile step 1999 done');
    expect(stream?.text).not.toContain('reconcile step 0000 done');
    expect(Buffer.byteLength(stream?.text ?? '')).toBeLessThanOrEqual(16 * 1024);
    // Whole lines only: the first kept line starts with its timestamp.
    expect(stream?.text).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(snapshot.operatorLogs.notes?.[0]).toMatch(/the oldest \d+ bytes were cut/);
    // limitBytes is not sent: with tailLines, the API server would keep the start of the tail.
    expect(sim.requests.find((r) => r.path.endsWith('/log'))?.query.has('limitBytes')).toBe(false);
  });
});
