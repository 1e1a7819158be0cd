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
import { previousRuleState } from './alert/rule-groups.js';
import type { PreviousRuleState } from './alert/rules/evaluate.js';
import type { AlertGroup } from './alert/rules/grouping.js';
import type { AlertingRule } from './alert/rules/types.js';
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
  /** Every evaluated alerting rule's groups, with their state and notification. */
  groups: GroupOutcome[];
  /** What the rules' evaluation said once for all (rules the metrics source cannot evaluate). */
  ruleNotices: string[];
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

  const stored = loaded.alerts ?? {};
  const rules = await rulesOf(config);
  const {
    snapshot,
    metricsState,
    rules: evaluated,
  } = await ports.collector.collect({
    at,
    budgetMs: input.budgetMs,
    ...(loaded.metrics ? { previousMetrics: loaded.metrics } : {}),
    ...(rules.rules.length > 0 ? { rules: { rules: rules.rules, previous: rememberedAlerts(stored) } } : {}),
  });
  // Evidence quotes logs, events and status messages: redacted here, once, before anything stores,
  // bundles, prints or sends it.
  const decision = redactDecision(
    decide({
      snapshot,
      previous,
      settings: decisionSettings(config, cluster),
      at,
      runId,
      slot,
      ...(evaluated || rules.notices.length > 0
        ? {
            rules: {
              evaluations: evaluated?.evaluations ?? [],
              notices: [...rules.notices, ...(evaluated?.notices ?? [])],
            },
          }
        : {}),
      previousGroups: stored,
    }),
  );
  const { findings, verdict, next, deliver, run } = decision;
  const result = (
    notification: NotificationOutcome | null,
    alert: AlertState,
    bundle: BundleOutcome,
    groups: GroupOutcome[],
  ): CycleResult => ({
    runId,
    at: run.at,
    slot,
    snapshot,
    findings,
    verdict,
    alert,
    notification,
    bundle,
    groups,
    ruleNotices: decision.ruleNotices,
    run,
  });

  // 1. store: the run is stored whatever happens next.
  await ports.store.saveRun(run);
  if (metricsState) await ports.store.saveMetricsState(cluster, metricsState);
  const bundle = runBundle(ports, decision, config, snapshot);
  const primary = await deliverAlert(ports, bundle, {
    at: run.at,
    alertName: config.alert.name,
    previous,
    next,
    ...(deliver ? { deliver } : {}),
    ...(decision.holding ? { holding: decision.holding } : {}),
    render: (notice, reach) => render(decision, config, notice, reach),
  });
  if (primary.notification?.status === 'superseded') {
    // A concurrent invocation advanced the runbook's alert first: it delivers the rules' groups too.
    return result(primary.notification, next, null, []);
  }
  // The rules' groups, each as the runbook's alert: advance, claim, bundle (the run's one), publish.
  // A group whose publish fails does not stop the others; the invocation fails after them all.
  const groups: GroupOutcome[] = [];
  let failure = primary.failure;
  for (const g of decision.groups) {
    const delivered = await deliverAlert(ports, bundle, {
      at: run.at,
      alertName: g.group.alertname,
      previous: g.previous,
      next: g.next,
      ...(g.deliver ? { deliver: g.deliver } : {}),
      ...(g.holding ? { holding: g.holding } : {}),
      render: (notice, reach) => render(decision, config, notice, reach, g.group),
    });
    failure ??= delivered.failure;
    groups.push({
      group: g.group,
      alert: delivered.alert,
      notification: delivered.notification,
    });
  }
  if (failure) throw failure;
  return result(primary.notification, primary.alert, primary.bundle ?? (await bundle.written()), groups);
}

/** One rule group's outcome of the cycle. */
export interface GroupOutcome {
  group: AlertGroup;
  alert: AlertState;
  notification: NotificationOutcome | null;
}

interface Deliverable {
  /** The run's instant: when a delivered notice counts as notified. */
  at: string;
  alertName: string;
  previous: AlertState;
  next: AlertState;
  deliver?: Notice & { slot: string; runId: string };
  holding?: { kind: Notice['kind']; until: string; window: string };
  render(notice: Notice & { slot: string; runId: string }, reach?: BundleReach): Notification;
}

interface Delivered {
  alert: AlertState;
  notification: NotificationOutcome | null;
  bundle?: BundleOutcome;
  /** The publish failed: the invocation fails (after the other alerts), and is retried. */
  failure?: NotifyError;
}

/** Steps 2 to 6 for one alert (the runbook's, or a rule's group). */
async function deliverAlert(ports: CyclePorts, bundle: RunBundle, d: Deliverable): Promise<Delivered> {
  const { previous, next, deliver } = d;
  // 2. advance: the alert's state, only if nobody advanced it since we read it.
  if (!(await ports.store.saveAlertState(next, previous.version))) {
    const reason = 'a concurrent invocation advanced the alert first; it notifies, this one does not';
    return { alert: next, notification: { status: 'superseded', reason } };
  }
  if (!deliver) return { alert: next, notification: d.holding ? { status: 'held', ...d.holding } : null };

  // 3. claim: a retried or concurrent invocation finds the slot taken.
  const fp = next.fingerprint;
  const claim = await ports.store.claimNotification(fp, deliver.slot, deliver.kind, deliver.runId);
  if (claim === 'busy')
    return { alert: next, notification: { kind: deliver.kind, status: 'claimed-elsewhere' } };
  const delivered: AlertState = { ...next, version: next.version + 1, lastNotifiedAt: d.at };
  delete delivered.pendingNotice;
  if (claim === 'sent') {
    await ports.store.saveAlertState(delivered, next.version);
    return { alert: delivered, notification: { kind: deliver.kind, status: 'already-sent' } };
  }

  // 4. bundle: for a notice that asks someone to act, the run's one bundle. Its link is known
  //    before it is written, so that the bundle carries the message as sent. 5. publish follows.
  let outcome: BundleOutcome | undefined;
  let notification = d.render(deliver);
  if (asksToAct(deliver)) {
    ({ notification, bundle: outcome } = await bundle.forNotice(deliver, next.since, d.alertName, (reach) =>
      d.render(deliver, reach),
    ));
  }
  // 5. publish: on failure give the claim back and fail the invocation so that it is retried.
  let messageId: string;
  try {
    ({ messageId } = await ports.notifier.publish(notification));
  } catch (error) {
    await ports.store.releaseNotification(fp, deliver.slot, deliver.runId);
    return {
      alert: next,
      notification: null,
      ...(outcome !== undefined ? { bundle: outcome } : {}),
      failure: new NotifyError(
        `the ${deliver.kind} notification for ${next.cluster} could not be published: ${(error as Error).message}`,
      ),
    };
  }
  // 6. record: the delivery, and the pending notice is done. Tried three times: a record that never
  //    lands leaves the claim unsent, and a cycle that finds it stale sends the message again
  //    (at least once; see docs/reliability.md, "Delivery").
  await recordDelivery(ports.store, fp, deliver.slot, messageId);
  await ports.store.saveAlertState(delivered, next.version);
  return {
    alert: delivered,
    notification: { kind: deliver.kind, status: 'sent', messageId, subject: notification.subject },
    ...(outcome !== undefined ? { bundle: outcome } : {}),
  };
}

interface RunBundle {
  /** The notification rendered with the bundle's reach, writing the bundle the first time. */
  forNotice(
    notice: Notice,
    alertSince: string,
    alertName: string,
    render: (reach: BundleReach) => Notification,
  ): Promise<{ notification: Notification; bundle: BundleOutcome }>;
  /** The bundle written this run, if any notice needed one. */
  written(): Promise<BundleOutcome>;
}

/**
 * The run's one escalation bundle: written for the first notice that asks someone to act (it
 * carries that message), linked from every other notice of the run.
 */
function runBundle(
  ports: CyclePorts,
  decision: Decision,
  config: CheckerConfig,
  snapshot: ClusterSnapshot,
): RunBundle {
  const { run, findings, verdict } = decision;
  let writing: Promise<BundleOutcome> | undefined;
  return {
    async forNotice(notice, alertSince, alertName, renderWith) {
      const key = bundleKey(run.cluster, run.runId, run.at);
      writing ??= (async (): Promise<BundleOutcome> => {
        const stored = await ports.bundles.link(key);
        const notification = renderWith(reachOf(stored));
        const built = await buildBundle({
          snapshot,
          findings,
          verdict,
          runId: run.runId,
          at: run.at,
          alertName,
          notice,
          alertSince,
          config,
          notification,
        });
        await ports.bundles.put(key, built.body);
        await ports.store.attachBundle(run, { key });
        return { key, ...stored };
      })().catch(async (error: Error) => {
        const problem = { error: `the escalation bundle could not be written: ${error.message}` };
        await ports.store.attachBundle(run, problem).catch(() => undefined);
        return problem;
      });
      const bundle = await writing;
      const notification =
        bundle && 'error' in bundle
          ? renderWith({ error: bundle.error })
          : renderWith(reachOf(bundle as StoredBundle));
      return { notification, bundle };
    },
    written: async () => (writing ? await writing : null),
  };
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

const selected = new WeakMap<object, Promise<{ rules: AlertingRule[]; notices: string[] }>>();

/**
 * The alerting rules the config names, read once per config (per container in Lambda). A rule file
 * that cannot be used (it was validated at synth, so only a hand-edited deployment) is said in the
 * run's notices; the runbook's alert goes on.
 */
function rulesOf(config: CheckerConfig): Promise<{ rules: AlertingRule[]; notices: string[] }> {
  let chosen = selected.get(config.rules);
  if (!chosen) {
    // The parser (and YAML) load here, once, not at start-up.
    chosen = import('./alert/rules/select.js')
      .then(({ rulesToEvaluate }) => ({ rules: rulesToEvaluate(config), notices: [] as string[] }))
      .catch((error: Error) => ({
        rules: [],
        notices: [`The alerting rules were not evaluated: ${error.message}`],
      }));
    selected.set(config.rules, chosen);
  }
  return chosen;
}

/** Each rule's alerts as the previous cycle left them, by rule name (groups of one rule merged). */
function rememberedAlerts(stored: Record<string, AlertState>): Record<string, PreviousRuleState> {
  const out: Record<string, PreviousRuleState> = {};
  for (const state of Object.values(stored)) {
    const remembered = previousRuleState(state);
    if (!state.rule || !remembered) continue;
    const seen = out[state.rule.name];
    out[state.rule.name] = seen
      ? { ...seen, instances: [...seen.instances, ...remembered.instances] }
      : remembered;
  }
  return out;
}

function redactDecision(decision: Decision): Decision {
  return {
    ...decision,
    groups: redactDeep(decision.groups),
    findings: redactDeep(decision.findings),
    verdict: redactDeep(decision.verdict),
    run: redactDeep(decision.run),
  };
}

function asksToAct(notice: Notice): boolean {
  return notice.kind === 'firing' || notice.kind === 'repeat' || notice.kind === 'blind';
}

function render(
  { findings, verdict, next, run, groups }: Decision,
  config: CheckerConfig,
  notice: NonNullable<Decision['deliver']>,
  reach?: BundleReach,
  group?: AlertGroup,
): Notification {
  return renderNotification({
    cluster: run.cluster,
    alertName: group?.alertname ?? config.alert.name,
    notice,
    alert: group ? (groups.find((g) => g.group === group)?.next ?? next) : next,
    ...(group ? { rule: group } : {}),
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
