import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { loadConfig } from '../lambda/config.js';
import { deployedConfig } from '../lambda/handler.js';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import { verifyEksToken } from '../sim/kube/eks-token-rules.js';
import { healthyCluster, insecureMetrics } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { type EksEndpoint, startEksEndpoint } from './helpers/eks-endpoint.js';
import { stubFunctionEnvironment } from './helpers/function-environment.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { describeNeeding } from './helpers/requirements.js';
import { scratchDir } from './helpers/scratch.js';

const describe = describeNeeding('openssl');

const credentials = {
  accessKeyId: 'ASIAHANDLERTEST00001',
  secretAccessKey: 'aGFuZGxlci10ZXN0LXNlY3JldC1rZXk',
  sessionToken: 'IQoJb3JpZ2luX2VjEHANDLERTEST',
};
let sim: Simulator;
let eks: EksEndpoint;
let dynamo: LocalDynamo;
let tables = 0;

beforeAll(async () => {
  // The handler's cycle scrapes through the API server's proxy: an operator run with --metrics-secure=false.
  const fixture = insecureMetrics(healthyCluster());
  // The API server accepts only a token that EKS would: signed for prod-eks-1 by these credentials.
  fixture.authenticate = async (token) => {
    await verifyEksToken(token, 'prod-eks-1', { credentials });
    return true;
  };
  sim = await startSimulator(fixture);
  eks = await startEksEndpoint({ 'prod-eks-1': { endpoint: sim.url, caPem: sim.caPem } });
  dynamo = await startDynamo();
});
afterAll(async () => {
  await sim?.close();
  await eks?.close();
  await dynamo?.close();
});

const document = {
  region: 'eu-west-1',
  clusters: [
    { name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' } },
    { name: 'staging-eks', region: 'eu-west-1', metrics: { source: 'scrape' } },
  ],
};

async function freshHandler() {
  vi.resetModules();
  return (await import('../lambda/handler.js')).handler;
}

describe('the checker handler', () => {
  let output: string[];

  let table = '';
  beforeEach(async () => {
    output = [];
    // POWERTOOLS_DEV makes the logger and metrics write through the global console, which we read.
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        output.push(args.map(String).join(' '));
      });
    }
    process.env.CHECKER_CONFIG = loadConfig(document, 'test').runtimeDocument;
    // A table of its own per test: the alert's state must not leak from one test into the next.
    table = `runs-${++tables}`;
    await stubFunctionEnvironment({ eksUrl: eks.url, credentials, dynamo, table, account: '123456789012' });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    delete process.env.CHECKER_CONFIG;
  });

  it('runs a whole check cycle through EKS: a healthy cluster, a stored run, a heartbeat, no notification', async () => {
    const handler = await freshHandler();
    const report = await handler(
      { cluster: 'prod-eks-1', scheduledTime: '2026-11-26T14:05:00Z' },
      lambdaContext(),
    );
    expect(report).toMatchObject({
      cluster: 'prod-eks-1',
      alert: { state: 'inactive' },
      notification: null,
      bundle: null,
    });
    // Nothing is named, and nothing is called healthy either, until the rate is known.
    expect(report.causes).toEqual([]);
    expect(Object.values(report.sources)).toHaveLength(16);
    // The first scrape has no rate yet: the error rate is unknown, never read as healthy.
    expect(report.errorRate).toBeNull();
    expect(Object.entries(report.sources).filter(([, state]) => state !== 'ok')).toEqual([]);
    const runs = await new DynamoDbRunStore(dynamo.client, table).listRuns('prod-eks-1', 10);
    expect(runs.map((r) => r.runId)).toContain(report.runId);
    const logs = output.join('\n').replace(/\s+/g, '');
    expect(logs).toContain('"level":"INFO"');
    expect(logs).toContain('"cluster":"prod-eks-1"');
    expect(logs).toContain('"function_request_id":"c6af9ac6-7b61-11e6-9a41-93e812345678"');
    // The heartbeat: one completed check cycle, with the cluster as a dimension.
    expect(logs).toContain('"CheckCycleCompleted":1');
    // No credential and no token in the logs.
    for (const secret of [credentials.secretAccessKey, credentials.sessionToken, 'k8s-aws-v1.'])
      expect(logs).not.toContain(secret);
  });

  it('returns the first result for a retried delivery of the same scheduled event', async () => {
    const handler = await freshHandler();
    const event = { cluster: 'prod-eks-1', scheduledTime: '2026-11-26T14:10:00Z' };
    const first = await handler(event, lambdaContext());
    const again = await handler(event, lambdaContext());
    expect(again.runId).toBe(first.runId);
    const runs = await new DynamoDbRunStore(dynamo.client, table).listRuns('prod-eks-1', 50);
    expect(runs.filter((r) => r.slot === '2026-11-26T14:10:00.000Z')).toHaveLength(1);
  });

  it('describes the cluster once per container and signs a token per invocation', async () => {
    const handler = await freshHandler();
    const describesBefore = eks.requests.length;
    await handler({ cluster: 'prod-eks-1' }, lambdaContext());
    await handler({ cluster: 'prod-eks-1' }, lambdaContext());
    expect(eks.requests.length - describesBefore).toBe(1);
    expect(eks.requests.at(-1)?.path).toBe('/clusters/prod-eks-1');
    expect(eks.requests.at(-1)?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAHANDLERTEST00001\/\d{8}\/eu-west-1\/eks\/aws4_request/,
    );
  });

  it('records an unreachable cluster as evidence in every source, and still returns', async () => {
    process.env.CHECKER_CONFIG = loadConfig(
      {
        ...document,
        clusters: [
          ...document.clusters,
          { name: 'gone-eks', region: 'eu-west-1', metrics: { source: 'scrape' } },
        ],
      },
      'test',
    ).runtimeDocument;
    const handler = await freshHandler();
    const result = await handler({ cluster: 'gone-eks' }, lambdaContext());
    expect(result.alert.state).toBe('inactive');
    expect(result.causes).toEqual([]);
    const { metrics, ...cluster } = result.sources;
    expect(new Set(Object.values(cluster))).toEqual(new Set(['bad-response']));
    // The scrape source reads through the API server too: it says so rather than guess.
    expect(metrics).toBe('unreachable');
    expect(output.join('\n')).toContain('No cluster found for name: gone-eks');
  });

  it.each([
    [
      'no cluster',
      {},
      'the event is not a scheduled check: cluster: Invalid input: expected string, received undefined',
    ],
    [
      'a bad time',
      { cluster: 'prod-eks-1', scheduledTime: 'yesterday' },
      'scheduledTime: expected an ISO 8601 time',
    ],
    [
      'an unwatched cluster',
      { cluster: 'dev' },
      'cluster: "dev" is not watched by this deployment (watched: prod-eks-1, staging-eks)',
    ],
  ])('refuses an event with %s, naming the field', async (_what, event, message) => {
    const handler = await freshHandler();
    await expect(handler(event, lambdaContext())).rejects.toThrow(message);
  });

  it('refuses to run without the config the stack sets', async () => {
    delete process.env.CHECKER_CONFIG;
    const handler = await freshHandler();
    await expect(handler({ cluster: 'prod-eks-1' }, lambdaContext())).rejects.toThrow(
      /CHECKER_CONFIG_FILE is not set \(nor CHECKER_CONFIG\)/,
    );
  });

  it('reads the config from the file the stack ships in its code (CHECKER_CONFIG_FILE under LAMBDA_TASK_ROOT)', async () => {
    delete process.env.CHECKER_CONFIG;
    const root = scratchDir('task-root-');
    writeFileSync(join(root, 'checker-config.json'), loadConfig(document, 'test').runtimeDocument);
    vi.stubEnv('LAMBDA_TASK_ROOT', root);
    vi.stubEnv('CHECKER_CONFIG_FILE', 'checker-config.json');
    const handler = await freshHandler();
    const report = await handler({ cluster: 'staging-eks' }, lambdaContext());
    expect(report.cluster).toBe('staging-eks');
    await expect(handler({ cluster: 'dev' }, lambdaContext())).rejects.toThrow(
      '(watched: prod-eks-1, staging-eks)',
    );
  });

  it('names the config file when it is missing or does not validate', async () => {
    delete process.env.CHECKER_CONFIG;
    const root = scratchDir('task-root-');
    const file = join(root, 'checker-config.json');
    vi.stubEnv('LAMBDA_TASK_ROOT', root);
    vi.stubEnv('CHECKER_CONFIG_FILE', 'checker-config.json');
    expect(() => deployedConfig(process.env)).toThrow(
      `config file ${file} (CHECKER_CONFIG_FILE) is not a valid checker configuration:\n  - (the whole file): cannot be read (ENOENT)`,
    );
    writeFileSync(file, JSON.stringify({ clusters: [{ name: 'prod-eks-1', region: 'mars' }] }));
    expect(() => deployedConfig(process.env)).toThrow(
      `config file ${file} (CHECKER_CONFIG_FILE) is not a valid checker configuration:\n  - clusters[0].region: expected an AWS region`,
    );
  });

  it('refuses a config that does not validate, naming the field', async () => {
    process.env.CHECKER_CONFIG = JSON.stringify({
      clusters: [{ name: 'prod-eks-1', region: 'mars', metrics: { source: 'scrape' } }],
    });
    const handler = await freshHandler();
    await expect(handler({ cluster: 'prod-eks-1' }, lambdaContext())).rejects.toThrow(
      /environment variable CHECKER_CONFIG is not a valid checker configuration:\n {2}- clusters\[0\]\.region: expected an AWS region/,
    );
  });
});
