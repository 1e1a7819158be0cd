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
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import { INCIDENTS } from '../sim/incidents/library.js';
import { verifyEksToken } from '../sim/kube/eks-token-rules.js';
import { healthyCluster, insecureMetrics } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { openMetricsBackfill } from '../sim/metrics/scenarios.js';
import { PROMETHEUS_SERVICE_PROXY, type PrometheusServer, startPrometheus } from '../sim/prometheus.js';
import { expireS3Keys, LOCAL_CREDENTIALS, REGION, startS3, startSns } from './helpers/aws-local.js';
import { resourceNamed, synthApp } from './helpers/cdk.js';
import { chatNotificationSchema } from './helpers/chat-schema.js';
import { createTable, type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { type EksEndpoint, startEksEndpoint } from './helpers/eks-endpoint.js';
import { type KmsEndpoint, startKmsEndpoint } from './helpers/kms-endpoint.js';
import { describeNeeding, node22 } from './helpers/requirements.js';
import { leaks } from './helpers/secrets.js';

const describe = describeNeeding('openssl', 'prometheus', 'node22');

/** Node.js 22 or newer: the system's when it is, else the bundled one (tools/node22). */
const NODE22 = node22() ?? 'node';
const TABLE = 'checker-runs';
const BUCKET = 'checker-bundles';
/** The function's credentials: the simulator accepts only tokens these signed, for the right cluster. */
const credentials = {
  accessKeyId: 'ASIADEPLOYEDTEST0001',
  secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
  sessionToken: 'IQoJb3JpZ2luDEPLOYED',
};
/** The link service's own credentials: a different role, a different session. */
const linkCredentials = {
  accessKeyId: 'ASIALINKSERVICETEST1',
  secretAccessKey: 'bGluay1zZXJ2aWNlLXNlY3JldA',
  sessionToken: 'IQoJb3JpZ2luLINKSERVICE',
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
let kms: KmsEndpoint;
let linkBundlePath: string;
let linkEnv: Record<string, string>;
let linkService: { url: string; process: ChildProcess; output: string[] };
/** What the firing invocation sent, for the test that opens its link after the session expired. */
let fired: { link: string; expiresAt: string; body: string } | undefined;

beforeAll(async () => {
  const { template, outdir } = synthApp({
    region: REGION,
    clusters: [
      { name: 'prod-eks-1', region: REGION, metrics: { source: 'prometheus' } },
      { name: 'staging-eks', region: REGION, schedule: 'rate(15 minutes)', metrics: { source: 'scrape' } },
    ],
  });
  const fn = resourceNamed(template, 'AWS::Lambda::Function', 'CheckerFunction');
  const props = fn.Properties as {
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
  const link = resourceNamed(template, 'AWS::Lambda::Function', 'BundleLinksFunction').Properties as {
    Code: { S3Key: string };
    Environment: { Variables: Record<string, unknown> };
  };
  linkBundlePath = join(outdir, `asset.${link.Code.S3Key.replace('.zip', '')}`, 'index.mjs');
  linkEnv = Object.fromEntries(
    Object.entries(link.Environment.Variables).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : k === 'BUNDLE_BUCKET' ? BUCKET : '',
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
    upstreams: { [PROMETHEUS_SERVICE_PROXY]: prometheus.url },
    authenticate: eksAuth('prod-eks-1'),
  });
  // staging scrapes through the API server's proxy: its operator runs with --metrics-secure=false.
  staging = await startSimulator({
    ...insecureMetrics(healthyCluster()),
    authenticate: eksAuth('staging-eks'),
  });
  eks = await startEksEndpoint({
    'prod-eks-1': { endpoint: prod.url, caPem: prod.caPem },
    'staging-eks': { endpoint: staging.url, caPem: staging.caPem },
  });
  dynamo = await startDynamo(TABLE);
  s3 = await startS3(BUCKET, [credentials, linkCredentials]);
  sns = await startSns('checker-notifications');
  functionEnv.TOPIC_ARN = sns.topicArn;
  // KMS as the stack's IAM has it: the checker may make MACs, the link service may check them.
  kms = await startKmsEndpoint({
    region: REGION,
    callers: [
      { ...credentials, allow: ['GenerateMac'] },
      { ...linkCredentials, allow: ['VerifyMac'] },
    ],
  });
  functionEnv.LINK_KEY_ID = kms.keyArn;
  linkEnv.LINK_KEY_ID = kms.keyArn;
  linkService = await startFunctionUrl();
  functionEnv.LINK_SERVICE_URL = `${linkService.url}/`;
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
    kms?.close(),
  ]);
  linkService?.process.kill();
});

/** The link service's bundle behind a local function URL, with its own credentials and environment. */
function startFunctionUrl(): Promise<{ url: string; process: ChildProcess; output: string[] }> {
  const output: string[] = [];
  const child = spawn(NODE22, [resolve('test/deployed/function-url.mjs'), linkBundlePath], {
    cwd: join(linkBundlePath, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      ...linkEnv,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_LAMBDA_FUNCTION_NAME: 'TenantReconciliationChecker-Links',
      AWS_ACCESS_KEY_ID: linkCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: linkCredentials.secretAccessKey,
      AWS_SESSION_TOKEN: linkCredentials.sessionToken,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_KMS: kms.url,
    },
  });
  return new Promise((resolvePromise, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      const port = /@@LISTENING (\d+)/.exec(output.join(''))?.[1];
      if (port) resolvePromise({ url: `http://127.0.0.1:${port}`, process: child, output });
    });
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.on('exit', (code) => reject(new Error(`the link service exited (${code}): ${output.join('')}`)));
  });
}

interface Invocation {
  initMs: number;
  result?: {
    runId: string;
    alert: { state: string; fingerprint: string };
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
    // Where Lambda unpacks the code: the config file the stack copied beside the bundle is read there.
    LAMBDA_TASK_ROOT: join(bundlePath, '..'),
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_ENDPOINT_URL_EKS: eks.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_KMS: kms.url,
    // A short session, as Lambda's can be: what it signs must not be what the reader needs tomorrow.
    AWS_CREDENTIAL_EXPIRATION: new Date(Date.now() + 15 * 60_000).toISOString(),
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
  it('is one self-contained ESM file that Node.js 22 loads, with its config beside it', () => {
    // The config travels in the code asset, not the environment, which would hold only 4 KB.
    expect(functionEnv.CHECKER_CONFIG).toBeUndefined();
    expect(functionEnv.CHECKER_CONFIG_FILE).toBe('checker-config.json');
    expect(
      JSON.parse(readFileSync(join(bundlePath, '..', 'checker-config.json'), 'utf8')).clusters,
    ).toHaveLength(2);
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

    // The link goes to the link service, which redirects to a fresh presigned URL.
    const link = first.result?.bundle?.link as string;
    expect(link.startsWith(`${linkService.url}/?run=bundles%2Fprod-eks-1%2F`)).toBe(true);
    const click = await fetch(link, { redirect: 'manual' });
    expect(click.status, linkService.output.join('')).toBe(302);
    const download = await fetch(click.headers.get('location') as string);
    expect(download.status).toBe(200);
    const archive = Buffer.from(await download.arrayBuffer());
    expect(archive.byteLength).toBeGreaterThan(1000);
    expect(leaks(gunzipSync(archive).toString('utf8')), 'bundle').toEqual([]);

    const messages = await sns.received();
    expect(messages).toHaveLength(1);
    // One message, a body per protocol: the e-mail text, the chat payload, the run for programs.
    const protocols = messages[0]?.protocols ?? {};
    const chat = chatNotificationSchema.parse(JSON.parse(protocols.https ?? ''));
    expect(chat.metadata?.threadId).toBe(first.result?.alert.fingerprint);
    expect(chat.content.description).toContain(`<${link}|open the bundle>`);
    expect(JSON.parse(messages[0]?.body ?? '')).toMatchObject({
      schema: 'tenant-check.notification/v1',
      runId: first.result?.runId,
      bundle: { link },
    });
    const email = protocols.email ?? '';
    expect(email).toContain(`Escalation bundle: ${link}`);
    expect(email).toContain(`In S3: s3://${BUCKET}/bundles/prod-eks-1/`);
    expect(email).toContain('S3 console: https://s3.console.aws.amazon.com/s3/object/');
    expect(email).toContain(
      `A fresh link from a terminal: tenant-check link ${first.result?.runId} --cluster prod-eks-1 --table ${TABLE} --bucket ${BUCKET} --region ${REGION}`,
    );
    // The link lives as long as the bundle is kept (30 days), not as long as the 15-minute session.
    const expiresAt = /The link works until (\S+?);/.exec(email)?.[1] as string;
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(email).toContain('the link stops working earlier only if the link key is replaced');
    fired = { link, expiresAt, body: email };
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
    expect(leaks(`${messages[0]?.subject}\n${JSON.stringify(protocols)}`), 'message').toEqual([]);

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
  it("opens the message's link after the session that sent it has expired, and refuses it altered", async () => {
    expect(fired, 'the firing test ran first').toBeDefined();
    const { link } = fired as { link: string };
    // The checker's session is over: S3 no longer knows its key (what it presigned would now fail).
    expireS3Keys([credentials.accessKeyId]);
    const click = await fetch(link, { redirect: 'manual' });
    expect(click.status, linkService.output.join('')).toBe(302);
    const location = new URL(click.headers.get('location') as string);
    expect(location.searchParams.get('X-Amz-Credential')?.startsWith(`${linkCredentials.accessKeyId}/`)).toBe(
      true,
    );
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(gunzipSync(Buffer.from(await download.arrayBuffer())).toString('latin1')).toContain(
      'summary.html',
    );

    const altered = new URL(link);
    altered.searchParams.set('exp', String(Number(altered.searchParams.get('exp')) + 60));
    const refused = await fetch(altered, { redirect: 'manual' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe('');
    // The link service asked KMS, as the link service (VerifyMac), for each click.
    expect(kms.calls.filter((c) => c.action === 'VerifyMac').map((c) => c.accessKeyId)).toEqual(
      expect.arrayContaining([linkCredentials.accessKeyId]),
    );
    expect(
      kms.calls
        .filter((c) => c.action === 'GenerateMac')
        .every((c) => c.accessKeyId === credentials.accessKeyId),
    ).toBe(true);
  });
});
