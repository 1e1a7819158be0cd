/** The checker's own trouble (cannot reach, not allowed): its own class, with its remedy, never a runbook cause. */
import { describe, expect, it } from 'vitest';
import { checkerAccess, checkerTrouble } from '../../lambda/checks/checker-access.js';
import type { ClusterSnapshot } from '../../lambda/model/snapshot.js';
import type { SourceError } from '../../lambda/model/source.js';
import { CLUSTER_SOURCE_NAMES, type ClusterSourceName } from '../../lambda/model/sources.js';
import { healthySnapshot, unreadable } from '../unit/snapshot.js';
import { firing, THRESHOLD, verdictOf } from './incident.js';

const FORBIDDEN: SourceError = {
  kind: 'forbidden',
  status: 403,
  message:
    'pods is forbidden: User "arn:aws:sts::111122223333:assumed-role/checker/fn" cannot list resource "pods" in API group "" in the namespace "tenant-operator-system"',
};

/** Every cluster source failed with this error except those kept. */
function failing(s: ClusterSnapshot, error: SourceError, keep: ClusterSourceName[] = []): ClusterSnapshot {
  const out = { ...s } as Record<string, unknown>;
  for (const name of CLUSTER_SOURCE_NAMES) if (!keep.includes(name)) out[name] = unreadable(error);
  return out as unknown as ClusterSnapshot;
}

describe('checker-access', () => {
  it('healthy: nothing to say', () => {
    expect(checkerAccess(healthySnapshot(), THRESHOLD)).toEqual([]);
    expect(checkerTrouble(healthySnapshot())).toBeUndefined();
  });

  it('403 everywhere but the health probes: forbidden, with the manifest to apply, and no cause', () => {
    const s = failing(healthySnapshot(), FORBIDDEN, ['apiServerHealth']);
    const [f] = checkerAccess(s, THRESHOLD);
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBeNull();
    expect(f?.summary).toMatch(/authenticated but not allowed .*403 on 14 of 15 sources/);
    expect(f?.remediation.join('\n')).toContain('kubectl apply -f k8s/checker-rbac.yaml');
    expect(f?.remediation.join('\n')).toContain('tenant-checker-readers');
    const v = verdictOf(s);
    expect(v.checker?.problem).toBe('forbidden');
    expect(v.causes).toEqual([]);
  });

  it('decoy: 403 everywhere while the metrics (AMP) fire is still the checker, never a cause and never none', () => {
    const s = failing(firing(), FORBIDDEN, ['apiServerHealth']);
    const v = verdictOf(s);
    expect(v.checker?.problem).toBe('forbidden');
    expect(v.causes.map((c) => c.id)).toEqual([]);
  });

  it('one source forbidden is partly-forbidden: a warning naming it', () => {
    const s = { ...healthySnapshot(), events: unreadable(FORBIDDEN) };
    const [f] = checkerAccess(s, THRESHOLD);
    expect(f?.status).toBe('warn');
    expect(f?.summary).toBe('the checker may not read events (403)');
    expect(checkerTrouble(s)?.problem).toBe('partly-forbidden');
  });

  it('a closed port: unreachable, with the kubeconfig and VPC remedy, not apiserver-network', () => {
    const error: SourceError = { kind: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:6443' };
    const s = { ...failing(healthySnapshot(), error), metrics: unreadable(error) };
    const trouble = checkerTrouble(s);
    expect(trouble?.problem).toBe('unreachable');
    expect(trouble?.summary).toMatch(/cannot reach https:\/\/ABCDEF/);
    expect(trouble?.remedy.join('\n')).toMatch(/resourcesVpcConfig/);
    expect(trouble?.remedy.join('\n')).toMatch(/`vpc`/);
    expect(verdictOf(s).causes.map((c) => c.id)).not.toContain('apiserver-network');
    expect(verdictOf(s).causes).toEqual([]);
  });

  it('DescribeCluster failing points at the config and the role, not the network', () => {
    const error: SourceError = {
      kind: 'unreachable',
      message: 'DescribeCluster failed: ResourceNotFoundException',
    };
    const trouble = checkerTrouble(failing(healthySnapshot(), error));
    expect(trouble?.remedy.join('\n')).toMatch(/eks:DescribeCluster/);
  });

  it('401 on most sources: unauthorized, with the access entry', () => {
    const s = failing(healthySnapshot(), { kind: 'unauthorized', status: 401, message: 'Unauthorized' }, [
      'apiServerHealth',
    ]);
    const trouble = checkerTrouble(s);
    expect(trouble?.problem).toBe('unauthorized');
    expect(trouble?.remedy.join('\n')).toMatch(/aws eks list-access-entries --cluster-name prod-eks-1/);
  });

  it('429 on most sources: the checker is throttled', () => {
    const s = failing(healthySnapshot(), { kind: 'throttled', status: 429, message: 'Too Many Requests' }, [
      'apiServerHealth',
    ]);
    expect(checkerTrouble(s)?.problem).toBe('throttled');
  });

  it('a few timeouts are not the checker being unreachable', () => {
    const s = { ...healthySnapshot(), events: unreadable({ kind: 'timeout', message: 'timed out' }) };
    expect(checkerTrouble(s)).toBeUndefined();
  });
});
