/**
 * The one composition root: the cycle's ports for one watched cluster, built from the config and the
 * environment the cycle runs in. The Lambda (AWS: EKS, DynamoDB, S3, SNS) and the CLI (a kubeconfig,
 * local files, stdout) both come here, so the metrics source is decided in one place.
 */

import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterReader } from './collect/cluster-reader.js';
import { clusterCollector } from './collect/collector.js';
import type { ClusterConnector } from './collect/connectors.js';
import type { PodAddressMap } from './collect/metrics/pod-scrape.js';
import { type MetricsSource, metricsSourceFor } from './collect/metrics/source.js';
import type { CheckerConfig, ClusterConfig } from './config.js';
import type { CyclePorts } from './cycle.js';
import { type BundleStore, FileBundleStore } from './sinks/bundle-store.js';
import { FileRunStore } from './sinks/file-store.js';
import { MemoryNotifier, type Notifier } from './sinks/notifier.js';
import type { RunStore } from './sinks/run-store.js';

/**
 * The deployed function's world, made once per container by the handler: how to reach a cluster
 * through EKS, and the DynamoDB, S3 and SNS adapters of the stack's resources. (The handler makes
 * them so that neither the CLI loads the AWS SDK's clients nor the Lambda's bundle carries
 * @kubernetes/client-node.)
 */
export interface AwsEnvironment {
  kind: 'aws';
  connectorFor: (cluster: ClusterConfig) => ClusterConnector;
  credentials: AwsCredentialIdentityProvider;
  /** The credentials for a cluster's AWS calls (AMP): its account's assumed role, or `credentials`. */
  credentialsFor?: (cluster: ClusterConfig) => AwsCredentialIdentityProvider;
  store: RunStore;
  bundles: BundleStore;
  notifier: Notifier;
  /** Where the `pods` metrics source reaches a pod's address; by default the address itself. */
  podAddress?: PodAddressMap;
}

/**
 * A laptop's: the kubeconfig's cluster, local directories, the notification kept for printing. The
 * caller reads the kubeconfig (`KubeconfigConnector`), so that the Lambda's bundle never carries
 * @kubernetes/client-node.
 */
export interface LocalEnvironment {
  kind: 'local';
  connector: ClusterConnector;
  stateDir: string;
  bundleDir: string;
  /** A Prometheus URL given on the command line replaces the configured metrics source. */
  prometheusUrl?: string;
  /** `--metrics scrape|pods` replaces the configured metrics source. */
  metrics?: 'scrape' | 'pods';
  /** Where the `pods` metrics source reaches a pod's address; by default the address itself. */
  podAddress?: PodAddressMap;
  /** AWS credentials, asked for only when the metrics source is AMP. */
  credentials?: AwsCredentialIdentityProvider;
}

export type Environment = AwsEnvironment | LocalEnvironment;

const noCredentials: AwsCredentialIdentityProvider = async () => {
  throw new Error('no AWS credentials are needed for this metrics source');
};

/** The metrics source of a cluster in an environment: the command line's choice over the config's. */
export function metricsFor(
  config: CheckerConfig,
  cluster: ClusterConfig,
  environment: Environment,
): (reader: ClusterReader | undefined) => MetricsSource {
  const settings = {
    operator: config.operator,
    threshold: config.alert.threshold,
    forSeconds: config.alert.for,
  };
  const local = environment.kind === 'local' ? environment : undefined;
  const chosen: ClusterConfig = local?.metrics
    ? {
        ...cluster,
        metrics: cluster.metrics.source === local.metrics ? cluster.metrics : { source: local.metrics },
      }
    : cluster;
  const credentials =
    (environment.kind === 'aws' ? environment.credentialsFor?.(cluster) : undefined) ??
    environment.credentials ??
    noCredentials;
  return (reader) =>
    metricsSourceFor(chosen, settings, {
      ...(reader ? { reader } : {}),
      credentials,
      ...(local?.prometheusUrl ? { prometheusUrl: local.prometheusUrl } : {}),
      ...(environment.podAddress ? { podAddress: environment.podAddress } : {}),
    });
}

/** The ports for one cluster. Locally the notifier keeps what it was given, so that the CLI can print it. */
export async function buildPorts(
  config: CheckerConfig,
  cluster: ClusterConfig,
  environment: LocalEnvironment,
): Promise<CyclePorts & { notifier: MemoryNotifier }>;
export async function buildPorts(
  config: CheckerConfig,
  cluster: ClusterConfig,
  environment: Environment,
): Promise<CyclePorts>;
export async function buildPorts(
  config: CheckerConfig,
  cluster: ClusterConfig,
  environment: Environment,
): Promise<CyclePorts> {
  const collector = clusterCollector({
    cluster: cluster.name,
    operator: config.operator,
    logTailLines: config.collection.logTailLines,
    connector: environment.kind === 'aws' ? environment.connectorFor(cluster) : environment.connector,
    metrics: metricsFor(config, cluster, environment),
    ...(environment.kind === 'aws' && config.vpc
      ? {
          placement: {
            vpcId: config.vpc.vpcId,
            ...(config.vpc.securityGroupIds ? { securityGroupIds: config.vpc.securityGroupIds } : {}),
          },
        }
      : {}),
  });
  if (environment.kind === 'aws') {
    const { store, bundles, notifier } = environment;
    return { collector, store, bundles, notifier };
  }
  return {
    collector,
    store: new FileRunStore(environment.stateDir),
    bundles: new FileBundleStore(environment.bundleDir),
    notifier: new MemoryNotifier(),
  };
}
