/**
 * One check cycle, the arrow of the design and nothing else:
 *
 *   config ─► collect ─► ClusterSnapshot ─► checks ─► Finding[] ─► verdict ─► alert transition ─► sinks
 *
 * The sinks run in the order that loses nothing, as Alertmanager's pipeline does:
 *   1. store the run (whatever was found, even when most sources failed);
 *   2. write the alert's new state, conditionally on the version read (a concurrent invocation that
 *      got there first wins, and this one stops: it never notifies twice);
 *   3. claim the notification for the schedule's slot (a retried invocation finds it taken);
 *   4. publish; a failed publish gives the claim back and fails the invocation, so it is retried;
 *   5. record the delivery and clear the pending notice.
 */
import { randomUUID } from 'node:crypto';
import {
  type AlertState,
  DEFAULT_LIFECYCLE,
  fingerprint,
  initialState,
  type Notice,
  noticeToDeliver,
  transition,
} from './alert/lifecycle.js';
import { applyMaintenance } from './alert/maintenance.js';
import { decideVerdict, type Verdict } from './alert/verdict.js';
import { runChecks } from './checks/index.js';
import type { Finding } from './checks/types.js';
import { Budget, type ClusterReader } from './collect/cluster-reader.js';
import { collectCluster, sourceStates, unreachableSnapshot } from './collect/collect-cluster.js';
import type { ClusterConnector } from './collect/connectors.js';
import type { Measured } from './collect/metrics/evaluation.js';
import type { MetricsSource, MetricsState } from './collect/metrics/source.js';
import { failed } from './collect/result.js';
import type { ClusterSnapshot } from './collect/snapshot.js';
import type { CheckerConfig, ClusterConfig } from './config.js';
import { buildBundle, bundleKey } from './sinks/bundle.js';
import type { BundleReach } from './sinks/bundle-lines.js';
import type { BundleStore, StoredBundle } from './sinks/bundle-store.js';
import { renderNotification } from './sinks/message.js';
import type { Notification, Notifier } from './sinks/notifier.js';
import { redactDeep } from './sinks/redact.js';
import type { RunRecord, RunStore } from './sinks/run-store.js';

export interface CyclePorts {
  connector: ClusterConnector;
  /** The metrics source for the cluster, on the cycle's reader (absent when the cluster is unreachable). */
  metrics: (reader: ClusterReader | undefined) => MetricsSource;
  store: RunStore;
  bundles: BundleStore;
  notifier: Notifier;
}

export interface CycleInput {
  config: CheckerConfig;
  cluster: ClusterConfig;
  /** Milliseconds the collection may take (the invocation's remaining time less what storing needs). */
  budgetMs: number;
  /** The instant to evaluate at: now, or a past incident's time. */
  at?: Date;
  /** The schedule's slot this run belongs to (the scheduler's scheduled time); defaults to the minute of `at`. */
  slot?: string;
}

export type NotificationOutcome =
  | { kind: Notice['kind']; status: 'sent'; messageId: string; subject: string }
  | { kind: Notice['kind']; status: 'already-sent' | 'claimed-elsewhere' }
  /** Held during a maintenance window: sent, saying so, after `until` if still worth sending. */
  | { kind: Notice['kind']; status: 'held'; until: string; window: string }
  | { status: 'superseded'; reason: string };

export interface CycleResult {
  runId: string;
  at: string;
  slot: string;
  snapshot: ClusterSnapshot;
  findings: Finding[];
  verdict: Verdict;
  alert: AlertState;
  notification: NotificationOutcome | null;
  /** The escalation bundle written for this run's notification, or why it could not be. */
  bundle: (StoredBundle & { key: string }) | { error: string } | null;
  run: RunRecord;
}

/** Thrown when the notification could not be published: the invocation must fail and be retried. */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';
}

function errorRateOf(snapshot: ClusterSnapshot): { errorRate: Measured; sustained: boolean } {
  if (!snapshot.metrics.ok)
    return { errorRate: { state: 'unknown', reason: snapshot.metrics.error.message }, sustained: false };
  return { errorRate: snapshot.metrics.data.errorRate, sustained: snapshot.metrics.data.sustained };
}

async function collect(
  ports: CyclePorts,
  input: CycleInput,
  at: Date,
  previousMetrics: MetricsState | undefined,
) {
  const { config, cluster, budgetMs } = input;
  const started = Date.now();
  const connection = await ports.connector.connect(cluster, Budget.forMs(budgetMs));
  const reader = connection.ok ? connection.data : undefined;
  try {
    const metrics = ports
      .metrics(reader)
      .evaluate(at, previousMetrics)
      .catch((error: Error) => ({
        result: failed<never>({ kind: 'bad-response', message: `metrics: ${error.message}` }, 0),
        state: undefined,
      }));
    const state = reader
      ? collectCluster({
          cluster: cluster.name,
          reader,
          operator: config.operator,
          logTailLines: config.collection.logTailLines,
          budgetMs,
        })
      : Promise.resolve(
          unreachableSnapshot({
            cluster: cluster.name,
            server: '',
            operator: config.operator,
            budgetMs,
            error: connection.ok ? { kind: 'unreachable', message: 'not connected' } : connection.error,
            elapsedMs: Date.now() - started,
          }),
        );
    const [collected, evaluated] = await Promise.all([state, metrics]);
    const snapshot: ClusterSnapshot = { ...collected, metrics: evaluated.result };
    return { snapshot, metricsState: evaluated.state };
  } finally {
    reader?.close();
  }
}

export async function runCycle(ports: CyclePorts, input: CycleInput): Promise<CycleResult> {
  const { config, cluster } = input;
  const at = input.at ?? new Date();
  const slot = input.slot ?? new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
  const runId = `${at.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const fp = fingerprint(cluster.name, config.alert.name);
  const loaded = await ports.store.loadState(cluster.name, fp);

  const { snapshot, metricsState } = await collect(ports, input, at, loaded.metrics);
  // Evidence quotes logs, events and status messages: redacted here, once, before anything stores,
  // bundles, prints or sends it.
  const findings = redactDeep(runChecks(snapshot, { threshold: config.alert.threshold }));
  const verdict = redactDeep(decideVerdict(snapshot, findings));

  const previous = loaded.alert ?? initialState(cluster.name, config.alert.name, at);
  const { errorRate, sustained } = errorRateOf(snapshot);
  const { next, notice } = transition(
    previous,
    { at, runId, errorRate, sustained, threshold: config.alert.threshold },
    { repeatIntervalSeconds: config.alert.repeatInterval, ...DEFAULT_LIFECYCLE },
  );
  // Inside a maintenance window the notice is held; after it, what was held is reported once.
  const quiet = applyMaintenance({
    windows: cluster.maintenance,
    at,
    state: next.state,
    firing: {
      ...(next.firingRunId ? { firingRunId: next.firingRunId } : {}),
      ...(next.firingSince ? { firingSince: next.firingSince } : {}),
    },
    ...(previous.held ? { held: previous.held } : {}),
    deliver: noticeToDeliver(previous, notice, slot, runId),
    slot,
    runId,
  });
  const deliver = quiet.deliver;
  if (quiet.held) next.held = quiet.held;
  else delete next.held;
  if (quiet.holding) delete next.pendingNotice;
  if (deliver) next.pendingNotice = deliver;

  const run: RunRecord = {
    cluster: cluster.name,
    runId,
    at: at.toISOString(),
    slot,
    errorRate: verdict.errorRate,
    sustained: verdict.sustained,
    alert: { state: next.state, fingerprint: fp },
    causes: verdict.causes,
    findings,
    sources: sourceStates(snapshot),
    coverage: verdict.coverage,
    expiresAt: Math.floor(at.getTime() / 1000) + config.bundles.retentionDays * 86_400,
  };
  let bundle: CycleResult['bundle'] = null;
  const result = (notification: NotificationOutcome | null, alert: AlertState): CycleResult => ({
    bundle,
    runId,
    at: run.at,
    slot,
    snapshot,
    findings,
    verdict,
    alert,
    notification,
    run,
  });

  // 1. The run is stored whatever happens next.
  await ports.store.saveRun(run);
  if (metricsState) await ports.store.saveMetricsState(cluster.name, metricsState);
  // 2. The alert's state, only if nobody advanced it since we read it.
  if (!(await ports.store.saveAlertState(next, previous.version))) {
    return result(
      {
        status: 'superseded',
        reason: 'a concurrent invocation advanced the alert first; it notifies, this one does not',
      },
      next,
    );
  }
  if (!deliver) return result(quiet.holding ? { status: 'held', ...quiet.holding } : null, next);

  // 3. The claim for the slot: a retried or concurrent invocation finds it taken.
  const claim = await ports.store.claimNotification(fp, deliver.slot, deliver.kind, runId);
  if (claim === 'busy') return result({ kind: deliver.kind, status: 'claimed-elsewhere' }, next);
  const delivered: AlertState = { ...next, version: next.version + 1, lastNotifiedAt: at.toISOString() };
  delete delivered.pendingNotice;
  if (claim === 'sent') {
    await ports.store.saveAlertState(delivered, next.version);
    return result({ kind: deliver.kind, status: 'already-sent' }, delivered);
  }

  const render = (reach?: BundleReach): Notification =>
    renderNotification({
      cluster: cluster.name,
      alertName: config.alert.name,
      notice: deliver,
      alert: next,
      verdict,
      findings,
      runId,
      at: run.at,
      threshold: config.alert.threshold,
      runbookUrl: config.notifications.runbookUrl,
      ...(reach ? { bundle: reach } : {}),
    });
  let notification = render();
  // The escalation bundle, for a notice that asks someone to act; a bundle that fails still notifies.
  // Its link is known before it is written, so that the bundle carries the message as sent.
  if (deliver.kind === 'firing' || deliver.kind === 'repeat' || deliver.kind === 'blind') {
    const key = bundleKey(cluster.name, runId, run.at);
    try {
      const stored = await ports.bundles.link(key);
      notification = render(reachOf(stored));
      const built = await buildBundle({
        snapshot,
        findings,
        verdict,
        runId,
        at: run.at,
        alertName: config.alert.name,
        notice: deliver,
        alertSince: next.since,
        config,
        notification,
      });
      await ports.bundles.put(key, built.body);
      bundle = { key, ...stored };
      await ports.store.attachBundle(run, { key });
    } catch (error) {
      bundle = { error: `the escalation bundle could not be written: ${(error as Error).message}` };
      notification = render({ error: bundle.error });
      await ports.store.attachBundle(run, { error: bundle.error }).catch(() => undefined);
    }
  }

  // 4. Publish; on failure give the claim back and fail the invocation so that it is retried.
  let messageId: string;
  try {
    ({ messageId } = await ports.notifier.publish(notification));
  } catch (error) {
    await ports.store.releaseNotification(fp, deliver.slot, runId);
    throw new NotifyError(
      `the ${deliver.kind} notification for ${cluster.name} could not be published: ${(error as Error).message}`,
    );
  }
  // 5. Record the delivery; the pending notice is done.
  await ports.store.recordNotification(fp, deliver.slot, { messageId });
  await ports.store.saveAlertState(delivered, next.version);
  return result({ kind: deliver.kind, status: 'sent', messageId, subject: notification.subject }, delivered);
}

/** What a message needs to reach a stored bundle. */
function reachOf(stored: StoredBundle): BundleReach {
  return {
    location: stored.location,
    ...(stored.link ? { link: stored.link } : {}),
    ...(stored.expiresAt ? { expiresAt: stored.expiresAt } : {}),
    ...(stored.linkNote ? { note: stored.linkNote } : {}),
    ...(stored.consoleUrl ? { consoleUrl: stored.consoleUrl } : {}),
    ...(stored.command ? { command: stored.command } : {}),
  };
}
