/**
 * The escalation bundle is capped in bytes; when a log does not fit, what is cut is its oldest lines:
 * the newest ones, nearest the incident, are what the next level of support reads first.
 */

import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { decideVerdict } from '../lambda/alert/verdict.js';
import { runChecks } from '../lambda/checks/index.js';
import { unreachableSnapshot } from '../lambda/collect/collect-cluster.js';
import { LogSummarizer } from '../lambda/collect/log-parser.js';
import type { ClusterSnapshot, LogStream } from '../lambda/model/snapshot.js';
import { failed, succeeded } from '../lambda/model/source.js';
import { OPERATOR_PRESETS } from '../lambda/presets.js';
import { type BundleLimits, buildBundle, keepNewest } from '../lambda/sinks/bundle.js';

async function unpack(body: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      files.set(header.name.replace(/^[^/]+\//, ''), Buffer.concat(chunks).toString('utf8'));
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    Readable.from(body).pipe(createGunzip()).pipe(ex);
  });
  return files;
}

function stream(pod: string, previous: boolean, lines: number, width: number): LogStream {
  const pad = 'y'.repeat(width);
  const text = `${Array.from({ length: lines }, (_, i) => `2026-12-01T10:00:00.000Z\tINFO\t${pod}${previous ? ' previous' : ''} line ${String(i).padStart(5, '0')} ${pad}`).join('\n')}\n`;
  return { pod, container: 'manager', previous, lines, text };
}

async function bundleOf(streams: LogStream[], limits?: BundleLimits) {
  const snapshot: ClusterSnapshot = {
    ...unreachableSnapshot({
      cluster: 'prod-eks-1',
      server: 'https://example.invalid',
      operator: OPERATOR_PRESETS['tenant-operator'],
      budgetMs: 1000,
      error: { kind: 'unreachable', message: 'not read in this test' },
      elapsedMs: 0,
    }),
    operatorLogs: {
      ...succeeded({ tailLines: 5000, streams, unread: [], summary: new LogSummarizer().result() }, 1),
      tries: 2,
      notes: ['GET /api/v1/namespaces/x/pods/p1/log: HTTP 503; tried again after 120 ms'],
    },
    metrics: failed({ kind: 'unreachable', message: 'not read in this test' }, 0),
  };
  const findings = runChecks(snapshot, { threshold: 0.1 });
  const built = await buildBundle(
    {
      snapshot,
      findings,
      verdict: decideVerdict(snapshot, findings, 0.1),
      runId: 'run-1',
      at: '2026-12-01T10:00:00.000Z',
      alertName: 'TenantReconciliationErrors',
    },
    limits,
  );
  return { files: await unpack(built.body), manifest: built.files };
}

describe('a log cut to fit the bundle keeps its newest lines', () => {
  it('at the real caps: 17 MB of log in one stream loses its oldest lines, not its newest', async () => {
    const { files, manifest } = await bundleOf([stream('p1', false, 5000, 3500)]);
    const log = files.get('operator.log') ?? '';
    expect(log).toContain('p1 line 04999 ');
    expect(log).not.toContain('p1 line 00000 ');
    expect(log).toMatch(/\[truncated: .*the oldest lines were cut\]/);
    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(manifest.find((f) => f.name === 'operator.log')?.size).toBeLessThanOrEqual(16 * 1024 * 1024);
    // What the reads went through is in the manifest.
    expect(JSON.parse(files.get('manifest.json') ?? '{}').readNotes).toEqual([
      { source: 'operatorLogs', tries: 2, notes: [expect.stringContaining('tried again')] },
    ]);
  });

  it('each stream keeps its newest lines in its share: the previous container is not pushed out', async () => {
    const { files } = await bundleOf([stream('p1', false, 3000, 200), stream('p1', true, 3000, 200)], {
      fileMaxBytes: 64 * 1024,
    });
    const log = files.get('operator.log') ?? '';
    expect(log).toContain('p1 line 02999 ');
    expect(log).toContain('p1 previous line 02999 ');
    expect(log).not.toContain('p1 line 00000 ');
    expect(log).not.toContain('p1 previous line 00000 ');
    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(64 * 1024);
  });

  it('cuts on a line boundary and says what it cut', () => {
    const text = 'one\ntwo\nthree\nfour\n';
    const out = keepNewest(text, 60, 'test');
    expect(out.startsWith('[truncated: test; the oldest lines were cut]\n')).toBe(true);
    expect(out.endsWith('four\n')).toBe(true);
    expect(
      out
        .split('\n')
        .slice(1)
        .every((l) => ['one', 'two', 'three', 'four', ''].includes(l)),
    ).toBe(true);
  });
});
