/** Diagnosis step 6: which tenants are not ready and why; registries' counts. Each status follows its numbers. */
import { describe, expect, it } from 'vitest';
import { affectedTenants } from '../../lambda/checks/affected-tenants.js';
import type { ClusterSnapshot, RegistryStatus } from '../../lambda/model/snapshot.js';
import { healthySnapshot, unreadable } from '../unit/snapshot.js';
import { firing, named, ok, THRESHOLD, top } from './incident.js';

const check = (s: ClusterSnapshot) => affectedTenants(s, THRESHOLD);

function notReady(n: number, reason: string, message: string, total = 40) {
  return ok({
    kind: 'Tenant',
    total,
    byReady: { True: total - n, False: n, Unknown: 0, Missing: 0 },
    degraded: 0,
    conflicted: 0,
    notReady: Array.from({ length: n }, (_, i) => ({
      namespace: `ns-${i}`,
      name: `customer-${i}`,
      ready: 'False',
      reason,
      message,
    })),
    notReadyByReason: { [reason]: n },
    namespaces: 4,
    pages: 1,
  });
}

const registry = (r: Partial<RegistryStatus>): RegistryStatus => ({
  namespace: 'tenant-operator-system',
  name: 'customers',
  ...r,
});

describe('affected-tenants', () => {
  it('healthy: 0 of 40 not ready is ok, no cause', () => {
    const findings = check(healthySnapshot());
    expect(findings.map((f) => [f.status, f.cause])).toEqual([['ok', null]]);
    expect(findings[0]?.summary).toBe('0 of 40 Tenants not ready (0.0%)');
  });

  it('unreadable tenants are unknown', () => {
    const s = healthySnapshot({
      tenants: unreadable({ kind: 'forbidden', status: 403, message: 'forbidden' }),
    });
    expect(check(s)[0]?.status).toBe('unknown');
  });

  it('the count follows the numbers: 12 of 40 not ready fails, 2 of 40 warns', () => {
    expect(
      check(firing({ tenants: notReady(12, 'ApplyFailed', 'failed to apply resources') }))[0],
    ).toMatchObject({
      status: 'fail',
      cause: null,
      summary: '12 of 40 Tenants not ready (30.0%)',
    });
    expect(
      check(firing({ tenants: notReady(2, 'ApplyFailed', 'failed to apply resources') }))[0]?.status,
    ).toBe('warn');
  });

  it('the incident: not-ready tenants stating a quota name quota-exceeded', () => {
    const s = firing({
      tenants: notReady(
        12,
        'ApplyFailed',
        'pods "web" is forbidden: exceeded quota: compute-resources, requested: requests.cpu=500m',
      ),
    });
    const f = check(s).find((x) => x.cause === 'quota-exceeded');
    expect(f?.status).toBe('fail');
    expect(f?.summary).toBe('12 not-ready Tenants state quota-exceeded');
    expect(top(s)).toBe('quota-exceeded');
  });

  it('two tenants stating a webhook are only a warning', () => {
    const s = firing({
      tenants: notReady(
        2,
        'ApplyFailed',
        'admission webhook "validate.kyverno.svc-fail" denied the request: policy x',
      ),
    });
    expect(check(s).find((x) => x.cause === 'admission-webhook-denied')?.status).toBe('warn');
  });

  it('a not-ready message without a stated cause names no cause', () => {
    expect(
      named(check(firing({ tenants: notReady(12, 'ApplyFailed', 'failed to apply resources') }))),
    ).toEqual([null]);
  });

  it('a registry whose counts say 28 of 40 failed fails, whatever its condition', () => {
    const s = firing({
      registries: ok([
        registry({
          desired: 40,
          ready: 12,
          failed: 28,
          readyCondition: { status: 'True', reason: 'DatabaseConnected' },
        }),
      ]),
    });
    const f = check(s).find((x) => /TenantRegistry/.test(x.summary));
    expect(f?.status).toBe('fail');
    expect(f?.summary).toMatch(/desired 40, ready 12, failed 28/);
  });

  it('a registry with a few failures warns', () => {
    const s = firing({ registries: ok([registry({ desired: 40, ready: 38, failed: 2 })]) });
    expect(check(s).find((x) => /TenantRegistry/.test(x.summary))?.status).toBe('warn');
  });

  it("a registry's DatabaseConnectionFailed is a symptom: failed, but no cause named here", () => {
    const s = firing({
      registries: ok([
        registry({
          readyCondition: {
            status: 'False',
            reason: 'DatabaseConnectionFailed',
            message: 'failed to ping MySQL: dial tcp 10.0.3.7:3306: i/o timeout',
          },
        }),
      ]),
    });
    const f = check(s).find((x) => /DatabaseConnectionFailed/.test(x.summary));
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBeNull();
    expect(f?.evidence[0]).toMatch(/failed to ping MySQL/);
  });
});
