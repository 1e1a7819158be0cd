/** What a real error message states, and where: the one reading of error text the checks share. */
import { describe, expect, it } from 'vitest';
import { NOISE_SIGNALS, readErrorText, UNREACHABLE_SIGNALS } from '../../lambda/model/error-text.js';

describe('readErrorText: name resolution', () => {
  it('a resolver that times out is the resolver, not the database timing out', () => {
    const r = readErrorText(
      'failed to create datasource: failed to ping MySQL: dial tcp: lookup mysql.tenant-db.svc.cluster.local on 172.20.0.10:53: read udp 10.0.1.5:48213->172.20.0.10:53: i/o timeout',
    );
    expect(r.signals).toEqual(['dns-resolver']);
    expect(r.lookup).toBe('mysql.tenant-db.svc.cluster.local');
    expect(r.destination).toEqual({ host: 'mysql.tenant-db.svc.cluster.local', scope: 'cluster' });
    expect(r.database).toBe(true);
  });

  it('a resolver that refuses (dial udp :53 refused) is the resolver, and the looked-up name wins over the resolver address', () => {
    const r = readErrorText(
      'Get "https://kubernetes.default.svc:443/api": dial tcp: lookup kubernetes.default.svc on 172.20.0.10:53: dial udp 172.20.0.10:53: connect: connection refused',
    );
    expect(r.signals).toEqual(['dns-resolver']);
    expect(r.signals).not.toContain('refused');
    expect(r.lookup).toBe('kubernetes.default.svc');
    expect(r.destination?.host).toBe('kubernetes.default.svc');
    expect(r.destination?.scope).toBe('apiserver');
  });

  it('"server misbehaving" is a resolver that answered with a failure (SERVFAIL)', () => {
    const r = readErrorText('dial tcp: lookup db.customers.example.com: server misbehaving');
    expect(r.signals).toEqual(['dns-servfail']);
    expect(r.destination?.scope).toBe('external');
  });

  it('"no such host" is a name that does not exist, with its scope', () => {
    const r = readErrorText('dial tcp: lookup db.customers.example.com on 172.20.0.10:53: no such host');
    expect(r.signals).toEqual(['dns-nxdomain']);
    expect(r.lookup).toBe('db.customers.example.com');
    expect(r.destination).toEqual({ host: 'db.customers.example.com', scope: 'external' });
    expect(r.database).toBe(false);
  });
});

describe('readErrorText: the path and the far end', () => {
  it('connection refused names the dialled address and port', () => {
    const r = readErrorText('failed to ping MySQL: dial tcp 10.0.3.7:3306: connect: connection refused');
    expect(r.signals).toEqual(['refused']);
    expect(r.destination).toEqual({ host: '10.0.3.7', port: 3306, scope: 'external' });
    expect(r.database).toBe(true);
  });

  it('a dial timeout to the API server Service IP is scope apiserver, and no bare "deadline"', () => {
    const r = readErrorText(
      'Get "https://172.20.0.1:443/api/v1/namespaces/default/pods": dial tcp 172.20.0.1:443: i/o timeout',
    );
    expect(r.signals).toEqual(['dial-timeout']);
    expect(r.destination).toEqual({ host: '172.20.0.1', port: 443, scope: 'apiserver' });
  });

  it('a connect timeout to a ClusterIP is scope cluster', () => {
    const r = readErrorText('dial tcp 172.20.44.12:3306: connect: connection timed out');
    expect(r.signals).toEqual(['dial-timeout']);
    expect(r.destination).toEqual({ host: '172.20.44.12', port: 3306, scope: 'cluster' });
  });

  it('no route to host is the network, not a timeout', () => {
    const r = readErrorText('dial tcp 10.0.3.7:3306: connect: no route to host');
    expect(r.signals).toEqual(['no-route']);
  });

  it('a reset on an established connection, with the far address of read tcp', () => {
    const r = readErrorText('read tcp 10.0.1.5:43210->10.0.3.7:3306: read: connection reset by peer');
    expect(r.signals).toEqual(['reset']);
    expect(r.destination).toMatchObject({ host: '10.0.3.7', port: 3306 });
  });

  it('an HTTP client timeout awaiting headers is a slow answer from an external host', () => {
    const r = readErrorText(
      'failed to run post-apply hook: Post "https://billing.example.com/api/v2/tenants": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    );
    expect(r.signals).toEqual(['slow-response']);
    expect(r.destination).toEqual({ host: 'billing.example.com', scope: 'external' });
  });

  it('a read timeout on an established connection is a slow answer', () => {
    expect(readErrorText('read tcp 10.0.1.5:43210->52.1.2.3:443: i/o timeout').signals).toEqual([
      'slow-response',
    ]);
  });

  it('a bare context deadline exceeded says nothing about where', () => {
    const r = readErrorText('context deadline exceeded');
    expect(r.signals).toEqual(['deadline']);
    expect(r.destination).toBeUndefined();
  });

  it('a GOAWAY from the API server is a broken connection', () => {
    expect(
      readErrorText(
        'http2: server sent GOAWAY and closed the connection; LastStreamID=1999, ErrCode=NO_ERROR, debug=""',
      ).signals,
    ).toEqual(['reset']);
  });

  it('a mysql:// URL gives its host and port, not its credentials', () => {
    const r = readErrorText(
      'failed to connect: mysql://tenant:s3cret@db.example.com:3306/tenants: connection refused',
    );
    expect(r.destination).toEqual({ host: 'db.example.com', port: 3306, scope: 'external' });
    expect(r.database).toBe(true);
  });
});

describe('readErrorText: scopes', () => {
  it.each([
    ['kubernetes.default.svc', 'apiserver'],
    ['kubernetes.default.svc.cluster.local', 'apiserver'],
    ['10.100.0.1', 'apiserver'],
    ['ABCDEF.gr7.eu-west-1.eks.amazonaws.com', 'apiserver'],
    ['mysql.tenant-db.svc', 'cluster'],
    ['mysql.tenant-db.svc.cluster.local', 'cluster'],
    ['10.100.23.4', 'cluster'],
    ['db.customers.example.com', 'external'],
    ['mydb.abc123.eu-west-1.rds.amazonaws.com', 'external'],
  ])('%s is %s', (host, scope) => {
    expect(readErrorText(`dial tcp: lookup ${host} on 172.20.0.10:53: no such host`).destination?.scope).toBe(
      scope,
    );
  });
});

describe('readErrorText: the database', () => {
  it("MySQL's Access denied is the database refusing", () => {
    const r = readErrorText(
      "Error 1045 (28000): Access denied for user 'tenant'@'10.0.1.5' (using password: YES)",
    );
    expect(r.signals).toEqual(['db-refused']);
    expect(r.database).toBe(true);
  });

  it('Too many connections is the database refusing', () => {
    expect(readErrorText('failed to ping MySQL: Error 1040: Too many connections').signals).toEqual([
      'db-refused',
    ]);
  });

  it('Unknown database is the database refusing', () => {
    expect(readErrorText("Error 1049 (42000): Unknown database 'tenants'").signals).toEqual(['db-refused']);
  });

  it("go-sql-driver's bad connection is the driver losing its connection", () => {
    const r = readErrorText(
      '[mysql] 2026/12/01 10:00:00 packets.go:37: unexpected EOF\ndriver: bad connection',
    );
    expect(r.signals).toContain('db-connection');
    expect(r.database).toBe(true);
  });

  it('a message about a Deployment is not about a database', () => {
    expect(readErrorText('failed to apply Deployment acme/web: context deadline exceeded').database).toBe(
      false,
    );
  });
});

describe('readErrorText: the API server and admission', () => {
  it('an optimistic-lock conflict is only a conflict, and conflicts are noise', () => {
    const r = readErrorText(
      'Operation cannot be fulfilled on tenants.operator.kubernetes-tenants.org "acme": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(r.signals).toEqual(['conflict']);
    expect(r.signals.every((s) => NOISE_SIGNALS.has(s))).toBe(true);
  });

  it('an RBAC denial', () => {
    expect(
      readErrorText(
        'deployments.apps is forbidden: User "system:serviceaccount:tenant-operator-system:tenant-operator-controller-manager" cannot create resource "deployments" in API group "apps" in the namespace "acme"',
      ).signals,
    ).toEqual(['rbac-forbidden']);
  });

  it('a quota denial is forbidden but not RBAC', () => {
    const r = readErrorText(
      'pods "web-abc" is forbidden: exceeded quota: compute-resources, requested: requests.cpu=500m, used: requests.cpu=2, limited: requests.cpu=2',
    );
    expect(r.signals).toEqual(['quota']);
  });

  it('an admission webhook that denies', () => {
    expect(
      readErrorText(
        'admission webhook "validate.kyverno.svc-fail" denied the request: policy require-labels: validation error',
      ).signals,
    ).toEqual(['webhook']);
  });

  it('a webhook that cannot be called is the webhook, with its Service as destination', () => {
    const r = readErrorText(
      'Internal error occurred: failed calling webhook "vdeployment.kb.io": failed to call webhook: Post "https://webhook-service.webhooks.svc:443/validate?timeout=10s": context deadline exceeded',
    );
    expect(r.signals).toContain('webhook');
    expect(r.destination).toEqual({ host: 'webhook-service.webhooks.svc', port: 443, scope: 'cluster' });
  });

  it("priority and fairness's 429 is server-side throttling", () => {
    expect(
      readErrorText(
        'the server has received too many requests and has asked us to try again later (get tenants.operator.kubernetes-tenants.org)',
      ).signals,
    ).toEqual(['throttled-server']);
  });

  it("client-go's own limiter is client-side throttling, not server", () => {
    const wait = readErrorText(
      'Waited for 1.196s due to client-side throttling, not priority and fairness, request: GET:https://172.20.0.1:443/apis/apps/v1/namespaces/acme/deployments/web',
    );
    expect(wait.signals).toEqual(['throttled-client']);
    expect(wait.destination?.scope).toBe('apiserver');
    expect(
      readErrorText(
        'client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline',
      ).signals,
    ).toEqual(['throttled-client']);
  });

  it('the API server unable to serve', () => {
    expect(
      readErrorText(
        'the server is currently unable to handle the request (get tenants.operator.kubernetes-tenants.org)',
      ).signals,
    ).toEqual(['apiserver-unavailable']);
    expect(
      readErrorText('Timeout: request did not complete within requested timeout - context deadline exceeded')
        .signals,
    ).toContain('apiserver-unavailable');
  });

  it('etcd', () => {
    expect(readErrorText('etcdserver: request timed out').signals).toEqual(['etcd']);
    expect(readErrorText('etcdserver: leader changed').signals).toEqual(['etcd']);
  });

  it('an expired certificate on the API server', () => {
    const r = readErrorText(
      'Get "https://172.20.0.1:443/api": x509: certificate has expired or is not yet valid: current time 2026-12-01T10:00:00Z is after 2026-11-30T00:00:00Z',
    );
    expect(r.signals).toEqual(['tls']);
    expect(r.destination?.scope).toBe('apiserver');
  });

  it('Unauthorized', () => {
    expect(readErrorText('Unauthorized').signals).toEqual(['unauthorized']);
  });
});

describe("readErrorText: the operator's own code and the scheduler", () => {
  it('a recovered panic', () => {
    expect(
      readErrorText(
        'Observed a panic in reconciler: runtime error: invalid memory address or nil pointer dereference',
      ).signals,
    ).toEqual(['panic']);
  });

  it('a template that cannot render', () => {
    expect(
      readErrorText(
        'template: deployment:12:20: executing "deployment" at <.Values.image>: map has no entry for key "image"',
      ).signals,
    ).toEqual(['template']);
  });

  it('kube-scheduler: capacity and placement are scheduling; unbound claims are also storage', () => {
    expect(
      readErrorText(
        '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      ).signals,
    ).toEqual(['scheduling']);
    expect(
      readErrorText(
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      ).signals,
    ).toEqual(['scheduling']);
    expect(
      readErrorText(
        '0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      ).signals,
    ).toEqual(['scheduling', 'storage']);
  });

  it('a success line states nothing', () => {
    expect(readErrorText('Successfully reconciled tenant')).toEqual({ signals: [], database: false });
  });
});

describe('signal sets', () => {
  it('conflicts are the only noise; unreachable covers the path, not admission', () => {
    expect([...NOISE_SIGNALS]).toEqual(['conflict']);
    for (const s of [
      'dns-resolver',
      'dns-nxdomain',
      'refused',
      'dial-timeout',
      'no-route',
      'reset',
      'slow-response',
    ] as const)
      expect(UNREACHABLE_SIGNALS.has(s)).toBe(true);
    for (const s of ['quota', 'webhook', 'rbac-forbidden', 'conflict'] as const)
      expect(UNREACHABLE_SIGNALS.has(s)).toBe(false);
  });
});
