/**
 * A cluster in another account: the checker assumes the member account's role (config `accounts`)
 * through a local STS that checks the caller's signature, the trust policy and the external id; the
 * real SDK DescribeCluster (against a local EKS endpoint), the EKS token and AMP's SigV4 all use the
 * assumed role's credentials; and the Kubernetes simulator, playing EKS's authenticator, accepts a
 * token only from an identity its access entries name.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { AssumedRoles, cachedUntilNearExpiry, ROLE_SESSION_NAME } from '../lambda/collect/assumed-roles.js';
import { Budget } from '../lambda/collect/cluster-reader.js';
import { EksClusterAccess, EksConnector, sdkDescribeCluster } from '../lambda/collect/eks-cluster.js';
import { ampTransport } from '../lambda/collect/metrics/transports.js';
import { assumedRoleFor, type ClusterConfig, parseConfig } from '../lambda/config.js';
import { accessEntryAuthenticator, accessEntryPrincipal } from '../sim/kube/eks-token-rules.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { type AmpEndpoint, startAmpEndpoint } from './helpers/amp-endpoint.js';
import { type EksEndpoint, startEksEndpoint } from './helpers/eks-endpoint.js';
import { describeNeeding } from './helpers/requirements.js';
import {
  CHECKER_ROLE,
  CHECKER_SESSION,
  MEMBER_ROLE,
  type StsEndpoint,
  startStsEndpoint,
} from './helpers/sts-endpoint.js';

const describe = describeNeeding('openssl');

const REGION = 'eu-west-1';
const EXTERNAL_ID = 'tenant-checker-7f3a';
const checker = CHECKER_SESSION;
const ownCredentials = async () => checker.credentials;

const config = parseConfig({
  region: REGION,
  clusters: [
    { name: 'prod-eks-1', region: REGION, account: '222222222222', metrics: { source: 'pods' } },
    { name: 'home-eks', region: REGION, metrics: { source: 'pods' } },
  ],
  accounts: { '222222222222': { roleArn: MEMBER_ROLE, externalId: EXTERNAL_ID } },
});
const member = config.clusters[0] as ClusterConfig;

let sts: StsEndpoint;
let eks: EksEndpoint;
let sim: Simulator;
const seen: string[] = [];

beforeAll(async () => {
  sts = await startStsEndpoint({
    region: REGION,
    callers: [checker],
    roles: [{ roleArn: MEMBER_ROLE, trustedArn: CHECKER_ROLE, externalId: EXTERNAL_ID }],
  });
  const fixture = healthyCluster();
  // The member cluster's only access entry maps the member role, as the member stack creates it.
  fixture.authenticate = accessEntryAuthenticator({
    clusterName: 'prod-eks-1',
    identities: sts.identities,
    principals: [MEMBER_ROLE],
    seen,
  });
  sim = await startSimulator(fixture);
  eks = await startEksEndpoint({ 'prod-eks-1': { endpoint: sim.url, caPem: sim.caPem } });
});
afterAll(async () => {
  await sim?.close();
  await eks?.close();
  await sts?.close();
});
afterEach(() => {
  seen.length = 0;
});

const roles = () => new AssumedRoles({ credentials: ownCredentials, region: REGION, endpoint: sts.url });

async function nodesThrough(connector: EksConnector) {
  const connection = await connector.connect(Budget.forMs(10_000));
  if (!connection.ok) return connection;
  const reader = connection.data;
  try {
    return await reader.getJson<{ items: unknown[] }>('/api/v1/nodes');
  } finally {
    reader.close();
  }
}

describe("a cluster in another account, read as its account's role", () => {
  it("assumes the role once, with the external id and the checker's session name, and reads the cluster as that role", async () => {
    const assumed = roles();
    const credentials = assumed.credentialsFor(assumedRoleFor(config, member));
    const access = new EksClusterAccess(sdkDescribeCluster(ownCredentials, eks.url), ownCredentials);
    const before = sts.calls.length;
    for (let i = 0; i < 2; i++) {
      const nodes = await nodesThrough(new EksConnector(access, member, credentials));
      expect(nodes, JSON.stringify(nodes)).toMatchObject({ ok: true });
    }
    // Two cycles, one AssumeRole: the session is cached per container until near its expiry.
    expect(sts.calls.slice(before)).toEqual([
      expect.objectContaining({
        action: 'AssumeRole',
        roleArn: MEMBER_ROLE,
        sessionName: ROLE_SESSION_NAME,
        accessKeyId: checker.credentials.accessKeyId,
        outcome: 'ok',
      }),
    ]);
    const session = `arn:aws:sts::222222222222:assumed-role/tenant-checker-access/${ROLE_SESSION_NAME}`;
    // The token EKS checked was signed by the assumed role, never the function's own.
    expect(new Set(seen)).toEqual(new Set([session]));
    // DescribeCluster was signed by the assumed session's key too.
    const issued = sts.identities.find((i) => i.arn === session)?.credentials.accessKeyId;
    expect(issued).toMatch(/^ASIA/);
    expect(eks.requests.at(-1)?.authorization).toContain(`Credential=${issued}/`);
  });

  it("fails with 401 when the token is signed by the wrong identity (the function's own role)", async () => {
    const access = new EksClusterAccess(sdkDescribeCluster(ownCredentials, eks.url), ownCredentials);
    // Without the role: DescribeCluster answers here (the local EKS does not check accounts), the token does not.
    const nodes = await nodesThrough(new EksConnector(access, member));
    expect(nodes, JSON.stringify(nodes)).toMatchObject({
      ok: false,
      error: { kind: 'unauthorized', status: 401 },
    });
    expect(seen).toEqual([checker.arn]);
    expect(accessEntryPrincipal(checker.arn)).toBe(CHECKER_ROLE);
  });

  it("reports a refused AssumeRole (wrong external id) as the checker's own trouble, naming the role", async () => {
    const wrong = new AssumedRoles({ credentials: ownCredentials, region: REGION, endpoint: sts.url });
    const credentials = wrong.credentialsFor({ roleArn: MEMBER_ROLE, externalId: 'not-the-right-id' });
    const access = new EksClusterAccess(sdkDescribeCluster(ownCredentials, eks.url), ownCredentials);
    const connection = await new EksConnector(access, member, credentials).connect(Budget.forMs(10_000));
    expect(connection).toMatchObject({
      ok: false,
      error: {
        kind: 'forbidden',
        message: expect.stringContaining(`STS AssumeRole ${MEMBER_ROLE}`),
      },
    });
    expect(sts.calls.at(-1)).toMatchObject({ action: 'AssumeRole', outcome: 'AccessDenied' });
    // No secret in what becomes evidence.
    expect(JSON.stringify(connection)).not.toContain(checker.credentials.secretAccessKey);
  });

  it("uses the function's own credentials for a cluster of its own account", () => {
    const assumed = roles();
    expect(assumedRoleFor(config, config.clusters[1] as ClusterConfig)).toBeUndefined();
    expect(assumed.credentialsFor(undefined)).toBe(ownCredentials);
  });
});

describe('AMP in the member account, signed as its role', () => {
  let upstream: http.Server;
  let upstreamUrl = '';
  let amp: AmpEndpoint;
  beforeAll(async () => {
    upstream = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await amp?.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it("signs queries with the assumed session, which the workspace accepts; the function's own signature is refused", async () => {
    const credentials = roles().credentialsFor(assumedRoleFor(config, member));
    const session = await credentials();
    amp = await startAmpEndpoint({
      workspaceId: 'ws-12345678-abcd-ef01-2345-6789abcdef01',
      region: REGION,
      credentials: session,
      prometheusUrl: upstreamUrl,
    });
    const query = (c: typeof credentials) =>
      ampTransport({
        workspaceId: 'ws-12345678-abcd-ef01-2345-6789abcdef01',
        region: REGION,
        credentials: c,
        endpoint: amp.url,
      })('/api/v1/query', { query: 'up' });
    expect(await query(credentials)).toMatchObject({ ok: true });
    expect(await query(ownCredentials)).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', status: 403 },
    });
    expect(amp.verified).toBe(1);
  });
});

describe('the per-container cache of a session', () => {
  it('reuses credentials until five minutes before they expire, and does not cache a failure', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const provider = vi.fn(async () => {
      calls++;
      if (fail) throw new Error('STS unavailable');
      return {
        accessKeyId: `ASIA${calls}`,
        secretAccessKey: 's',
        expiration: new Date(now + 3600_000),
      };
    });
    const cached = cachedUntilNearExpiry(provider, () => now);
    expect((await cached()).accessKeyId).toBe('ASIA1');
    now = 54 * 60_000;
    expect((await cached()).accessKeyId).toBe('ASIA1');
    now = 56 * 60_000; // within 5 minutes of the end: renewed
    expect((await cached()).accessKeyId).toBe('ASIA2');
    now = 200 * 60_000;
    fail = true;
    await expect(cached()).rejects.toThrow('STS unavailable');
    fail = false;
    expect((await cached()).accessKeyId).toBe('ASIA4');
  });
});
