/**
 * The deployed path for a cluster in a member account, through the real handler: the function's
 * composition root assumes the account's role on the local STS (AWS_ENDPOINT_URL_STS), describes the
 * cluster and signs the EKS token as that role, and the simulator, which accepts only the member
 * role's access entry, serves the whole cycle.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { ROLE_SESSION_NAME } from '../lambda/collect/assumed-roles.js';
import { loadConfig } from '../lambda/config.js';
import { accessEntryAuthenticator } from '../sim/kube/eks-token-rules.js';
import { healthyCluster, insecureMetrics } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { type EksEndpoint, startEksEndpoint } from './helpers/eks-endpoint.js';
import { stubFunctionEnvironment } from './helpers/function-environment.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { describeNeeding } from './helpers/requirements.js';
import {
  CHECKER_ROLE,
  CHECKER_SESSION,
  MEMBER_ROLE,
  type StsEndpoint,
  startStsEndpoint,
} from './helpers/sts-endpoint.js';

const describe = describeNeeding('openssl');

const checker = CHECKER_SESSION;

let sim: Simulator;
let eks: EksEndpoint;
let sts: StsEndpoint;
let dynamo: LocalDynamo;
const seen: string[] = [];

beforeAll(async () => {
  sts = await startStsEndpoint({
    region: 'eu-west-1',
    callers: [checker],
    roles: [{ roleArn: MEMBER_ROLE, trustedArn: CHECKER_ROLE, externalId: 'tenant-checker-7f3a' }],
  });
  // The scrape through the proxy reads an operator run with --metrics-secure=false.
  const fixture = insecureMetrics(healthyCluster());
  fixture.authenticate = accessEntryAuthenticator({
    clusterName: 'prod-eks-1',
    identities: sts.identities,
    principals: [MEMBER_ROLE],
    seen,
  });
  sim = await startSimulator(fixture);
  eks = await startEksEndpoint({ 'prod-eks-1': { endpoint: sim.url, caPem: sim.caPem } });
  dynamo = await startDynamo();
});
afterAll(async () => {
  await sim?.close();
  await eks?.close();
  await sts?.close();
  await dynamo?.close();
});

describe('the handler, for a cluster in a member account', () => {
  beforeEach(async () => {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
      vi.spyOn(console, method).mockImplementation(() => undefined);
    process.env.CHECKER_CONFIG = loadConfig(
      {
        region: 'eu-west-1',
        clusters: [
          { name: 'prod-eks-1', region: 'eu-west-1', account: '222222222222', metrics: { source: 'scrape' } },
        ],
        accounts: { '222222222222': { roleArn: MEMBER_ROLE, externalId: 'tenant-checker-7f3a' } },
      },
      'test',
    ).runtimeDocument;
    await stubFunctionEnvironment({
      eksUrl: eks.url,
      credentials: checker.credentials,
      dynamo,
      table: 'runs-cross-account',
      account: '111111111111',
    });
    vi.stubEnv('AWS_ENDPOINT_URL_STS', sts.url);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    delete process.env.CHECKER_CONFIG;
  });

  it('reads every source as the member role, assuming it once for two invocations', async () => {
    vi.resetModules();
    const { handler } = await import('../lambda/handler.js');
    for (const minute of ['05', '10']) {
      const report = await handler(
        { cluster: 'prod-eks-1', scheduledTime: `2026-12-02T04:${minute}:00Z` },
        lambdaContext(),
      );
      expect(Object.entries(report.sources).filter(([, state]) => state !== 'ok')).toEqual([]);
    }
    expect(sts.calls).toEqual([
      expect.objectContaining({
        action: 'AssumeRole',
        roleArn: MEMBER_ROLE,
        sessionName: ROLE_SESSION_NAME,
        outcome: 'ok',
      }),
    ]);
    expect(new Set(seen)).toEqual(
      new Set([`arn:aws:sts::222222222222:assumed-role/tenant-checker-access/${ROLE_SESSION_NAME}`]),
    );
    expect(eks.requests.at(-1)?.authorization).not.toContain(checker.credentials.accessKeyId);
  });
});
