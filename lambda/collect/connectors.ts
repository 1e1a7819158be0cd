/**
 * How the cycle reaches a cluster: through EKS (the Lambda) or a kubeconfig (a laptop). Both give a
 * reader over the same API; a failure to connect is a value, like any other source's.
 */
import type { ClusterConfig } from '../config.js';
import { type Budget, HttpsClusterReader } from './cluster-reader.js';
import type { EksClusterAccess } from './eks-cluster.js';
import { loadLocalKubeConfig } from './kubeconfig.js';
import { failed, type SourceResult, succeeded } from './result.js';

export interface ClusterConnector {
  connect(cluster: ClusterConfig, budget: Budget): Promise<SourceResult<HttpsClusterReader>>;
}

/** DescribeCluster (cached) and a fresh token, then HTTPS to the cluster's endpoint. */
export class EksConnector implements ClusterConnector {
  constructor(private readonly access: EksClusterAccess) {}

  async connect(cluster: ClusterConfig, budget: Budget): Promise<SourceResult<HttpsClusterReader>> {
    const connection = await this.access.connect(cluster.name, cluster.region);
    if (!connection.ok) return connection;
    return succeeded(
      await HttpsClusterReader.fromKubeConfig(connection.data.kubeConfig, budget),
      connection.elapsedMs,
    );
  }
}

/** The user's kubeconfig, as kubectl reads it; the cluster's name in the config is only a label here. */
export class KubeconfigConnector implements ClusterConnector {
  constructor(private readonly options: { path?: string; context?: string } = {}) {}

  async connect(_cluster: ClusterConfig, budget: Budget): Promise<SourceResult<HttpsClusterReader>> {
    const started = Date.now();
    try {
      const kubeConfig = loadLocalKubeConfig(this.options);
      return succeeded(await HttpsClusterReader.fromKubeConfig(kubeConfig, budget), Date.now() - started);
    } catch (error) {
      return failed(
        { kind: 'unauthorized', message: `kubeconfig: ${(error as Error).message}` },
        Date.now() - started,
      );
    }
  }
}
