/**
 * A simulated fleet: 200 clusters' check cycles driven concurrently through the checker's handler,
 * against the local servers, as a deployment watching 200 clusters runs them. Each worker process is
 * one warm Lambda container (test/fleet/container.ts): it imports the handler once and takes one event
 * at a time; several run at once, as Lambda scales out. The clusters share a few Kubernetes API
 * simulators (one simulator serves many clusters: it accepts an EKS token signed for any of them),
 * behind one DescribeCluster endpoint; the operator's metrics come from the real Prometheus through
 * each API server's service proxy (an incident for the firing clusters, a busy healthy operator for the
 * rest); DynamoDB is dynalite, S3 s3rver, SNS fauxqs with a queue subscribed.
 *
 * What must hold: every cycle stored exactly once (a redelivered event adds no run); every firing
 * cluster's notices sent exactly once (one message per cluster and alert; the next slot repeats none);
 * no healthy cluster notified. Throughput and the containers' peak memory are printed (npm run bench
 * reports them), never asserted: these machines are shared.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import { INCIDENTS } from '../sim/incidents/library.js';
import { verifyEksToken } from '../sim/kube/eks-token-rules.js';
import { type ClusterFixture, type Simulator, startSimulator } from '../sim/kube/server.js';
import { openMetricsBackfill } from '../sim/metrics/scenarios.js';
import { PROMETHEUS_SERVICE_PROXY, type PrometheusServer, startPrometheus } from '../sim/prometheus.js';
import type { ContainerRequest, InvokeAnswer, StatsAnswer } from './fleet/container.js';
import { LOCAL_CREDENTIALS, REGION, startS3, startSns } from './helpers/aws-local.js';
import { type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { type EksEndpoint, startEksEndpoint } from './helpers/eks-endpoint.js';
import { describeNeeding } from './helpers/requirements.js';

const describe = describeNeeding('openssl', 'prometheus');

const CLUSTERS = Number(process.env.FLEET_CLUSTERS ?? 200);
/** One cluster in five has an incident. */
const FIRING = Math.ceil(CLUSTERS / 5);
/** Warm containers running at once (Lambda's concurrency for this fleet's burst). */
const CONTAINERS = Number(process.env.FLEET_CONTAINERS ?? 8);
/** Clusters per API simulator. */
const PER_SIMULATOR = 50;
const TABLE = 'checker-runs';
const BUCKET = 'checker-bundles';
const credentials = {
  accessKeyId: 'ASIAFLEETSIMULATION1',
  secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
  sessionToken: 'IQoJb3JpZ2luFLEETSIM',
};

const incident = (name: string) => INCIDENTS.find((i) => i.name === name) as (typeof INCIDENTS)[number];
const firingIncident = incident('apiserver-throttling');
const healthyIncident = incident('healthy-busy');
const names = Array.from({ length: CLUSTERS }, (_, i) => `fleet-${String(i).padStart(3, '0')}`);
const firingNames = new Set(names.slice(0, FIRING));

let prometheus: { firing: PrometheusServer; healthy: PrometheusServer };
const sims: Simulator[] = [];
let eks: EksEndpoint;
let dynamo: LocalDynamo;
let s3: Awaited<ReturnType<typeof startS3>>;
let sns: Awaited<ReturnType<typeof startSns>>;
let containers: Container[] = [];

/** A simulator's EKS check for many clusters: a token signed for any of them, by the function's credentials. */
function eksAuthenticator(clusters: string[]): NonNullable<ClusterFixture['authenticate']> {
  const accepted = new Map<string, Promise<boolean>>();
  return (token) => {
    let answer = accepted.get(token);
    if (!answer) {
      answer = (async () => {
        for (const cluster of clusters) {
          try {
            await verifyEksToken(token, cluster, { credentials });
            return true;
          } catch {
            // signed for another cluster (or not at all): try the next
          }
        }
        return false;
      })();
      accepted.set(token, answer);
    }
    return answer;
  };
}

type Request = ContainerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Container {
  process: ChildProcess;
  call<T>(request: Request): Promise<T>;
}

function startContainer(env: Record<string, string>): Promise<Container & { initMs: number }> {
  const child = fork(join(import.meta.dirname, 'fleet', 'container.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let next = 0;
  const waiting = new Map<number, (body: unknown) => void>();
  child.on('message', (m: { id: number; body: unknown }) => waiting.get(m.id)?.(m.body));
  const call = <T>(request: Request) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      waiting.set(id, (body) => {
        waiting.delete(id);
        resolve(body as T);
      });
      child.send({ ...request, id });
    });
  return new Promise((resolve, reject) => {
    waiting.set(0, (body) => resolve({ process: child, call, initMs: (body as { initMs: number }).initMs }));
    child.once('exit', (code) => reject(new Error(`a container exited before it was ready (${code})`)));
  });
}

interface Round {
  answers: Map<string, InvokeAnswer>;
  wallMs: number;
}

/** Every event, taken by whichever container is free: the scheduler's burst at the top of a slot. */
async function round(events: { cluster: string; scheduledTime: string }[]): Promise<Round> {
  const queue = [...events];
  const answers = new Map<string, InvokeAnswer>();
  const started = performance.now();
  await Promise.all(
    containers.map(async (container) => {
      for (let event = queue.shift(); event; event = queue.shift()) {
        answers.set(event.cluster, await container.call<InvokeAnswer>({ type: 'invoke', event }));
      }
    }),
  );
  return { answers, wallMs: performance.now() - started };
}

beforeAll(async () => {
  const now = Math.floor(Date.now() / 1000) - 30;
  const scenario = (i: (typeof INCIDENTS)[number]) => ({
    scenario: { name: i.name, expected: { verdict: 'ok' as const, blind: false }, ...i.metrics },
    t: now,
  });
  const [firing, healthy] = await Promise.all([
    startPrometheus(openMetricsBackfill([scenario(firingIncident)])),
    startPrometheus(openMetricsBackfill([scenario(healthyIncident)])),
  ]);
  prometheus = { firing, healthy };
  const endpoints: Record<string, { endpoint: string; caPem: string }> = {};
  for (let i = 0; i < CLUSTERS; i += PER_SIMULATOR) {
    const group = names.slice(i, i + PER_SIMULATOR);
    // A simulator serves one kind of cluster: the firing ones are the first FIRING names.
    const groups = [group.filter((n) => firingNames.has(n)), group.filter((n) => !firingNames.has(n))];
    for (const members of groups) {
      if (members.length === 0) continue;
      const isFiring = firingNames.has(members[0] as string);
      const sim = await startSimulator({
        ...(isFiring ? firingIncident : healthyIncident).fixture(),
        upstreams: { [PROMETHEUS_SERVICE_PROXY]: (isFiring ? firing : healthy).url },
        authenticate: eksAuthenticator(members),
      });
      sims.push(sim);
      for (const name of members) endpoints[name] = { endpoint: sim.url, caPem: sim.caPem };
    }
  }
  eks = await startEksEndpoint(endpoints);
  dynamo = await startDynamo(TABLE);
  s3 = await startS3(BUCKET, [credentials]);
  sns = await startSns('checker-notifications');

  const config = {
    region: REGION,
    clusters: names.map((name) => ({ name, region: REGION, metrics: { source: 'prometheus' } })),
  };
  const env = {
    PATH: process.env.PATH ?? '',
    CHECKER_CONFIG: JSON.stringify(config),
    RUNS_TABLE: TABLE,
    BUNDLE_BUCKET: BUCKET,
    TOPIC_ARN: sns.topicArn,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: 'TenantReconciliationChecker-Function',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_ENDPOINT_URL_EKS: eks.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    POWERTOOLS_SERVICE_NAME: 'tenant-checker',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const started = await Promise.all(Array.from({ length: CONTAINERS }, () => startContainer(env)));
  containers = started;
}, 300_000);

afterAll(async () => {
  for (const c of containers) c.process.kill();
  await Promise.all([
    ...sims.map((s) => s.close()),
    eks?.close(),
    dynamo?.close(),
    s3?.close(),
    sns?.close(),
    prometheus?.firing.stop(),
    prometheus?.healthy.stop(),
  ]);
});

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

describe(`a fleet of ${CLUSTERS} clusters`, () => {
  it('stores every cycle once, notifies each firing cluster exactly once, and no healthy one', async () => {
    const slot = Math.floor(Date.now() / 300_000) * 300_000;
    const at = (minutes: number) => new Date(slot + minutes * 60_000).toISOString();
    const events = names.map((cluster) => ({ cluster, scheduledTime: at(0) }));

    const first = await round(events);
    const failed = [...first.answers].filter(([, a]) => a.error);
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
    expect(first.answers.size).toBe(CLUSTERS);
    for (const [cluster, answer] of first.answers) {
      expect(answer.result?.alert.state, cluster).toBe(firingNames.has(cluster) ? 'firing' : 'inactive');
      expect(answer.result?.notification?.status ?? null, cluster).toBe(
        firingNames.has(cluster) ? 'sent' : null,
      );
    }
    const afterFirst = await sns.received();

    // The scheduler delivers a tenth of the slot's events again (its at-least-once retry): same runs, nothing new.
    const again = await round(events.filter((_, i) => i % 10 === 0));
    for (const [cluster, answer] of again.answers)
      expect(answer.result?.runId, cluster).toBe(first.answers.get(cluster)?.result?.runId);

    // The next slot: still firing everywhere it was, and nothing repeats before repeatInterval.
    const second = await round(names.map((cluster) => ({ cluster, scheduledTime: at(5) })));
    expect([...second.answers].filter(([, a]) => a.error)).toEqual([]);
    for (const [cluster, answer] of second.answers)
      expect(answer.result?.alert.state, cluster).toBe(firingNames.has(cluster) ? 'firing' : 'inactive');
    const laterMessages = await sns.received();
    expect(laterMessages).toEqual([]);

    // Every cycle stored once: one run per cluster and slot.
    const store = new DynamoDbRunStore(dynamo.client, TABLE);
    const stored = await Promise.all(names.map((name) => store.listRuns(name, 10)));
    stored.forEach((runs, i) => {
      expect(runs.map((r) => r.slot).sort(), names[i]).toEqual(
        [at(0), at(5)].map((t) => new Date(t).toISOString()),
      );
    });

    // Exactly once: one message per firing cluster and alert, none for a healthy cluster.
    const perClusterAlert = new Map<string, number>();
    for (const m of afterFirst) {
      const key = `${m.attributes.cluster} ${m.attributes.alertname ?? 'TenantReconciliationErrors'}`;
      perClusterAlert.set(key, (perClusterAlert.get(key) ?? 0) + 1);
    }
    expect([...perClusterAlert].filter(([, n]) => n !== 1)).toEqual([]);
    const notified = new Set(afterFirst.map((m) => m.attributes.cluster));
    expect([...notified].sort()).toEqual([...firingNames].sort());
    for (const cluster of firingNames)
      expect(
        afterFirst.filter((m) => m.attributes.cluster === cluster && m.attributes.state === 'firing').length,
        cluster,
      ).toBeGreaterThanOrEqual(1);

    const stats = await Promise.all(containers.map((c) => c.call<StatsAnswer>({ type: 'stats' })));
    const durations = [...first.answers.values(), ...second.answers.values()].map((a) => a.ms);
    process.stdout.write(
      `fleet: ${CLUSTERS} clusters (${FIRING} firing) on ${sims.length} API simulators, ${CONTAINERS} warm containers; ` +
        `slot 1 in ${(first.wallMs / 1000).toFixed(1)} s (${((CLUSTERS * 1000) / first.wallMs).toFixed(1)} cycles/s), ` +
        `slot 2 in ${(second.wallMs / 1000).toFixed(1)} s (${((CLUSTERS * 1000) / second.wallMs).toFixed(1)} cycles/s); ` +
        `cycle p50 ${percentile(durations, 50).toFixed(0)} ms, p95 ${percentile(durations, 95).toFixed(0)} ms; ` +
        `${afterFirst.length} messages; container peak RSS ${Math.max(...stats.map((s) => s.maxRssMb)).toFixed(0)} MiB ` +
        `(heap now ${Math.max(...stats.map((s) => s.heapMb)).toFixed(0)} MiB, ${Math.max(...stats.map((s) => s.invocations))} invocations in the busiest)\n`,
    );
  }, 900_000);
});
