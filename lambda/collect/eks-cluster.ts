/**
 * The Lambda's way into an EKS cluster: DescribeCluster for the endpoint and CA, and a token made
 * fresh for every invocation. The description is cached per container, but not for its whole life:
 * a cluster replaced under the same name has a new endpoint and CA, so the cache is refreshed after
 * DESCRIBE_TTL_MS, and at once (forget, describe again, once per invocation) when the cached endpoint
 * fails as a replaced cluster's would: a TLS failure, a 401, or no connection.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterConfig } from '../config.js';
import type { EndpointAccess } from '../model/snapshot.js';
import { failed, type SourceResult, succeeded } from '../model/source.js';
import { type Budget, type ClusterReader, HttpsClusterReader, type ReaderTarget } from './cluster-reader.js';
import type { ClusterConnector } from './connectors.js';
import { createEksToken, type EksToken } from './eks-token.js';

export interface EksClusterInfo {
  name: string;
  endpoint: string;
  caData: string;
  status: string;
  version?: string;
  /** The endpoint's access settings (resourcesVpcConfig). */
  access?: Omit<EndpointAccess, 'checker'>;
}

export interface EksConnection {
  info: EksClusterInfo;
  token: EksToken;
}

/**
 * DescribeCluster of `name` in `region`; `credentials` are those of the cluster's account (an assumed
 * role), or the function's own when absent.
 */
type DescribeCluster = (
  name: string,
  region: string,
  credentials?: AwsCredentialIdentityProvider,
) => Promise<EksClusterInfo>;

/** DescribeCluster through the AWS SDK, one client per region and credentials (per member account's role). */
export function sdkDescribeCluster(
  credentials?: AwsCredentialIdentityProvider,
  endpoint?: string,
): DescribeCluster {
  const clients = new Map<AwsCredentialIdentityProvider | undefined, Map<string, EKSClient>>();
  return async (name, region, assumed) => {
    const own = assumed ?? credentials;
    let byRegion = clients.get(own);
    if (!byRegion) {
      byRegion = new Map();
      clients.set(own, byRegion);
    }
    let client = byRegion.get(region);
    if (!client) {
      client = new EKSClient({
        region,
        ...(own ? { credentials: own } : {}),
        ...(endpoint ? { endpoint } : {}),
      });
      byRegion.set(region, client);
    }
    const { cluster } = await client.send(new DescribeClusterCommand({ name }));
    if (!cluster?.endpoint || !cluster.certificateAuthority?.data) {
      throw new Error(
        `DescribeCluster ${name}: no endpoint or certificate authority (status ${cluster?.status ?? 'unknown'})`,
      );
    }
    return {
      name,
      endpoint: cluster.endpoint,
      caData: cluster.certificateAuthority.data,
      status: cluster.status ?? 'UNKNOWN',
      ...(cluster.version ? { version: cluster.version } : {}),
      ...(cluster.resourcesVpcConfig ? { access: endpointAccessOf(cluster.resourcesVpcConfig) } : {}),
    };
  };
}

/** DescribeCluster's resourcesVpcConfig, as the checks read it (EKS's defaults where a field is absent). */
export function endpointAccessOf(vpc: {
  endpointPublicAccess?: boolean;
  endpointPrivateAccess?: boolean;
  publicAccessCidrs?: string[];
  vpcId?: string;
  clusterSecurityGroupId?: string;
}): Omit<EndpointAccess, 'checker'> {
  return {
    endpointPublicAccess: vpc.endpointPublicAccess ?? true,
    endpointPrivateAccess: vpc.endpointPrivateAccess ?? false,
    publicAccessCidrs: vpc.publicAccessCidrs ?? ['0.0.0.0/0'],
    ...(vpc.vpcId ? { vpcId: vpc.vpcId } : {}),
    ...(vpc.clusterSecurityGroupId ? { clusterSecurityGroupId: vpc.clusterSecurityGroupId } : {}),
  };
}

/** How long a DescribeCluster answer is trusted without trouble (a warm container lives for hours). */
export const DESCRIBE_TTL_MS = 60 * 60 * 1000;

export class EksClusterAccess {
  private readonly described = new Map<string, { info: EksClusterInfo; at: number }>();

  constructor(
    private readonly describe: DescribeCluster,
    private readonly credentials: AwsCredentialIdentityProvider,
    private readonly clock: () => Date = () => new Date(),
    private readonly ttlMs: number = DESCRIBE_TTL_MS,
  ) {}

  /**
   * Endpoint and CA from the per-container cache (DescribeCluster on a miss), and a new token. A
   * failure is returned as a value: an unreachable EKS API or a denied DescribeCluster is evidence.
   */
  async connect(
    name: string,
    region: string,
    /** The cluster's account's credentials (an assumed role); the function's own when absent. */
    assumed?: AwsCredentialIdentityProvider,
  ): Promise<SourceResult<EksConnection>> {
    const started = Date.now();
    const key = `${region}/${name}`;
    const cached = this.described.get(key);
    const now = this.clock().getTime();
    let info = cached && now - cached.at < this.ttlMs ? cached.info : undefined;
    try {
      if (!info) {
        info = await this.describe(name, region, assumed);
        this.described.set(key, { info, at: now });
      }
      // The token is signed by the identity EKS must map: the assumed role for another account's cluster.
      const credentials: AwsCredentialIdentity = await (assumed ?? this.credentials)();
      const token = await createEksToken({ clusterName: name, region, credentials, now: this.clock() });
      return succeeded({ info, token }, Date.now() - started);
    } catch (error) {
      const err = error as Error & { name?: string; $metadata?: { httpStatusCode?: number } };
      const status = err.$metadata?.httpStatusCode;
      const kind =
        status === 403 || err.name === 'AccessDeniedException'
          ? 'forbidden'
          : status && status >= 500
            ? 'server'
            : status === 429
              ? 'throttled'
              : status
                ? 'bad-response'
                : 'unreachable';
      return failed(
        {
          kind,
          ...(status ? { status } : {}),
          message: `EKS DescribeCluster ${name} (${region}): ${err.name ?? ''} ${err.message}`.replace(
            /\s+/g,
            ' ',
          ),
        },
        Date.now() - started,
      );
    }
  }

  /** Forget a cluster's endpoint (after the API server stopped answering at it, the cluster may have moved). */
  forget(name: string, region: string): void {
    this.described.delete(`${region}/${name}`);
  }
}

/** DescribeCluster (cached) and a fresh token, then HTTPS to the cluster's endpoint with its CA. */
export class EksConnector implements ClusterConnector {
  constructor(
    private readonly access: EksClusterAccess,
    private readonly cluster: Pick<ClusterConfig, 'name' | 'region'>,
    /** The credentials of the cluster's account (an assumed role), when it is not the deployment's. */
    private readonly credentials?: AwsCredentialIdentityProvider,
  ) {}

  private described?: Omit<EndpointAccess, 'checker'>;

  /** The endpoint's access settings from the last DescribeCluster, for the snapshot. */
  endpointAccess(): Omit<EndpointAccess, 'checker'> | undefined {
    return this.described;
  }

  async connect(budget: Budget): Promise<SourceResult<ClusterReader>> {
    const connection = await this.access.connect(this.cluster.name, this.cluster.region, this.credentials);
    if (!connection.ok) return connection;
    const { info } = connection.data;
    this.described = info.access;
    const reader = HttpsClusterReader.create(targetFor(connection.data), budget, {
      // The cached endpoint failed as a replaced cluster's would: describe it again; a new endpoint
      // or CA is retried, the same one means the failure is real (and is evidence).
      refresh: async () => {
        this.access.forget(this.cluster.name, this.cluster.region);
        const again = await this.access.connect(this.cluster.name, this.cluster.region, this.credentials);
        if (!again.ok) return undefined;
        const fresh = again.data.info;
        return fresh.endpoint === info.endpoint && fresh.caData === info.caData
          ? undefined
          : targetFor(again.data);
      },
    });
    return succeeded(reader, connection.elapsedMs);
  }
}

function targetFor({ info, token }: EksConnection): ReaderTarget {
  return {
    server: info.endpoint,
    ca: Buffer.from(info.caData, 'base64'),
    headers: { Authorization: `Bearer ${token.token}` },
  };
}
