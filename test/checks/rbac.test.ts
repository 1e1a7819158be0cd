/** Diagnosis step 7: the operator's permissions, as the API server decides them. */
import { describe, expect, it } from 'vitest';
import { rbac } from '../../lambda/checks/rbac.js';
import type { RbacCheck } from '../../lambda/model/snapshot.js';
import { healthySnapshot, unreadable } from '../unit/snapshot.js';
import { firing, ok, THRESHOLD, top } from './incident.js';

const USER = 'system:serviceaccount:tenant-operator-system:tenant-operator-controller-manager';
const status = (allowed: boolean | undefined, extra: Partial<RbacCheck> = {}): RbacCheck => ({
  id: 'update-tenant-status',
  runbookCommand: 'kubectl auth can-i update tenants/status',
  verb: 'update',
  group: 'operator.kubernetes-tenants.org',
  resource: 'tenants',
  subresource: 'status',
  ...(allowed !== undefined ? { allowed } : {}),
  ...extra,
});
const literal: RbacCheck = {
  id: 'runbook-literal',
  runbookCommand: 'kubectl auth can-i update tenants',
  verb: 'update',
  group: 'operator.kubernetes-tenants.org',
  resource: 'tenants',
  misleading: true,
  allowed: true,
};
const withChecks = (checks: RbacCheck[], fire = true) =>
  (fire ? firing : healthySnapshot)({ rbacChecks: ok({ user: USER, checks }) });

describe('rbac', () => {
  it('healthy: everything allowed is ok, no cause', () => {
    const findings = rbac(withChecks([status(true), literal], false), THRESHOLD);
    expect(findings.map((f) => [f.status, f.cause])).toEqual([['ok', null]]);
    expect(findings[0]?.summary).toBe('the operator may do all 1 things the runbook checks');
  });

  it('the incident: a denied status update is rbac-denied, and the runbook literal check saying yes is called out', () => {
    const s = withChecks([status(false, { reason: 'no RBAC policy matched' }), literal]);
    const f = rbac(s, THRESHOLD)[0];
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBe('rbac-denied');
    expect(f?.summary).toBe('the operator may not update tenants/status');
    expect(f?.evidence.join('\n')).toMatch(/denied \(no RBAC policy matched\)/);
    expect(f?.evidence.join('\n')).toMatch(/the runbook's "kubectl auth can-i update tenants" says yes/);
    expect(top(s)).toBe('rbac-denied');
  });

  it('the misleading literal question being denied is not a denial', () => {
    const findings = rbac(withChecks([status(true), { ...literal, allowed: false }]), THRESHOLD);
    expect(findings.map((f) => f.status)).toEqual(['ok']);
  });

  it('checks that could not be asked are unknown, not allowed', () => {
    const findings = rbac(
      withChecks([status(undefined, { error: 'SubjectAccessReview forbidden' })]),
      THRESHOLD,
    );
    expect(findings.map((f) => f.status)).toEqual(['unknown']);
    expect(findings[0]?.evidence).toEqual(['SubjectAccessReview forbidden']);
  });

  it('unreadable: unknown', () => {
    const s = healthySnapshot({ rbacChecks: unreadable({ kind: 'forbidden', status: 403, message: 'x' }) });
    expect(rbac(s, THRESHOLD).map((f) => f.status)).toEqual(['unknown']);
  });
});
