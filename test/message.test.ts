import { describe, expect, it } from 'vitest';
import { initialState } from '../lambda/alert/lifecycle.js';
import { MAX_BODY_BYTES, renderNotification } from '../lambda/sinks/message.js';

const base = {
  alertName: 'TenantReconciliationErrors',
  alert: {
    ...initialState('c', 'TenantReconciliationErrors', new Date()),
    state: 'firing' as const,
    firingSince: '2026-11-26T10:00:00.000Z',
  },
  runId: 'r1',
  at: '2026-11-26T10:05:00.000Z',
  threshold: 0.1,
  runbookUrl: 'https://example.com/runbook',
};

describe('the notification', () => {
  it('keeps the subject under 100 characters on one line, whatever the cluster name', () => {
    const n = renderNotification({
      ...base,
      cluster: `prod\n${'x'.repeat(120)}`,
      notice: { kind: 'firing' },
      verdict: {
        errorRate: 0.234,
        sustained: true,
        coverage: 1,
        unread: [],
        causes: [{ id: 'apiserver-throttling', confidence: 0.9, evidence: [] }],
      },
      findings: [],
    });
    expect(n.subject.length).toBeLessThan(100);
    expect(n.subject).not.toMatch(/[\r\n]/);
    expect(n.subject.startsWith('[FIRING] TenantReconciliationErrors 23.4% on prod')).toBe(true);
  });

  it('stays within the SNS limit, cut with a note', () => {
    const evidence = Array.from({ length: 6 }, () => 'e'.repeat(100_000));
    const n = renderNotification({
      ...base,
      cluster: 'prod-eks-1',
      notice: { kind: 'firing' },
      verdict: {
        errorRate: 0.3,
        sustained: true,
        coverage: 1,
        unread: [],
        causes: Array.from({ length: 3 }, () => ({
          id: 'controller-bug' as const,
          confidence: 0.8,
          evidence,
        })),
      },
      findings: [],
    });
    expect(Buffer.byteLength(n.body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(n.body.endsWith('[truncated: the rest is in the escalation bundle]')).toBe(true);
  });
});
