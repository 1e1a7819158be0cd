/**
 * One check cycle, the arrow of the design and nothing else:
 *
 *   load ─► collect ─► decide (pure: checks, verdict, alert transition) ─► deliver
 *
 * Delivery runs in the order that loses nothing, as Alertmanager's notification pipeline does:
 *   1. store   the run (whatever was found, even when most sources failed);
 *   2. advance the alert's state, conditionally on the version read (a concurrent invocation that
 *              got there first wins, and this one stops: it never notifies twice);
 *   3. claim   the notification for the schedule's slot (a retried invocation finds it taken);
 *   4. bundle  the escalation bundle (one that fails still notifies, saying so);
 *   5. publish (a failed publish gives the claim back and fails the invocation, so it is retried);
 *   6. record  the delivery and clear the pending notice.
 */
import { randomUUID } from 'node:crypto';
import { type Decision, type DecisionSettings, decide } from './alert/decide.js';
import { fingerprint, initialState } from './alert/lifecycle.js';
import type { SnapshotCollector } from './collect/collector.js';
import type { CheckerConfig } from './config.js';
import type { AlertState, Notice } from './model/alert.js';
import type { Finding } from './model/finding.js';
import type { RunRecord } from './model/run.js';
import type { ClusterSnapshot } from './model/snapshot.js';
import type { Verdict } from './model/verdict.js';
import { buildBundle, bundleKey } from './sinks/bundle.js';
import type { BundleReach } from './sinks/bundle-lines.js';
import type { BundleStore, StoredBundle } from './sinks/bundle-store.js';
import { renderNotification } from './sinks/message.js';
import type { Notification, Notifier } from './sinks/notifier.js';
import { redactDeep } from './sinks/redact.js';
import type { RunStore } from './sinks/run-store.js';

/** What the cycle reads and writes through: built once per cluster by `buildPorts` (ports.ts). */
export interface CyclePorts {
  collector: SnapshotCollector;
  store: RunStore;
  bundles: BundleStore;
  notifier: Notifier;
}

export interface CycleInput {
  config: CheckerConfig;
  /** The watched cluster's name. */
  cluster: string;
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

export type BundleOutcome = (StoredBundle & { key: string }) | { error: string } | null;

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
  bundle: BundleOutcome;
  run: RunRecord;
}

/** Thrown when the notification could not be published: the invocation must fail and be retried. */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';
}

export function decisionSettings(config: CheckerConfig, cluster: string): DecisionSettings {
  const watched = config.clusters.find((c) => c.name === cluster);
  return {
    alert: config.alert,
    retentionDays: config.bundles.retentionDays,
    ...(watched?.maintenance?.length ? { maintenance: watched.maintenance } : {}),
  };
}

export async function runCycle(ports: CyclePorts, input: CycleInput): Promise<CycleResult> {
  const { config, cluster } = input;
  const at = input.at ?? new Date();
  const slot = input.slot ?? new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
  const runId = `${at.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const loaded = await ports.store.loadState(cluster, fingerprint(cluster, config.alert.name));
  const previous = loaded.alert ?? initialState(cluster, config.alert.name, at);

  const { snapshot, metricsState } = await ports.collector.collect({
    at,
    budgetMs: input.budgetMs,
    ...(loaded.metrics ? { previousMetrics: loaded.metrics } : {}),
  });
  // Evidence quotes logs, events and status messages: redacted here, once, before anything stores,
  // bundles, prints or sends it.
  const decision = redactDecision(
    decide({ snapshot, previous, settings: decisionSettings(config, cluster), at, runId, slot }),
  );
  const { findings, verdict, next, deliver, run } = decision;
  const result = (
    notification: NotificationOutcome | null,
    alert: AlertState,
    bundle: BundleOutcome = null,
  ) => ({
    runId,
    at: run.at,
    slot,
    snapshot,
    findings,
    verdict,
    alert,
    notification,
    bundle,
    run,
  });

  // 1. store: the run is stored whatever happens next.
  await ports.store.saveRun(run);
  if (metricsState) await ports.store.saveMetricsState(cluster, metricsState);
  // 2. advance: the alert's state, only if nobody advanced it since we read it.
  if (!(await ports.store.saveAlertState(next, previous.version))) {
    const reason = 'a concurrent invocation advanced the alert first; it notifies, this one does not';
    return result({ status: 'superseded', reason }, next);
  }
  if (!deliver) return result(decision.holding ? { status: 'held', ...decision.holding } : null, next);

  // 3. claim: a retried or concurrent invocation finds the slot taken.
  const fp = next.fingerprint;
  const claim = await ports.store.claimNotification(fp, deliver.slot, deliver.kind, runId);
  if (claim === 'busy') return result({ kind: deliver.kind, status: 'claimed-elsewhere' }, next);
  const delivered: AlertState = { ...next, version: next.version + 1, lastNotifiedAt: run.at };
  delete delivered.pendingNotice;
  if (claim === 'sent') {
    await ports.store.saveAlertState(delivered, next.version);
    return result({ kind: deliver.kind, status: 'already-sent' }, delivered);
  }

  // 4. bundle: for a notice that asks someone to act. Its link is known before it is written, so
  //    that the bundle carries the message as sent. 5. publish follows.
  let bundle: BundleOutcome = null;
  let notification = render(decision, config, deliver);
  if (asksToAct(deliver)) {
    const key = bundleKey(run.cluster, run.runId, run.at);
    try {
      const stored = await ports.bundles.link(key);
      notification = render(decision, config, deliver, reachOf(stored));
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
      notification = render(decision, config, deliver, { error: bundle.error });
      await ports.store.attachBundle(run, { error: bundle.error }).catch(() => undefined);
    }
  }
  // 5. publish: on failure give the claim back and fail the invocation so that it is retried.
  let messageId: string;
  try {
    ({ messageId } = await ports.notifier.publish(notification));
  } catch (error) {
    await ports.store.releaseNotification(fp, deliver.slot, runId);
    throw new NotifyError(
      `the ${deliver.kind} notification for ${cluster} could not be published: ${(error as Error).message}`,
    );
  }
  // 6. record: the delivery, and the pending notice is done. Tried three times: a record that never
  //    lands leaves the claim unsent, and a cycle that finds it stale sends the message again
  //    (at least once; see docs/reliability.md, "Delivery").
  await recordDelivery(ports.store, fp, deliver.slot, messageId);
  await ports.store.saveAlertState(delivered, next.version);
  return result(
    { kind: deliver.kind, status: 'sent', messageId, subject: notification.subject },
    delivered,
    bundle,
  );
}

async function recordDelivery(store: RunStore, fp: string, slot: string, messageId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.recordNotification(fp, slot, { messageId });
      return;
    } catch (error) {
      if (attempt >= RECORD_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt * Math.random()));
    }
  }
}

/** Tries to record a published message before the invocation fails. */
export const RECORD_TRIES = 3;

function redactDecision(decision: Decision): Decision {
  return {
    ...decision,
    findings: redactDeep(decision.findings),
    verdict: redactDeep(decision.verdict),
    run: redactDeep(decision.run),
  };
}

function asksToAct(notice: Notice): boolean {
  return notice.kind === 'firing' || notice.kind === 'repeat' || notice.kind === 'blind';
}

function render(
  { findings, verdict, next, run }: Decision,
  config: CheckerConfig,
  notice: NonNullable<Decision['deliver']>,
  reach?: BundleReach,
): Notification {
  return renderNotification({
    cluster: run.cluster,
    alertName: config.alert.name,
    notice,
    alert: next,
    verdict,
    findings,
    runId: run.runId,
    at: run.at,
    threshold: config.alert.threshold,
    runbookUrl: config.notifications.runbookUrl,
    ...(reach ? { bundle: reach } : {}),
  });
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
