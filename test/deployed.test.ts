/**
 * The artefact `cdk deploy` ships, proven: the stack is synthesized, the function's esbuild bundle is
 * taken from the cloud assembly and loaded by Node.js 22 (the Lambda runtime's major: the system's
 * when it is 22 or newer, else the bundled one from tools/node22; skipped, saying so, when neither
 * is there) in a fresh process, with the environment the stack sets on the function
 * pointed at local servers: dynalite (DynamoDB), s3rver (S3), fauxqs (SNS, with an SQS queue
 * subscribed), a local DescribeCluster endpoint (there is no local EKS), the Kubernetes API simulator
 * that checks the bearer token as EKS does, and the real Prometheus behind the API server's proxy.
 * STS is not called: the token is presigned offline.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import { LOCAL_CREDENTIALS, REGION, startS3, startSns } from './helpers/aws-local.js';
import { resourcesOf, synthApp } from './helpers/cdk.js';
import { createTable, type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { type EksEndpoint, startEksEndpoint } from './helpers/eks-endpoint.js';
import { type PrometheusServer, startPrometheus } from './helpers/prometheus.js';
import { describeNeeding, node22 } from './helpers/requirements.js';
import { leaks } from './helpers/secrets.js';
import { openMetricsBackfill } from './metrics/scenarios.js';
import { INCIDENTS } from './scenarios/library.js';
import { verifyEksToken } from './simulator/eks-token-rules.js';
import { healthyCluster } from './simulator/fixtures.js';
import { type Simulator, startSimulator } from './simulator/server.js';

const describe = describeNeeding('openssl', 'prometheus', 'node22');

/** Node.js 22 or newer: the system's when it is, else the bundled one (tools/node22). */
const NODE22 = node22() ?? 'node';
const TABLE = 'checker-runs';
const BUCKET = 'checker-bundles';
const PROXY = '/api/v1/namespaces/monitoring/services/http:prometheus-operated:9090/proxy';
/** The function's credentials: the simulator accepts only tokens these signed, for the right cluster. */
const credentials = {
  accessKeyId: 'ASIADEPLOYEDTEST0001',
  secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
  sessionToken: 'IQoJb3JpZ2luDEPLOYED',
};

const incident = INCIDENTS.find((i) => i.name === 'apiserver-throttling') as (typeof INCIDENTS)[number];
let bundlePath: string;
let functionEnv: Record<string, string>;
let memory: number;
let prod: Simulator;
let staging: Simulator;
let eks: EksEndpoint;
let dynamo: LocalDynamo;
let s3: Awaited<ReturnType<typeof startS3>>;
let sns: Awaited<ReturnType<typeof startSns>>;
let prometheus: PrometheusServer;

beforeAll(async () => {
  const { template, outdir } = synthApp({
    region: REGION,
    clusters: [
      { name: 'prod-eks-1', region: REGION, metrics: { source: 'prometheus' } },
      { name: 'staging-eks', region: REGION, schedule: 'rate(15 minutes)', metrics: { source: 'scrape' } },
    ],
  });
  const [fn] = Object.values(resourcesOf(template, 'AWS::Lambda::Function'));
  const props = fn?.Properties as {
    Code: { S3Key: string };
    Environment: { Variables: Record<string, unknown> };
    MemorySize: number;
  };
  bundlePath = join(outdir, `asset.${props.Code.S3Key.replace('.zip', '')}`, 'index.mjs');
  memory = props.MemorySize;
  // The environment as the stack sets it; the deploy-time references become the local names.
  functionEnv = Object.fromEntries(
    Object.entries(props.Environment.Variables).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : k === 'RUNS_TABLE' ? TABLE : k === 'BUNDLE_BUCKET' ? BUCKET : '',
    ]),
  );

  // The metrics: an incident that began 40 minutes ago and is still going on now.
  prometheus = await startPrometheus(
    openMetricsBackfill([
      {
        scenario: { name: incident.name, expected: { verdict: 'firing', blind: false }, ...incident.metrics },
        t: Math.floor(Date.now() / 1000) - 30,
      },
    ]),
  );
  const eksAuth = (cluster: string) => async (token: string) => {
    await verifyEksToken(token, cluster, { credentials });
    return true;
  };
  prod = await startSimulator({
    ...incident.fixture(),
    upstreams: { [PROXY]: prometheus.url },
    authenticate: eksAuth('prod-eks-1'),
  });
  staging = await startSimulator({ ...healthyCluster(), authenticate: eksAuth('staging-eks') });
  eks = await startEksEndpoint({
    'prod-eks-1': { endpoint: prod.url, caPem: prod.caPem },
    'staging-eks': { endpoint: staging.url, caPem: staging.caPem },
  });
  dynamo = await startDynamo(TABLE);
  s3 = await startS3(BUCKET, [credentials]);
  sns = await startSns('checker-notifications');
  functionEnv.TOPIC_ARN = sns.topicArn;
});

afterAll(async () => {
  await Promise.all([
    prod?.close(),
    staging?.close(),
    eks?.close(),
    dynamo?.close(),
    s3?.close(),
    sns?.close(),
    prometheus?.stop(),
  ]);
});

interface Invocation {
  initMs: number;
  result?: {
    runId: string;
    alert: { state: string };
    causes: { id: string }[];
    bundle: { location: string; link: string } | null;
    notification: { status: string } | null;
  };
  error?: { name: string; message: string };
  logs: string;
}

function invoke(event: object): Promise<Invocation> {
  const env = {
    PATH: process.env.PATH ?? '',
    ...functionEnv,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: 'TenantReconciliationChecker-Function',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_ENDPOINT_URL_EKS: eks.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    // s3rver corrupts uploads that carry the SDK's default checksums.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
  return new Promise((resolvePromise) => {
    // cwd is the bundle's folder: no node_modules of ours on the path, as in Lambda.
    execFile(
      NODE22,
      [resolve('test/deployed/invoke.mjs'), bundlePath, JSON.stringify(event)],
      { cwd: join(bundlePath, '..'), env, encoding: 'utf8', timeout: 120_000 },
      (_error, stdout) => {
        const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT ') || l.startsWith('@@ERROR '));
        const parsed = line
          ? JSON.parse(line.slice(line.indexOf(' ') + 1))
          : { initMs: -1, error: { name: 'NoResult', message: stdout.slice(-2000) } };
        resolvePromise({
          ...(line?.startsWith('@@RESULT') ? { result: parsed.result } : { error: parsed.error ?? parsed }),
          initMs: parsed.initMs,
          logs: stdout,
        });
      },
    );
  });
}

describe('the deployed artefact', () => {
  it('is one self-contained ESM file that Node.js 22 loads', () => {
    expect(execFileSync(NODE22, ['--version'], { encoding: 'utf8' })).toMatch(/^v(2[2-9]|[3-9]\d)\./);
    const size = statSync(bundlePath).size;
    const gz = gzipSync(readFileSync(bundlePath)).length;
    console.log(
      `Lambda bundle: ${(size / 1024 / 1024).toFixed(2)} MB minified, ${(gz / 1024).toFixed(0)} KB gzipped`,
    );
    const code = readFileSync(bundlePath, 'utf8');
    expect(code).not.toMatch(/sourceMappingURL/);
    // The built-ins whose ESM facades are costly at a cold start come through their shims instead.
    expect(code).not.toMatch(/from\s*"(node:)?(http|https|process|crypto|util|fs)"/);
  });

  it('fires on an incident: a run in the table, a bundle whose link downloads, exactly one message; a retry adds none', async () => {
    const scheduledTime = new Date(Math.floor(Date.now() / 300_000) * 300_000).toISOString();
    const event = { cluster: 'prod-eks-1', scheduledTime };
    const first = await invoke(event);
    expect(first.error, first.logs.slice(-3000)).toBeUndefined();
    console.log(
      `Cold start: module initialisation ${first.initMs.toFixed(0)} ms (Node ${execFileSync(NODE22, ['--version'], { encoding: 'utf8' }).trim()}, local disk)`,
    );
    expect(first.result?.alert.state).toBe('firing');
    expect(first.result?.causes[0]?.id).toBe('apiserver-throttling');
    expect(first.result?.notification).toMatchObject({ status: 'sent' });

    const runs = await new DynamoDbRunStore(dynamo.client, TABLE).listRuns('prod-eks-1', 10);
    expect(runs.map((r) => r.runId)).toEqual([first.result?.runId]);
    expect(runs[0]?.bundleError ?? null).toBeNull();
    expect(runs[0]?.bundleKey).toMatch(/^bundles\/prod-eks-1\/\d{4}\/\d{2}\/\d{2}\/.+\.tar\.gz$/);

    const link = first.result?.bundle?.link as string;
    const download = await fetch(link);
    expect(download.status).toBe(200);
    const archive = Buffer.from(await download.arrayBuffer());
    expect(archive.byteLength).toBeGreaterThan(1000);
    expect(leaks(gunzipSync(archive).toString('utf8')), 'bundle').toEqual([]);

    const messages = await sns.received();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.subject).toBe(
      '[FIRING] TenantReconciliationErrors 20% on prod-eks-1: API server throttling requests',
    );
    expect(messages[0]?.attributes).toMatchObject({
      cluster: 'prod-eks-1',
      state: 'firing',
      topCause: 'apiserver-throttling',
    });

    // No planted secret in the function's logs, its stored items, its message or its bundle.
    expect(leaks(first.logs), 'function logs').toEqual([]);
    expect(
      leaks(JSON.stringify(await dynamo.client.send(new ScanCommand({ TableName: TABLE })))),
      'stored items',
    ).toEqual([]);
    expect(leaks(`${messages[0]?.subject}\n${messages[0]?.body}`), 'message').toEqual([]);

    // The scheduler (or Lambda) delivers the same event again: the first result, no second message.
    const retry = await invoke(event);
    expect(retry.result?.runId).toBe(first.result?.runId);
    expect(await sns.received()).toEqual([]);
    expect(await new DynamoDbRunStore(dynamo.client, TABLE).listRuns('prod-eks-1', 10)).toHaveLength(1);
  });

  it('stays quiet on a healthy cluster: a run, no message', async () => {
    const result = await invoke({ cluster: 'staging-eks', scheduledTime: new Date().toISOString() });
    expect(result.error, result.logs.slice(-3000)).toBeUndefined();
    expect(result.result?.alert.state).toBe('inactive');
    expect(result.result?.notification).toBeNull();
    expect(await new DynamoDbRunStore(dynamo.client, TABLE).listRuns('staging-eks', 10)).toHaveLength(1);
    expect(await sns.received()).toEqual([]);
  });

  it('is refused by the API server when its token was made for another cluster', async () => {
    // staging's simulator only accepts tokens for staging-eks; point prod-eks-1's endpoint at it.
    const other = await startEksEndpoint({ 'prod-eks-1': { endpoint: staging.url, caPem: staging.caPem } });
    const saved = functionEnv;
    functionEnv = { ...functionEnv };
    try {
      const table = 'checker-runs-wrong-cluster';
      await createTable(dynamo.client, table);
      functionEnv.RUNS_TABLE = table;
      const env = eks;
      eks = other;
      const result = await invoke({ cluster: 'prod-eks-1' });
      eks = env;
      expect(result.error, result.logs.slice(-3000)).toBeUndefined();
      const runs = await new DynamoDbRunStore(dynamo.client, table).listRuns('prod-eks-1', 1);
      expect(runs[0]?.sources.operatorPods).toBe('unauthorized');
    } finally {
      functionEnv = saved;
      await other.close();
    }
  });
});
