/**
 * The soak: one warm process (a warm Lambda container) runs check cycles for several clusters, slot
 * after slot, with faults drawn from a seeded generator: API errors and dropped connections, a hanging
 * API server at the deadline, gaps and garbage in the operator's metrics, a throttled DynamoDB and
 * failed publishes. An invocation that fails is retried for the same slot, as Lambda retries an
 * asynchronous invocation. Everything real: the simulator (one per cluster), dynalite behind a proxy
 * that can answer ProvisionedThroughputExceeded, SNS by fauxqs with a queue subscribed, the SDK
 * clients. They run in a second process (world.ts): this process holds only the checker, so the heap,
 * RSS and descriptors measured are the checker's. Used by test/soak.test.ts (bounded for CI) and by
 * `npm run bench` (longer).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { clusterCollector } from '../../lambda/collect/collector.js';
import { KubeconfigConnector } from '../../lambda/collect/connectors.js';
import { loadLocalKubeConfig } from '../../lambda/collect/kubeconfig.js';
import { metricsSourceFor } from '../../lambda/collect/metrics/source.js';
import { type CheckerConfig, type ClusterConfig, parseConfig } from '../../lambda/config.js';
import { type CycleInput, type CyclePorts, type CycleResult, runCycle } from '../../lambda/cycle.js';
import { FileBundleStore } from '../../lambda/sinks/bundle-store.js';
import { DynamoDbRunStore } from '../../lambda/sinks/dynamodb-store.js';
import { SnsNotifier } from '../../lambda/sinks/sns-notifier.js';
import type { RawResponse } from '../../sim/kube/server.js';
import { type Delivered, LOCAL_CREDENTIALS, REGION } from '../helpers/aws-local.js';
import { createTable, TEST_CREDENTIALS } from '../helpers/dynalite.js';
import type { WireFault, WorldRequest, WorldStarted } from './world.js';

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** The world process, and a call into it that waits for its answer. */
function startWorld() {
  const child = fork(join(import.meta.dirname, 'world.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const waiting = new Map<number, (body: unknown) => void>();
  child.on('message', (m: { id: number; body: unknown }) => waiting.get(m.id)?.(m.body));
  const call = <T>(request: WithoutId<WorldRequest>): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, (body) => {
        waiting.delete(id);
        const error = (body as { error?: string } | undefined)?.error;
        if (error) reject(new Error(`world: ${error}`));
        else resolve(body as T);
      });
      child.send({ ...request, id });
    });
  return {
    call,
    close: async () => {
      await call({ type: 'close' });
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    },
  };
}

/** The one place the soak calls the cycle (its API is being reshaped; change it here). */
function cycleOnce(ports: CyclePorts, input: CycleInput): Promise<CycleResult> {
  return runCycle(ports, input);
}

export interface SoakOptions {
  cycles: number;
  clusters: number;
  seed: number;
  /** Cycles before the memory and descriptor baseline is taken. */
  warmup: number;
  onProgress?: (done: number) => void;
}

export interface SoakReport {
  cycles: number;
  invocations: number;
  clusters: number;
  seed: number;
  wallMs: number;
  faults: Record<string, number>;
  failures: Record<string, number>;
  /** Slots whose cycle was stored (at least one run), and those that were not. */
  storedSlots: number;
  missingSlots: string[];
  /** Notices sent (by the cycle's own account) and messages a subscriber received, by run id. */
  sent: number;
  received: number;
  duplicates: string[];
  unexpected: string[];
  undelivered: string[];
  firingTransitions: number;
  firingMessages: number;
  resolvedMessages: number;
  unhandledRejections: number;
  failedSlots: string[];
  memory: { warm: Mem; end: Mem; peakRssMb: number };
  fds: { warm: number; end: number } | null;
}

interface Mem {
  heapMb: number;
  rssMb: number;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function memory(gc: () => void): Mem {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 };
}

function openFds(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

const POD = 'tenant-operator-controller-manager-7d9f8b6c5d-x7k2p';
const POD_METRICS = `/api/v1/namespaces/tenant-operator-system/pods/https:${POD}:8443/proxy/metrics`;

/** The operator's counters for one cluster: incidents (30% errors) and healthy spells (1%), drawn at random. */
class OperatorModel {
  private successes = 50_000;
  private errors = 500;
  private remaining = 0;
  private incident = false;
  constructor(private readonly random: () => number) {}

  /** Advances five minutes and returns the exposition the operator serves then. */
  next(): string {
    if (this.remaining <= 0) {
      this.incident = !this.incident;
      this.remaining = this.incident
        ? 4 + Math.floor(this.random() * 10)
        : 10 + Math.floor(this.random() * 30);
    }
    this.remaining--;
    const reconciles = 300;
    const errors = Math.round(reconciles * (this.incident ? 0.3 : 0.01));
    this.successes += reconciles - errors;
    this.errors += errors;
    const m = 'tenant_reconcile_duration_seconds';
    return [
      `# TYPE ${m} histogram`,
      `${m}_bucket{result="success",le="+Inf"} ${this.successes}`,
      `${m}_count{result="success"} ${this.successes}`,
      `${m}_bucket{result="error",le="+Inf"} ${this.errors}`,
      `${m}_count{result="error"} ${this.errors}`,
      '# TYPE controller_runtime_reconcile_total counter',
      `controller_runtime_reconcile_total{controller="tenant",result="success"} ${this.successes}`,
      `controller_runtime_reconcile_total{controller="tenant",result="error"} ${this.errors}`,
      `controller_runtime_reconcile_errors_total{controller="tenant"} ${this.errors}`,
      'workqueue_depth{name="tenant"} 2',
      '',
    ].join('\n');
  }
}

const API_PATHS = [
  { regexp: '^/apis/operator\\.kubernetes-tenants\\.org/v1/tenants' },
  { regexp: '^/api/v1/nodes' },
  { regexp: '^/api/v1/events' },
  { regexp: '^/api/v1/namespaces/tenant-operator-system/pods' },
  { regexp: '^/apis/authorization\\.k8s\\.io' },
];

type FaultKind =
  | 'api-transient'
  | 'api-lasting'
  | 'api-reset'
  | 'timeout'
  | 'metrics-gap'
  | 'metrics-garbage'
  | 'dynamo-throttled';

/** Each cycle's fault, drawn once: the cumulative probability up to which each kind is drawn. */
const FAULTS: [number, FaultKind][] = [
  [0.06, 'api-transient'],
  [0.09, 'api-lasting'],
  [0.11, 'api-reset'],
  [0.115, 'timeout'],
  [0.165, 'metrics-gap'],
  [0.185, 'metrics-garbage'],
  [0.2, 'dynamo-throttled'],
];

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  // One generator per cluster: the clusters run side by side, and each draws the same sequence on every run.
  const randoms = Array.from({ length: options.clusters }, (_, i) => seeded(options.seed * 1000 + i));
  const gc = gcFunction();
  let unhandledRejections = 0;
  const onRejection = () => {
    unhandledRejections++;
  };
  process.on('unhandledRejection', onRejection);

  const names = Array.from({ length: options.clusters }, (_, i) => `soak-eks-${i + 1}`);
  const config: CheckerConfig = parseConfig({
    clusters: names.map((name) => ({ name, region: 'eu-west-1', metrics: { source: 'scrape' } })),
  });
  const world = startWorld();
  const started = await world.call<WorldStarted>({ type: 'start', clusters: names.length });
  const table = 'soak-runs';
  const direct = new DynamoDBClient({
    endpoint: started.dynamo.direct,
    region: REGION,
    credentials: TEST_CREDENTIALS,
  });
  await createTable(direct, table);
  // One attempt: the invocation's retry is the recovery the design relies on (a Lambda retry). Each
  // cluster's items are its own partition, so a throttle (a hot partition) hits one cluster's
  // invocations, at their start: a throttle between publish and its record is the duplicate-page
  // window of issue 19's Delivery item, fixed separately (the soak can throttle mid-cycle after that).
  const storeClients = started.dynamo.proxies.map(
    (endpoint) =>
      new DynamoDBClient({ endpoint, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }),
  );
  const stores = storeClients.map((client) => new DynamoDbRunStore(client, table));
  const snsClient = new SNSClient({
    endpoint: started.sns.endpoint,
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const goodNotifier = new SnsNotifier(snsClient, started.sns.topicArn);
  const missingTopic = new SnsNotifier(snsClient, started.sns.topicArn.replace(/:[^:]+$/, ':no-such-topic'));
  const bundleDir = mkdtempSync(join(tmpdir(), 'soak-bundles-'));
  const bundles = new FileBundleStore(bundleDir);
  const models = names.map((_, i) => new OperatorModel(seeded(options.seed * 1000 + 500 + i)));
  const kubeConfigs = started.clusters.map((c) => loadLocalKubeConfig({ path: c.kubeconfigPath }));
  const settings = {
    operator: config.operator,
    threshold: config.alert.threshold,
    forSeconds: config.alert.for,
  };
  const credentials = async () => ({ accessKeyId: 'ASIASOAKNOTUSED00001', secretAccessKey: 'bm90LXVzZWQ' });

  const faults: Record<string, number> = {};
  /** Invocations that failed, by error: each is retried for its slot. */
  const failures: Record<string, number> = {};
  /** What each slot's last invocation left, kept small: the results themselves are not held (they would be the leak). */
  const finals: { cluster: string; slot: string; runId: string; state: string; sent: boolean }[] = [];
  const failedSlots: string[] = [];
  let invocations = 0;
  let warm: Mem | undefined;
  let warmFds: number | null = null;
  let peakRss = 0;
  const T0 = Date.parse('2026-06-01T00:00:00Z');
  const steps = Math.ceil(options.cycles / names.length);
  const startedAt = performance.now();

  const runSlot = async (index: number, step: number) => {
    const cluster = config.clusters[index] as ClusterConfig;
    const at = new Date(T0 + step * 300_000);
    const slot = at.toISOString();
    // The operator's metrics for this instant, and the faults drawn for this cycle.
    const exposition = (models[index] as OperatorModel).next();
    const random = randoms[index] as () => number;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
    const roll = random();
    const kind = FAULTS.find(([upTo]) => roll < upTo)?.[1];
    // A publish that fails is drawn apart: it only matters in a cycle that has a notice to send.
    const publishFails = random() < 0.25;
    if (kind) faults[kind] = (faults[kind] ?? 0) + 1;
    const path = pick(API_PATHS);
    const firstFaults: WireFault[] =
      kind === 'api-transient'
        ? [{ path, status: pick([429, 500, 502, 503, 504]), times: 1 }]
        : kind === 'api-lasting'
          ? [{ path, status: pick([403, 500, 503]) }]
          : kind === 'api-reset'
            ? [{ path, reset: true, times: 1 }]
            : kind === 'timeout'
              ? [{ path: { regexp: '^/api/v1/events' }, hang: true }]
              : [];
    const raw: Record<string, RawResponse> = {
      [POD_METRICS]:
        kind === 'metrics-gap'
          ? { status: 503, body: 'upstream connect error or disconnect/reset before headers' }
          : kind === 'metrics-garbage'
            ? { body: '<html><body>502 Bad Gateway</body></html>' }
            : { body: exposition, contentType: 'text/plain; version=0.0.4' },
    };
    let result: CycleResult | undefined;
    for (let attempt = 1; attempt <= 3 && !result; attempt++) {
      const first = attempt === 1;
      await world.call({ type: 'set', cluster: index, faults: first ? firstFaults : [], raw });
      const throttled = first && kind === 'dynamo-throttled';
      if (throttled) await world.call({ type: 'throttle', cluster: index, on: true });
      invocations++;
      try {
        result = await cycleOnce(
          {
            collector: clusterCollector({
              cluster: cluster.name,
              operator: config.operator,
              logTailLines: config.collection.logTailLines,
              connector: new KubeconfigConnector({ kubeConfig: kubeConfigs[index] }),
              metrics: (reader) =>
                metricsSourceFor(cluster, settings, { ...(reader ? { reader } : {}), credentials }),
            }),
            store: stores[index] as DynamoDbRunStore,
            bundles,
            notifier: first && publishFails ? missingTopic : goodNotifier,
          },
          { config, cluster: cluster.name, budgetMs: first && kind === 'timeout' ? 250 : 5000, at, slot },
        );
      } catch (error) {
        // The invocation failed (throttled store, failed publish): Lambda retries it for the same slot.
        const name = `${(error as Error).name}: ${(error as Error).message.slice(0, 60)}`;
        failures[name] = (failures[name] ?? 0) + 1;
      } finally {
        if (throttled) await world.call({ type: 'throttle', cluster: index, on: false });
      }
    }
    if (result) {
      const n = result.notification;
      finals.push({
        cluster: cluster.name,
        slot,
        runId: result.runId,
        state: result.alert.state,
        sent: n !== null && 'status' in n && n.status === 'sent',
      });
    } else failedSlots.push(`${cluster.name} ${slot}`);
  };

  // Each cluster's slots one after another, the clusters side by side, as their schedules run.
  let done = 0;
  await Promise.all(
    names.map(async (_, i) => {
      for (let step = 0; step * names.length + i < options.cycles; step++) {
        await runSlot(i, step);
        done++;
        peakRss = Math.max(peakRss, process.memoryUsage().rss / 2 ** 20);
        if (!warm && done >= options.warmup) {
          warm = memory(gc);
          warmFds = openFds();
        }
        if (done % 100 === 0) options.onProgress?.(done);
      }
    }),
  );
  const wallMs = performance.now() - startedAt;
  // Let closed sockets finish closing before descriptors are counted.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const end = memory(gc);
  const endFds = openFds();

  // Every slot stored: the runs in DynamoDB, read back page by page.
  const storedSlots = new Set<string>();
  for (const name of names) {
    let startKey: Record<string, never> | undefined;
    do {
      const page = await direct.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
          ExpressionAttributeValues: { ':pk': { S: `CLUSTER#${name}` }, ':run': { S: 'RUN#' } },
          ProjectionExpression: 'slot',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) storedSlots.add(`${name} ${item.slot?.S}`);
      startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (startKey);
  }
  const expectedSlots: string[] = [];
  for (let step = 0; step < steps; step++)
    for (const [i, name] of names.entries())
      if (step * names.length + i < options.cycles)
        expectedSlots.push(`${name} ${new Date(T0 + step * 300_000).toISOString()}`);
  const missingSlots = expectedSlots.filter((s) => !storedSlots.has(s));

  // Exactly one message per notice: what the cycles say they sent against what the subscriber received.
  const sentRuns = finals.filter((f) => f.sent).map((f) => f.runId);
  const messages = await world.call<Delivered[]>({ type: 'received' });
  // The queue gets the program's JSON document (MessageStructure json), or the plain text.
  const runOf = (body: string): string => {
    try {
      return (JSON.parse(body) as { runId?: string }).runId ?? '?';
    } catch {
      return /Run: (\S+) at /.exec(body)?.[1] ?? '?';
    }
  };
  const receivedRuns = messages.map((m) => runOf(m.body));
  const counts = new Map<string, number>();
  for (const r of receivedRuns) counts.set(r, (counts.get(r) ?? 0) + 1);
  const sentSet = new Set(sentRuns);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([r]) => r);
  const unexpected = [...counts.keys()].filter((r) => !sentSet.has(r));
  const undelivered = sentRuns.filter((r) => !counts.has(r));
  let firingTransitions = 0;
  for (const name of names) {
    let previous = 'inactive';
    for (const f of finals.filter((x) => x.cluster === name).sort((a, b) => a.slot.localeCompare(b.slot))) {
      if (f.state === 'firing' && previous !== 'firing') firingTransitions++;
      previous = f.state;
    }
  }

  process.off('unhandledRejection', onRejection);
  for (const c of storeClients) c.destroy();
  direct.destroy();
  snsClient.destroy();
  await world.close();
  rmSync(bundleDir, { recursive: true, force: true });

  return {
    cycles: options.cycles,
    invocations,
    clusters: names.length,
    seed: options.seed,
    wallMs,
    faults,
    failures,
    storedSlots: expectedSlots.length - missingSlots.length,
    missingSlots,
    sent: sentRuns.length,
    received: messages.length,
    duplicates,
    unexpected,
    undelivered,
    firingTransitions,
    firingMessages: messages.filter((m) => m.attributes.state === 'firing').length,
    resolvedMessages: messages.filter((m) => m.attributes.state === 'resolved').length,
    unhandledRejections,
    failedSlots,
    memory: { warm: warm ?? end, end, peakRssMb: peakRss },
    fds: warmFds !== null && endFds !== null ? { warm: warmFds, end: endFds } : null,
  };
}
