/**
 * How the cycle reaches a cluster: through EKS (the Lambda, `EksConnector` in eks-cluster.ts) or a
 * kubeconfig (a laptop, here). Both give a reader over the same API; a failure to connect is a value,
 * like any other source's. The Lambda never loads @kubernetes/client-node: it has the endpoint, the
 * CA and its token, which is all a reader needs, and the library would double the bundle.
 */

import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { EndpointAccess } from '../model/snapshot.js';
import { failed, type SourceResult, succeeded } from '../model/source.js';
import { type Budget, type ClusterReader, HttpsClusterReader } from './cluster-reader.js';
import { loadLocalKubeConfig } from './kubeconfig.js';

/** How to reach one cluster; built for that cluster, so the cycle never names it twice. */
export interface ClusterConnector {
  /** Where it connects, when known before connecting (the kubeconfig's server). */
  readonly server?: string;
  connect(budget: Budget): Promise<SourceResult<ClusterReader>>;
  /** The endpoint's access settings, once connected, where the connector learns them (EKS). */
  endpointAccess?(): Omit<EndpointAccess, 'checker'> | undefined;
}

/** The user's kubeconfig, as kubectl reads it; the cluster's name in the config is only a label here. */
export class KubeconfigConnector implements ClusterConnector {
  /** A kubeconfig file and context as kubectl takes them, or one already read (the CLI reads it once). */
  constructor(private readonly options: { path?: string; context?: string; kubeConfig?: KubeConfig } = {}) {}

  async connect(budget: Budget): Promise<SourceResult<ClusterReader>> {
    const started = Date.now();
    try {
      const kubeConfig = this.options.kubeConfig ?? loadLocalKubeConfig(this.options);
      return succeeded(await HttpsClusterReader.fromKubeConfig(kubeConfig, budget), Date.now() - started);
    } catch (error) {
      return failed(
        { kind: 'unauthorized', message: `kubeconfig: ${(error as Error).message}` },
        Date.now() - started,
      );
    }
  }
}
