/**
 * The one composition root: the cycle's ports for one watched cluster, built from the config and the
 * environment the cycle runs in. The Lambda (AWS: EKS, DynamoDB, S3, SNS) and the CLI (a kubeconfig,
 * local files, stdout) both come here, so the metrics source is decided in one place.
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterReader } from './collect/cluster-reader.js';
import { clusterCollector } from './collect/collector.js';
import { type ClusterConnector, KubeconfigConnector } from './collect/connectors.js';
import type { EksClusterAccess } from './collect/eks-cluster.js';
import { type MetricsSource, metricsSourceFor } from './collect/metrics/source.js';
import type { CheckerConfig, ClusterConfig } from './config.js';
import type { CyclePorts } from './cycle.js';
import { FileBundleStore } from './sinks/bundle-store.js';
import { FileRunStore } from './sinks/file-store.js';
import { MemoryNotifier } from './sinks/notifier.js';

/** The deployed function's world: one of each client per container, the resources the stack made. */
export interface AwsEnvironment {
  kind: 'aws';
  eks: EksClusterAccess;
  credentials: AwsCredentialIdentityProvider;
  dynamodb: DynamoDBClient;
  s3: S3Client;
  sns: SNSClient;
  table: string;
  bucket: string;
  topicArn: string;
}

/** A laptop's: the kubeconfig, local directories, the notification kept for printing. */
export interface LocalEnvironment {
  kind: 'local';
  kubeConfig?: KubeConfig;
  kubeconfigPath?: string;
  context?: string;
  stateDir: string;
  bundleDir: string;
  /** A Prometheus URL given on the command line replaces the configured metrics source. */
  prometheusUrl?: string;
  /** `--metrics scrape` replaces the configured metrics source. */
  metrics?: 'scrape';
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
  const chosen: ClusterConfig =
    local?.metrics === 'scrape' ? { ...cluster, metrics: { source: 'scrape' } } : cluster;
  const credentials = environment.credentials ?? noCredentials;
  return (reader) =>
    metricsSourceFor(chosen, settings, {
      ...(reader ? { reader } : {}),
      credentials,
      ...(local?.prometheusUrl ? { prometheusUrl: local.prometheusUrl } : {}),
    });
}

async function connectorFor(cluster: ClusterConfig, environment: Environment): Promise<ClusterConnector> {
  if (environment.kind === 'aws') {
    const { EksConnector } = await import('./collect/eks-cluster.js');
    return new EksConnector(environment.eks, cluster);
  }
  return new KubeconfigConnector({
    ...(environment.kubeConfig ? { kubeConfig: environment.kubeConfig } : {}),
    ...(environment.kubeconfigPath ? { path: environment.kubeconfigPath } : {}),
    ...(environment.context ? { context: environment.context } : {}),
  });
}

/**
 * The ports for one cluster. The AWS adapters are imported only where they are used, so that the
 * CLI starts without loading the AWS SDK's clients. Locally the notifier keeps what it was given, so
 * that the CLI can print it.
 */
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
    connector: await connectorFor(cluster, environment),
    metrics: metricsFor(config, cluster, environment),
  });
  if (environment.kind === 'aws') {
    const [{ DynamoDbRunStore }, { S3BundleStore }, { SnsNotifier }] = await Promise.all([
      import('./sinks/dynamodb-store.js'),
      import('./sinks/s3-bundle-store.js'),
      import('./sinks/sns-notifier.js'),
    ]);
    return {
      collector,
      store: new DynamoDbRunStore(environment.dynamodb, environment.table),
      bundles: new S3BundleStore(environment.s3, environment.bucket, {
        linkExpirySeconds: config.bundles.linkExpiry,
        credentials: environment.credentials,
      }),
      notifier: new SnsNotifier(environment.sns, environment.topicArn),
    };
  }
  return {
    collector,
    store: new FileRunStore(environment.stateDir),
    bundles: new FileBundleStore(environment.bundleDir),
    notifier: new MemoryNotifier(),
  };
}
