/**
 * One message for every subscriber: the e-mail text, the Amazon Q Developer custom notification for
 * chat (validated against the documented schema, including at the size limits), the run as JSON for
 * programs; SNS's rules for the subject and the 256 KB limit; honest words about the link.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint, initialState } from '../lambda/alert/lifecycle.js';
import type { HeldNotices, NoticeKind } from '../lambda/model/alert.js';
import type { Finding } from '../lambda/model/finding.js';
import { SNS_MAX_BYTES } from '../lambda/sinks/chat-message.js';
import { type MessageInput, renderNotification } from '../lambda/sinks/message.js';
import { chatNotificationSchema } from './helpers/chat-schema.js';

const base: MessageInput = {
  cluster: 'prod-eks-1',
  alertName: 'TenantReconciliationErrors',
  notice: { kind: 'firing', firingRunId: 'r1', firingSince: '2026-11-26T10:00:00.000Z' },
  alert: {
    ...initialState('prod-eks-1', 'TenantReconciliationErrors', new Date('2026-11-26T09:00:00Z')),
    state: 'firing',
    firingSince: '2026-11-26T10:00:00.000Z',
  },
  verdict: {
    errorRate: 0.234,
    sustained: true,
    coverage: 1,
    unread: [],
    causes: [
      { id: 'apiserver-throttling', confidence: 0.9, evidence: ['429 from API Priority and Fairness'] },
    ],
  },
  findings: [
    {
      check: 'api-server',
      status: 'fail',
      cause: 'apiserver-throttling',
      summary: 'throttled',
      evidence: ['5 of 20 requests were 429'],
      remediation: ['Raise --kube-api-qps', 'Lower --tenant-concurrency'],
      weight: 0.9,
    },
  ],
  runId: '20261126T100500-abcd1234',
  at: '2026-11-26T10:05:00.000Z',
  threshold: 0.1,
  runbookUrl: 'https://example.com/runbook',
  bundle: {
    link: 'https://abc.lambda-url.eu-west-1.on.aws/?run=bundles%2Fprod-eks-1%2F2026%2F11%2F26%2F20261126T100500-abcd1234.tar.gz&exp=1767002700&sig=x',
    expiresAt: '2026-12-26T10:05:00.000Z',
    note: 'each click starts a fresh download that must begin within 5 minutes',
    location: 's3://b/bundles/prod-eks-1/2026/11/26/20261126T100500-abcd1234.tar.gz',
    consoleUrl: 'https://s3.console.aws.amazon.com/s3/object/b?region=eu-west-1&bucketType=general&prefix=x',
    command:
      'tenant-check link 20261126T100500-abcd1234 --cluster prod-eks-1 --table t --bucket b --region eu-west-1',
  },
};

const protocolsOf = (m: MessageInput) => {
  const n = renderNotification(m);
  return { n, p: n.protocols as NonNullable<typeof n.protocols> };
};

describe('bodies by protocol', () => {
  it('e-mail is the text, chat is the custom notification, programs get the run, SMS the subject', () => {
    const { n, p } = protocolsOf(base);
    expect(p.email).toBe(n.body);
    expect(p.default).toBe(p.https);
    const chat = chatNotificationSchema.parse(JSON.parse(p.https));
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: `:rotating_light: ${n.subject}`,
        nextSteps: [
          'Raise --kube-api-qps',
          'Lower --tenant-concurrency',
          'Runbook: <https://example.com/runbook|TenantReconciliationErrors>',
          `Fresh bundle link: \`${base.bundle?.command}\``,
        ],
        keywords: ['prod-eks-1', 'firing', 'apiserver-throttling'],
      },
      metadata: {
        threadId: fingerprint('prod-eks-1', 'TenantReconciliationErrors'),
        summary: n.subject,
        eventType: 'tenant-check-firing',
        relatedResources: ['eks:cluster/prod-eks-1', base.bundle?.location],
      },
    });
    expect(JSON.parse(p.sqs)).toMatchObject({ kind: 'firing', runId: base.runId, errorRate: 0.234 });
    expect(p.lambda).toBe(p.sqs);
    expect(p.sms).toBe(n.subject);
  });

  it.each<NoticeKind>(['firing', 'repeat', 'resolved', 'blind', 'unblind'])(
    'a %s notice validates and threads with the others of its alert',
    (kind) => {
      const { p } = protocolsOf({ ...base, notice: { kind } });
      const chat = chatNotificationSchema.parse(JSON.parse(p.https));
      expect(chat.metadata?.threadId).toBe(fingerprint('prod-eks-1', 'TenantReconciliationErrors'));
      expect(chat.metadata?.eventType).toBe(`tenant-check-${kind}`);
    },
  );

  it('at the limits: huge evidence and findings still validate, and the whole message fits in 256 KB', () => {
    const huge = 'é'.repeat(100_000);
    const findings: Finding[] = Array.from({ length: 120 }, (_, i) => ({
      check: `check-${i}`,
      status: 'fail',
      cause: 'controller-bug',
      summary: huge.slice(0, 2000),
      evidence: [huge, huge],
      remediation: [huge.slice(0, 5000), huge.slice(0, 5000)],
      weight: 0.5,
    }));
    const m: MessageInput = {
      ...base,
      cluster: `c${'x'.repeat(99)}`,
      verdict: {
        ...base.verdict,
        causes: Array.from({ length: 3 }, () => ({
          id: 'controller-bug' as const,
          confidence: 0.8,
          evidence: [huge, huge],
        })),
      },
      findings,
    };
    const { n, p } = protocolsOf(m);
    const attributes = Object.entries(n.attributes).reduce((sum, [k, v]) => sum + k.length + v.length + 6, 0);
    expect(Buffer.byteLength(JSON.stringify(p)) + attributes).toBeLessThanOrEqual(SNS_MAX_BYTES);
    chatNotificationSchema.parse(JSON.parse(p.https));
    expect(p.email.endsWith('[truncated: the rest is in the escalation bundle]')).toBe(true);
    expect(n.body).toBe(p.email);
    const doc = JSON.parse(p.sqs);
    expect(doc.findingsOmitted ?? doc.findings.length).toBe(120);
  });
});

describe('the subject (SNS: printable ASCII, one line, under 100 characters)', () => {
  it('whatever the names hold', () => {
    const n = renderNotification({
      ...base,
      alertName: 'Tenant–Reconciliation ✓ Errors\nsecond line',
      cluster: `prod-${'ü'.repeat(120)}`,
    });
    expect(n.subject.length).toBeLessThan(100);
    expect(n.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(n.subject.endsWith('...')).toBe(true);
  });
});

describe('honest words about the link', () => {
  it("states the link's real lifetime, what can end it sooner, and the ways in for readers with AWS access", () => {
    const { n } = protocolsOf(base);
    expect(n.body).toContain(`Escalation bundle: ${base.bundle?.link}`);
    expect(n.body).toContain(
      '  The link works until 2026-12-26T10:05:00.000Z; each click starts a fresh download that must begin within 5 minutes.',
    );
    expect(n.body).toContain(`  In S3: ${base.bundle?.location}`);
    expect(n.body).toContain(`  S3 console: ${base.bundle?.consoleUrl}`);
    expect(n.body).toContain(`  A fresh link from a terminal: ${base.bundle?.command}`);
  });

  it("renders a presigned link's note (it may end sooner than stated)", () => {
    const n = renderNotification({
      ...base,
      bundle: {
        link: 'https://b.s3.eu-west-1.amazonaws.com/k?X-Amz-Signature=x',
        expiresAt: '2026-11-26T11:04:00.000Z',
        note: 'the link ends when the credentials that signed it expire; `tenant-check link <run id>` makes a fresh one',
      },
    });
    expect(n.body).toContain(
      'The link works until 2026-11-26T11:04:00.000Z; the link ends when the credentials that signed it expire',
    );
  });
});

describe('after a maintenance window', () => {
  it('says what was held, in the e-mail and in chat', () => {
    const held: HeldNotices = {
      window: 'mon-fri 22:00 Europe/Berlin for 2h (upgrade)',
      windowStart: '2026-11-23T21:00:00.000Z',
      windowEnd: '2026-11-23T23:00:00.000Z',
      kinds: ['firing', 'repeat'],
      count: 3,
      firstAt: '2026-11-23T21:20:00.000Z',
      lastAt: '2026-11-23T22:50:00.000Z',
    };
    const { n, p } = protocolsOf({ ...base, notice: { ...base.notice, held } });
    const line =
      'Notifications were held during the maintenance window mon-fri 22:00 Europe/Berlin for 2h (upgrade), from 2026-11-23T21:00:00.000Z to 2026-11-23T23:00:00.000Z: 3 held (firing, repeat), the first at 2026-11-23T21:20:00.000Z, the last at 2026-11-23T22:50:00.000Z.';
    expect(n.body).toContain(line);
    const chat = chatNotificationSchema.parse(JSON.parse(p.https));
    expect(chat.content.description).toContain(`_${line}_`);
    expect(chat.metadata?.additionalContext?.held).toBe('2026-11-23T21:00:00.000Z/2026-11-23T23:00:00.000Z');
    expect(JSON.parse(p.sqs).held).toEqual(held);
  });
});
