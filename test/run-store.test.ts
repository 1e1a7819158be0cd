import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../lambda/model/run.js';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import { boundRecord, MAX_RECORD_BYTES } from '../lambda/sinks/run-store.js';
import { type LocalDynamo, startDynamo } from './helpers/dynalite.js';

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

describe('runs in DynamoDB, more than one page of them (dynalite)', () => {
  let dynamo: LocalDynamo;
  let store: DynamoDbRunStore;
  const T0 = Date.parse('2026-11-01T00:00:00Z');
  const runs: RunRecord[] = Array.from({ length: 400 }, (_, i) => {
    const at = new Date(T0 + i * 300_000);
    const runId = `${at.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${String(i).padStart(8, '0')}`;
    return {
      cluster: 'prod-eks-1',
      runId,
      at: at.toISOString(),
      slot: at.toISOString(),
      errorRate: 0.2,
      sustained: true,
      alert: { state: 'firing', fingerprint: '0123456789abcdef' },
      causes: [],
      // About 4 KB a run, as a run with a dozen findings is.
      findings: Array.from({ length: 8 }, (_, f) => ({
        check: `check-${f}`,
        status: 'warn' as const,
        cause: null,
        summary: 's'.repeat(200),
        evidence: ['e'.repeat(250)],
        remediation: [],
        weight: 0.1,
      })),
      sources: {},
      coverage: 1,
      expiresAt: 0,
      bundleKey: `bundles/prod-eks-1/2026/11/01/${runId}.tar.gz`,
    };
  });

  beforeAll(async () => {
    dynamo = await startDynamo('paged-runs');
    store = new DynamoDbRunStore(dynamo.client, dynamo.table);
    for (let i = 0; i < runs.length; i += 25)
      await Promise.all(runs.slice(i, i + 25).map((r) => store.saveRun(r)));
  });
  afterAll(async () => {
    await dynamo?.close();
  });

  it('one Query page does not hold them all (the 1 MB page is real here)', async () => {
    const page = await dynamo.client.send(
      new QueryCommand({
        TableName: dynamo.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'CLUSTER#prod-eks-1' } },
        ScanIndexForward: false,
      }),
    );
    expect(Buffer.byteLength(JSON.stringify(runs[0]))).toBeGreaterThan(3500);
    expect(page.Items?.length).toBeLessThan(400);
    expect(page.LastEvaluatedKey).toBeDefined();
  });

  it('lists every run, newest first, following the pages', async () => {
    const listed = await store.listRuns('prod-eks-1', 1000);
    expect(listed).toHaveLength(400);
    expect(listed[0]?.runId).toBe(runs[399]?.runId);
    expect(listed.at(-1)?.runId).toBe(runs[0]?.runId);
    expect((await store.listRuns('prod-eks-1', 7)).map((r) => r.runId)).toEqual(
      runs
        .slice(-7)
        .reverse()
        .map((r) => r.runId),
    );
  });

  it('finds a run older than one page by its id, and says when there is none', async () => {
    const oldest = runs[0] as RunRecord;
    expect(await store.findRun('prod-eks-1', oldest.runId)).toMatchObject({
      runId: oldest.runId,
      at: oldest.at,
      bundleKey: oldest.bundleKey,
    });
    expect(await store.findRun('prod-eks-1', '20261101T000000-ffffffff')).toBeUndefined();
    expect(await store.findRun('staging-eks', oldest.runId)).toBeUndefined();
  });

  it('finds a run whose id does not carry its time, page after page', async () => {
    const odd = { ...(runs[1] as RunRecord), runId: 'imported-run-7', at: '2026-10-01T00:00:00.000Z' };
    await store.saveRun(odd);
    expect((await store.findRun('prod-eks-1', 'imported-run-7'))?.at).toBe('2026-10-01T00:00:00.000Z');
  });
});
