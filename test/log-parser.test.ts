import { describe, expect, it } from 'vitest';
import {
  normalizeMessage,
  parseLogLine,
  placeKlogTime,
  summarizeLogs,
} from '../lambda/collect/log-parser.js';
// The fixtures' lines are stamped from their clock (the wall clock): times are compared through `ago`.
import { ago, logLine, reconcilerError, reconcileSuccess } from '../sim/kube/fixtures.js';

const refused = 'failed to sync tenant: dial tcp 10.0.3.7:3306: connect: connection refused';

describe('controller-runtime log lines', () => {
  it('reads a zap console "Reconciler error" with its fields', () => {
    const [line] = reconcilerError('console', 60, 'acme', refused).split('\n');
    const entry = parseLogLine(line as string);
    expect(entry).toMatchObject({
      level: 'error',
      message: 'Reconciler error',
      controller: 'tenant',
      error: refused,
      time: ago(60),
    });
    expect(entry?.tags).toEqual(expect.arrayContaining(['connection-refused', 'database']));
  });

  it('reads the same entry in the JSON encoding, with epoch-seconds timestamps', () => {
    const entry = parseLogLine(reconcilerError('json', 60, 'acme', refused));
    expect(entry).toMatchObject({
      level: 'error',
      message: 'Reconciler error',
      controller: 'tenant',
      error: refused,
      time: ago(60),
    });
  });

  it('reads console lines with a logger name and without fields', () => {
    expect(parseLogLine('2026-11-26T13:00:00Z\tINFO\tsetup\tstarting manager')).toMatchObject({
      level: 'info',
      logger: 'setup',
      message: 'starting manager',
    });
    expect(
      parseLogLine('2026-11-26T13:00:00.123+0100\tDEBUG\tcontroller-runtime.webhook\tRegistering webhook'),
    ).toMatchObject({ level: 'debug', logger: 'controller-runtime.webhook' });
    expect(
      parseLogLine('1.7644e+09\tERROR\tReconciler error\t{"controller": "tenant", "error": "x"}'),
    ).toMatchObject({ level: 'error', error: 'x' });
  });

  it("reads client-go's klog lines, such as client-side throttling", () => {
    const entry = parseLogLine(
      'I1126 13:59:58.412345       1 request.go:697] Waited for 1.183s due to client-side throttling, not priority and fairness, request: GET:https://172.20.0.1:443/apis/apps/v1/namespaces/t-1/deployments/app',
    );
    expect(entry).toMatchObject({ level: 'info', logger: 'request.go:697' });
    expect(entry?.tags).toContain('throttling');
  });

  it('treats stack trace lines as part of the entry before them', () => {
    const summary = summarizeLogs([reconcilerError('console', 60, 'acme', refused)]);
    expect(summary.lines).toBe(5);
    expect(summary.entries).toBe(1);
    expect(summary.reconcileErrors).toBe(1);
  });

  it('recognises a Go panic dump', () => {
    const text = [
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1a2b3c]',
      '',
      'goroutine 412 [running]:',
      'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).Reconcile(0xc000a1, {0x2, 0x3})',
      '\t/workspace/internal/controller/tenant_controller.go:182 +0x5a',
    ].join('\n');
    const summary = summarizeLogs([text]);
    expect(summary.byLevel.panic).toBe(1);
    expect(summary.tags.panic).toBeGreaterThanOrEqual(1);
  });
});

describe('the runbook\'s "most common error messages"', () => {
  it('groups one failure across many tenants into one pattern, with its count, first and last time', () => {
    const lines = [
      ...Array.from({ length: 30 }, (_, i) =>
        reconcilerError(
          'console',
          300 - i,
          `customer-${i}`,
          `failed to get registry: Get "https://172.20.0.1:443/apis/x": context deadline exceeded`,
        ),
      ),
      ...Array.from({ length: 5 }, (_, i) =>
        reconcilerError(
          'json',
          200 - i,
          `customer-${i}`,
          `tenants.operator.kubernetes-tenants.org "customer-${i}" is forbidden: User "system:serviceaccount:tenant-operator-system:tenant-operator-controller-manager" cannot update resource "tenants/status"`,
        ),
      ),
      ...Array.from({ length: 50 }, (_, i) => reconcileSuccess('console', 100 - i, `customer-${i}`)),
      logLine('console', {
        secondsAgo: 1,
        level: 'info',
        msg: 'Starting workers',
        fields: { controller: 'tenant', 'worker count': 10 },
      }),
    ];
    const summary = summarizeLogs([lines.join('\n')]);
    expect(summary.reconcileErrors).toBe(35);
    expect(summary.reconcileOther).toBe(50);
    expect(summary.byLevel).toMatchObject({ error: 35, info: 51 });
    expect(summary.patterns).toHaveLength(2);
    expect(summary.patterns[0]).toMatchObject({
      count: 30,
      controller: 'tenant',
      pattern: 'Reconciler error: failed to get registry: Get "<name>": context deadline exceeded',
      firstSeen: ago(300),
      lastSeen: ago(271),
    });
    expect(summary.patterns[0]?.tags).toContain('timeout');
    expect(summary.patterns[1]).toMatchObject({ count: 5 });
    expect(summary.patterns[1]?.tags).toContain('forbidden');
    expect(summary.tags).toMatchObject({ timeout: 30, forbidden: 5 });
  });

  it('normalises numbers, addresses, quoted names and ids', () => {
    expect(
      normalizeMessage(
        'dial tcp 10.0.3.7:3306: i/o timeout after 30s (attempt 3) for "customer-17" 8c1f2d3e4b5a6978',
      ),
    ).toBe('dial tcp <ip>: i/o timeout after <duration> (attempt <n>) for "<name>" <id>');
  });

  it('reads a huge line in part, and bytes that are not UTF-8, without failing', () => {
    const huge = `2026-11-26T13:00:00Z\tERROR\tReconciler error\t{"controller":"tenant","error":"${'x'.repeat(1_000_000)}"}`;
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]).toString('utf8');
    const summary = summarizeLogs([huge, binary]);
    expect(summary.lines).toBe(2);
    expect(summary.patterns[0]?.example.length).toBeLessThanOrEqual(500);
  });
});

describe('what an engineer reads next in a pattern', () => {
  it('counts the failed reconciles of each pattern and the distinct objects it names', () => {
    const db = 'failed to sync tenant: dial tcp 10.0.3.7:3306: connect: connection refused';
    const lines = [
      // 12 failures of 5 tenants, in both encodings (controller-runtime's Tenant: {name, namespace}).
      ...Array.from({ length: 12 }, (_, i) =>
        reconcilerError(i % 2 ? 'json' : 'console', 300 - i, `t-${i % 5}`, db),
      ),
      // The same failure logged by the operator itself, naming registries, not as "Reconciler error".
      logLine('console', {
        secondsAgo: 100,
        level: 'error',
        msg: 'failed to sync tenant',
        fields: { registry: 'customers', error: 'dial tcp 10.0.3.7:3306: connect: connection refused' },
      }),
      logLine('json', {
        secondsAgo: 99,
        level: 'error',
        msg: 'failed to sync tenant',
        fields: { registry: 'customers', error: 'dial tcp 10.0.3.8:3306: connect: connection refused' },
      }),
      logLine('json', {
        secondsAgo: 98,
        level: 'error',
        msg: 'failed to sync tenant',
        fields: { registry: 'partners', error: 'dial tcp 10.0.3.8:3306: connect: connection refused' },
      }),
      logLine('console', { secondsAgo: 97, level: 'error', msg: 'leader election lost' }),
    ];
    const summary = summarizeLogs([lines.join('\n')]);
    const byPattern = Object.fromEntries(summary.patterns.map((p) => [p.pattern, p]));
    expect(byPattern[`Reconciler error: ${normalizeMessage(db)}`]).toMatchObject({
      count: 12,
      reconcileErrors: 12,
      subjects: 5,
    });
    expect(byPattern['failed to sync tenant: dial tcp <ip>: connect: connection refused']).toMatchObject({
      count: 3,
      reconcileErrors: 0,
      subjects: 2,
    });
    expect(byPattern['leader election lost']).toMatchObject({ count: 1, reconcileErrors: 0, subjects: 0 });
  });

  it('names an object by its kind field, its name and namespace, or the tenant field', () => {
    expect(parseLogLine(reconcilerError('json', 1, 'acme', 'x'))).toMatchObject({ subject: 'tenants/acme' });
    expect(
      parseLogLine(
        logLine('json', {
          secondsAgo: 1,
          level: 'error',
          msg: 'Reconciler error',
          fields: {
            controller: 'tenantregistry',
            TenantRegistry: { name: 'customers', namespace: 'tenants-0' },
            error: 'x',
          },
        }),
      ),
    ).toMatchObject({ subject: 'tenants-0/customers' });
    expect(
      parseLogLine(
        logLine('json', { secondsAgo: 1, level: 'error', msg: 'apply failed', fields: { tenant: 'acme' } }),
      ),
    ).toMatchObject({ subject: 'acme' });
    expect(
      parseLogLine(logLine('json', { secondsAgo: 1, level: 'error', msg: 'boom' }))?.subject,
    ).toBeUndefined();
  });

  it('counts at most 1,000 distinct objects per pattern', () => {
    const lines = Array.from({ length: 1200 }, (_, i) =>
      reconcilerError('json', 2000 - i, `t-${i}`, 'context deadline exceeded'),
    );
    expect(summarizeLogs([lines.join('\n')]).patterns[0]).toMatchObject({ count: 1200, subjects: 1000 });
  });
});

describe("CoreDNS's log lines", () => {
  it('reads the [LEVEL] prefix as the level, with the plugin as the logger', () => {
    const line =
      '[ERROR] plugin/errors: 2 mysql.prod.internal. A: read udp 10.0.1.12:53012->10.0.0.2:53: i/o timeout';
    const entry = parseLogLine(line);
    expect(entry).toMatchObject({ level: 'error', logger: 'plugin/errors', message: line.slice(8) });
    expect(entry?.tags).toEqual(expect.arrayContaining(['dns', 'timeout']));
    expect(
      parseLogLine('[WARNING] plugin/kubernetes: starting server with unsynced Kubernetes API')?.level,
    ).toBe('warn');
    expect(parseLogLine('[INFO] plugin/reload: Running configuration SHA512 = 8a7d59')?.level).toBe('info');
    expect(
      parseLogLine('[FATAL] plugin/loop: Loop (127.0.0.1:55953 -> :53) detected for zone "."')?.level,
    ).toBe('fatal');
  });

  it('groups upstream timeouts by the name queried, not by the addresses', () => {
    const lines = Array.from(
      { length: 5 },
      (_, i) =>
        `[ERROR] plugin/errors: 2 mysql.prod.internal. A: read udp 10.0.1.12:${53000 + i}->10.0.0.2:53: i/o timeout`,
    );
    const summary = summarizeLogs([lines.join('\n')]);
    expect(summary.byLevel.error).toBe(5);
    expect(summary.patterns).toEqual([
      expect.objectContaining({
        count: 5,
        pattern: 'plugin/errors: <n> mysql.prod.internal. A: read udp <ip>-><ip>: i/o timeout',
      }),
    ]);
  });
});

describe('klog times', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');

  it('gives klog lines a time in the current year', () => {
    const entry = parseLogLine(
      'E0310 11:59:58.412345       1 reflector.go:158] "Unhandled Error" err="failed to list *v1.Tenant: Unauthorized"',
      { now },
    );
    expect(entry).toMatchObject({ level: 'error', time: '2026-03-10T11:59:58.412Z' });
  });

  it('rolls back a year when the time would be more than a day ahead', () => {
    expect(placeKlogTime(12, 31, '23:59:59.9', { now: Date.parse('2026-01-01T00:10:00Z') })).toBe(
      '2025-12-31T23:59:59.900Z',
    );
    expect(placeKlogTime(3, 11, '11:00:00', { now })).toBe('2026-03-11T11:00:00.000Z');
    expect(placeKlogTime(3, 12, '11:00:00', { now })).toBe('2025-03-12T11:00:00.000Z');
  });

  it('takes the year of the newest timestamp seen in the log before the current one', () => {
    const zap = '2024-11-26T13:59:00Z\tINFO\tsetup\tstarting manager';
    const klog =
      'I1126 13:59:58.412345       1 request.go:697] Waited for 1.183s due to client-side throttling, not priority and fairness';
    const summary = summarizeLogs([`${zap}\n${klog}\n`], 20, now);
    expect(summary.lastTime).toBe('2024-11-26T13:59:58.412Z');
    expect(summary.patterns[0]).toMatchObject({ firstSeen: '2024-11-26T13:59:58.412Z' });
    // Without a year in sight, the current one (and the previous when that would be the future).
    expect(summarizeLogs([klog], 20, now).lastTime).toBe('2025-11-26T13:59:58.412Z');
  });
});

describe('normalising numbers without mangling quantities', () => {
  it('keeps Kubernetes quantities as quantities and Go durations as durations', () => {
    expect(
      normalizeMessage(
        'exceeded quota: compute, requested: requests.cpu=250m,requests.memory=128Mi, used: requests.cpu=8, limited: limits.memory=1Gi',
      ),
    ).toBe(
      'exceeded quota: compute, requested: requests.cpu=<n>m,requests.memory=<n>Mi, used: requests.cpu=<n>, limited: limits.memory=<n>Gi',
    );
    expect(
      normalizeMessage(
        'back-off 5m0s restarting; waited 1.5s, then 100ms, gave up after 2h (1h30m budget), 250µs',
      ),
    ).toBe(
      'back-off <duration> restarting; waited <duration>, then <duration>, gave up after <duration> (<duration> budget), <duration>',
    );
  });
});
