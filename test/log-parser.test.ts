import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeMessage, parseLogLine, summarizeLogs } from '../lambda/collect/log-parser.js';
import { logLine, reconcilerError, reconcileSuccess, setFixtureClock } from './simulator/fixtures.js';

// The times below are written out: the fixtures' clock is set to them, so the test passes on any date.
beforeAll(() => setFixtureClock(Date.parse('2026-11-26T14:00:00Z')));

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
      time: '2026-11-26T13:59:00.000Z',
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
      time: '2026-11-26T13:59:00.000Z',
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
      firstSeen: '2026-11-26T13:55:00.000Z',
      lastSeen: '2026-11-26T13:55:29.000Z',
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
