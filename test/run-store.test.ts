import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../lambda/model/run.js';
import { boundRecord, MAX_RECORD_BYTES } from '../lambda/sinks/run-store.js';

describe('run records', () => {
  it('stay far below the 400 KB DynamoDB item limit, cutting long evidence (the bundle keeps all of it)', () => {
    const huge = 'x'.repeat(20_000);
    const run: RunRecord = {
      cluster: 'c',
      runId: 'r',
      at: '2026-11-26T10:00:00.000Z',
      slot: '2026-11-26T10:00:00.000Z',
      errorRate: 0.2,
      sustained: true,
      alert: { state: 'firing', fingerprint: 'f' },
      causes: [{ id: 'controller-bug', confidence: 0.7, evidence: [huge, huge] }],
      findings: Array.from({ length: 60 }, (_, i) => ({
        check: 'error-patterns',
        status: 'fail' as const,
        cause: null,
        summary: `s${i}`,
        evidence: [huge, huge, huge],
        remediation: [huge],
        weight: 0.5,
      })),
      sources: {},
      coverage: 1,
      expiresAt: 0,
    };
    expect(Buffer.byteLength(JSON.stringify(run))).toBeGreaterThan(400 * 1024);
    const bounded = boundRecord(run);
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(bounded.findings).toHaveLength(60);
    expect(bounded.findings[0]?.evidence[0]?.endsWith('…')).toBe(true);
  });
});
