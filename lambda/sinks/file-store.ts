/**
 * The store's local twin for the CLI: a directory of JSON files, with the same notify-once claim
 * (an exclusive create) and the same optimistic check on the alert state.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AlertState, NoticeKind } from '../model/alert.js';
import type { MetricsState } from '../model/metrics.js';
import type { RunRecord } from '../model/run.js';
import { boundRecord, CLAIM_STALE_SECONDS, type ClusterState, type RunStore } from './run-store.js';

const safe = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_');

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export class FileRunStore implements RunStore {
  constructor(private readonly dir: string) {}

  private clusterDir(cluster: string) {
    return join(this.dir, 'clusters', safe(cluster));
  }

  async loadState(cluster: string, fingerprint: string): Promise<ClusterState> {
    const dir = this.clusterDir(cluster);
    const files = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const alerts: Record<string, AlertState> = {};
    for (const file of files.filter((f) => /^alert-.*\.json$/.test(f))) {
      const state = await readJson<AlertState>(join(dir, file));
      if (state) alerts[state.fingerprint] = state;
    }
    const alert = alerts[fingerprint];
    const metrics = await readJson<MetricsState>(join(dir, 'metrics.json'));
    return { ...(alert ? { alert } : {}), alerts, ...(metrics ? { metrics } : {}) };
  }

  private runPath(run: RunRecord) {
    return join(this.clusterDir(run.cluster), 'runs', `${run.at.replace(/:/g, '-')}_${safe(run.runId)}.json`);
  }

  async saveRun(run: RunRecord): Promise<void> {
    await mkdir(join(this.clusterDir(run.cluster), 'runs'), { recursive: true });
    await writeFile(this.runPath(run), JSON.stringify(boundRecord(run), null, 2));
  }

  async attachBundle(run: RunRecord, bundle: { key?: string; error?: string }): Promise<void> {
    const stored = (await readJson<RunRecord>(this.runPath(run))) ?? run;
    const extra = {
      ...(bundle.key ? { bundleKey: bundle.key } : {}),
      ...(bundle.error ? { bundleError: bundle.error } : {}),
    };
    await writeFile(this.runPath(run), JSON.stringify({ ...stored, ...extra }, null, 2));
  }

  async saveAlertState(state: AlertState, previousVersion: number): Promise<boolean> {
    const path = join(this.clusterDir(state.cluster), `alert-${safe(state.fingerprint)}.json`);
    const current = await readJson<AlertState>(path);
    if ((current?.version ?? 0) !== previousVersion) return false;
    await mkdir(this.clusterDir(state.cluster), { recursive: true });
    await writeFile(path, JSON.stringify(state, null, 2));
    return true;
  }

  async saveMetricsState(cluster: string, state: MetricsState): Promise<void> {
    await mkdir(this.clusterDir(cluster), { recursive: true });
    await writeFile(join(this.clusterDir(cluster), 'metrics.json'), JSON.stringify(state));
  }

  async claimNotification(
    fingerprint: string,
    slot: string,
    kind: NoticeKind,
    runId: string,
  ): Promise<'claimed' | 'sent' | 'busy'> {
    const dir = join(this.dir, 'notifications', safe(fingerprint));
    const path = join(dir, `${safe(slot)}.json`);
    await mkdir(dir, { recursive: true });
    const claim = JSON.stringify({ kind, runId, claimedAt: Date.now() });
    try {
      await writeFile(path, claim, { flag: 'wx' });
      return 'claimed';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await readJson<{ sentAt?: string; claimedAt?: number }>(path);
    if (held?.sentAt) return 'sent';
    if ((held?.claimedAt ?? 0) < Date.now() - CLAIM_STALE_SECONDS * 1000) {
      await writeFile(path, claim);
      return 'claimed';
    }
    return 'busy';
  }

  async recordNotification(fingerprint: string, slot: string, result: { messageId: string }): Promise<void> {
    const path = join(this.dir, 'notifications', safe(fingerprint), `${safe(slot)}.json`);
    const claim = (await readJson<Record<string, unknown>>(path)) ?? {};
    await writeFile(path, JSON.stringify({ ...claim, sentAt: new Date().toISOString(), ...result }));
  }

  async releaseNotification(fingerprint: string, slot: string, runId: string): Promise<void> {
    const path = join(this.dir, 'notifications', safe(fingerprint), `${safe(slot)}.json`);
    const held = await readJson<{ runId?: string; sentAt?: string }>(path);
    if (held?.runId === runId && !held.sentAt) await rm(path, { force: true });
  }

  async listRuns(cluster: string, limit: number): Promise<RunRecord[]> {
    const dir = join(this.clusterDir(cluster), 'runs');
    let files: string[];
    try {
      files = await readdir(dir);
    } catch {
      return [];
    }
    const newest = files
      .filter((f) => f.endsWith('.json'))
      .sort()
      .reverse()
      .slice(0, limit);
    return Promise.all(
      newest.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as RunRecord),
    );
  }
}
