import { NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { LoadedConfig } from '../lambda/config.js';
import { BundleBucket } from './constructs/bundle-bucket.js';
import { CheckSchedules } from './constructs/check-schedules.js';
import { CheckerAlarms } from './constructs/checker-alarms.js';
import { CheckerFunction } from './constructs/checker-function.js';
import { ClusterShard } from './constructs/cluster-shard.js';
import { EksAccess } from './constructs/eks-access.js';
import { FindingsTable } from './constructs/findings-table.js';
import { LinkService } from './constructs/link-service.js';
import { NotificationTopic } from './constructs/notification-topic.js';
import { planShards } from './shards.js';

export interface CheckerStackProps extends StackProps {
  readonly config: LoadedConfig;
}

/** The deployment: constructs wired together, nothing else. */
export class CheckerStack extends Stack {
  readonly table: FindingsTable;
  readonly notifications: NotificationTopic;
  readonly bundles: BundleBucket;
  readonly checker: CheckerFunction;
  readonly links: LinkService;

  constructor(scope: Construct, id: string, props: CheckerStackProps) {
    super(scope, id, props);
    const { config, runtimeDocument } = props.config;
    // A fleet that fits one shard keeps its per-cluster resources here; a larger one, a nested stack per shard.
    const shards = planShards(config);
    const sharded = shards.length > 1;

    this.table = new FindingsTable(this, 'Findings');
    this.notifications = new NotificationTopic(this, 'Notifications', {
      emails: config.notifications.emails,
    });
    this.bundles = new BundleBucket(this, 'EscalationBundles', {
      retentionDays: config.bundles.retentionDays,
    });
    this.links = new LinkService(this, 'BundleLinks', {
      bucket: this.bundles.bucket,
      retentionDays: config.bundles.retentionDays,
      keyGeneration: config.bundles.linkKeyGeneration,
    });
    this.checker = new CheckerFunction(this, 'Checker', {
      config,
      runtimeConfig: runtimeDocument,
      table: this.table.table,
      bucket: this.bundles.bucket,
      topic: this.notifications.topic,
      topicKey: this.notifications.key,
      links: { serviceUrl: this.links.url.url, keyArn: this.links.key.keyArn },
      clusterGrants: sharded ? 'shards' : 'inline',
    });
    this.links.grantSign(this.checker.role);
    const here = sharded ? [] : config.clusters;
    const schedules = new CheckSchedules(this, 'Schedules', {
      clusters: here,
      checker: this.checker.function,
      deadLetterQueue: this.checker.deadLetterQueue,
    });
    new CheckerAlarms(this, 'Alarms', {
      clusters: here,
      checker: this.checker.function,
      deadLetterQueue: this.checker.deadLetterQueue,
      topic: this.notifications.topic,
    });
    new EksAccess(this, 'EksAccess', {
      clusters: here,
      config,
      role: this.checker.role,
      kubernetesGroup: config.kubernetesGroup,
    });
    if (!sharded) return;
    shards.forEach((clusters, index) => {
      const nested = new NestedStack(this, `Shard${index + 1}`, {
        description: `Tenant reconciliation checker, clusters ${clusters[0]?.name} to ${clusters.at(-1)?.name}`,
      });
      new ClusterShard(nested, 'Clusters', {
        clusters,
        checker: this.checker.function,
        checkerRole: this.checker.role,
        invokeRole: schedules.role,
        deadLetterQueue: this.checker.deadLetterQueue,
        topic: this.notifications.topic,
        kubernetesGroup: config.kubernetesGroup,
        config,
      });
    });
  }
}
