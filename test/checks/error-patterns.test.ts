/** Diagnosis step 2: error messages read for what they state, weighed by how much of the failure they explain. */
import { describe, expect, it } from 'vitest';
import { errorPatterns } from '../../lambda/checks/error-patterns.js';
import { healthySnapshot, reconcileErrors, unreadable, withLogs } from '../unit/snapshot.js';
import { firing, named, THRESHOLD, top } from './incident.js';

const CONFLICT =
  'Operation cannot be fulfilled on tenants.operator.kubernetes-tenants.org "acme": the object has been modified; please apply your changes to the latest version and try again';
const QUOTA =
  'failed to apply Deployment acme/web: pods "web-7c9" is forbidden: exceeded quota: compute-resources, requested: requests.cpu=500m, used: requests.cpu=2, limited: requests.cpu=2';
const RBAC =
  'failed to apply Deployment acme/web: deployments.apps is forbidden: User "system:serviceaccount:tenant-operator-system:tenant-operator-controller-manager" cannot create resource "deployments" in API group "apps" in the namespace "acme"';
const WEBHOOK =
  'admission webhook "validate.kyverno.svc-fail" denied the request: policy require-labels: validation error: label team is required';

const check = (s: ReturnType<typeof healthySnapshot>) => errorPatterns(s, THRESHOLD);

describe('error-patterns', () => {
  it('healthy: no error patterns, ok and no cause', () => {
    const findings = check(healthySnapshot());
    expect(findings.map((f) => [f.status, f.cause])).toEqual([['ok', null]]);
    expect(findings[0]?.summary).toBe('no error patterns in the logs');
  });

  it('unreadable logs are unknown, not fine', () => {
    const s = healthySnapshot({
      operatorLogs: unreadable({ kind: 'forbidden', status: 403, message: 'pods "x" is forbidden' }),
    });
    expect(check(s).map((f) => f.status)).toEqual(['unknown']);
  });

  it.each([
    ['quota', QUOTA, 'quota-exceeded'],
    ['RBAC', RBAC, 'rbac-denied'],
    ['a webhook', WEBHOOK, 'admission-webhook-denied'],
    [
      '429',
      'the server has received too many requests and has asked us to try again later (get deployments.apps web)',
      'apiserver-throttling',
    ],
    ['etcd', 'failed to update status: etcdserver: request timed out', 'etcd-degraded'],
    [
      'an API server that cannot serve',
      'the server is currently unable to handle the request (get deployments.apps web)',
      'apiserver-unavailable',
    ],
    ['Unauthorized', 'failed to list *v1.Deployment: Unauthorized', 'apiserver-auth'],
    [
      'a refused API server',
      'Get "https://172.20.0.1:443/apis/apps/v1/namespaces/t/deployments/x": dial tcp 172.20.0.1:443: connect: connection refused',
      'apiserver-network',
    ],
    [
      'a template',
      'template: deployment:12:20: executing "deployment" at <.Values.image>: map has no entry for key "image"',
      'controller-bug',
    ],
  ])('the incident: 40 failed reconciles stating %s name %s', (_, error, cause) => {
    const s = withLogs(firing(), [reconcileErrors(40, error)]);
    const f = check(s)[0];
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBe(cause);
    expect(f?.weight).toBeGreaterThanOrEqual(0.5);
    expect(top(s)).toBe(cause);
  });

  it('server-side 429 and client-side waits are told apart in the resolution branch', () => {
    const server = check(
      withLogs(firing(), [
        reconcileErrors(40, 'the server has received too many requests and has asked us to try again later'),
      ]),
    )[0];
    const client = check(
      withLogs(firing(), [
        reconcileErrors(
          40,
          'client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline',
        ),
      ]),
    )[0];
    expect(server?.cause).toBe('apiserver-throttling');
    expect(client?.cause).toBe('apiserver-throttling');
    expect(server?.remediation.join('\n')).not.toEqual(client?.remediation.join('\n'));
  });

  it('the datasource path is left to external-dependencies: a failed ping names nothing here', () => {
    const s = withLogs(firing(), [
      reconcileErrors(40, 'failed to ping MySQL: dial tcp 10.0.3.7:3306: connect: connection refused'),
    ]);
    expect(named(check(s))).toEqual([]);
  });

  it('a resolver failure is left to cluster-resources (DNS)', () => {
    const s = withLogs(firing(), [
      reconcileErrors(
        40,
        'Get "https://kubernetes.default.svc:443/api": dial tcp: lookup kubernetes.default.svc on 172.20.0.10:53: read udp 10.0.1.5:1->172.20.0.10:53: i/o timeout',
      ),
    ]);
    expect(named(check(s))).toEqual([]);
  });

  it('decoy: conflicts are noise, even many of them', () => {
    const s = withLogs(healthySnapshot(), [reconcileErrors(300, CONFLICT)]);
    const findings = check(s);
    expect(named(findings)).toEqual([]);
    expect(findings.map((f) => f.status)).toEqual(['ok']);
  });

  it('decoy: many conflicts do not outweigh fewer real denials', () => {
    const s = withLogs(firing(), [reconcileErrors(300, CONFLICT), reconcileErrors(25, WEBHOOK)]);
    expect(named(check(s))).toEqual(['admission-webhook-denied']);
  });

  it('decoy: a quota that stopped before the onset is history; the current RBAC denial is the cause', () => {
    const s = withLogs(firing(), [
      reconcileErrors(200, QUOTA, { firstSecondsAgo: 6 * 3600, lastSecondsAgo: 5 * 3600 }),
      reconcileErrors(30, RBAC),
    ]);
    const findings = check(s);
    expect(named(findings)).toEqual(['rbac-denied']);
    const history = findings.find((f) => /history/.test(f.summary));
    expect(history?.status).toBe('ok');
    expect(history?.evidence.join('\n')).toMatch(/before the errors began: history/);
    expect(top(s)).toBe('rbac-denied');
  });

  it('a handful of errors is weak: named as a warning at most', () => {
    const s = withLogs(firing(), [reconcileErrors(2, QUOTA, { subjects: 1 })]);
    const f = check(s)[0];
    expect(f?.status).toBe('warn');
    expect(f?.weight).toBeLessThan(0.5);
  });

  it('failed reconciles that state no infrastructure cause are the operator logic', () => {
    const s = withLogs(firing(), [
      reconcileErrors(
        40,
        'failed to build desired state for tenant acme: spec.plan "gold" not found in registry',
      ),
    ]);
    const f = check(s).find((x) => x.cause === 'controller-bug');
    expect(f?.status).toBe('fail');
    expect(f?.summary).toMatch(/no infrastructure cause/);
  });

  it('a few unexplained errors are not a bug', () => {
    const s = withLogs(firing(), [
      reconcileErrors(3, 'failed to build desired state: spec.plan "gold" not found'),
    ]);
    expect(named(check(s))).toEqual([]);
  });
});
