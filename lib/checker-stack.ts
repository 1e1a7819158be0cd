import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { LoadedConfig } from '../lambda/config.js';
import { BundleBucket } from './constructs/bundle-bucket.js';
import { CheckSchedules } from './constructs/check-schedules.js';
import { CheckerAlarms } from './constructs/checker-alarms.js';
import { CheckerFunction } from './constructs/checker-function.js';
import { EksAccess } from './constructs/eks-access.js';
import { FindingsTable } from './constructs/findings-table.js';
import { LinkService } from './constructs/link-service.js';
import { NotificationTopic } from './constructs/notification-topic.js';

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
    });
    this.links.grantSign(this.checker.role);
    new CheckSchedules(this, 'Schedules', {
      clusters: config.clusters,
      checker: this.checker.function,
      deadLetterQueue: this.checker.deadLetterQueue,
    });
    new CheckerAlarms(this, 'Alarms', {
      clusters: config.clusters,
      checker: this.checker.function,
      deadLetterQueue: this.checker.deadLetterQueue,
      topic: this.notifications.topic,
    });
    new EksAccess(this, 'EksAccess', {
      clusters: config.clusters,
      role: this.checker.role,
      kubernetesGroup: config.kubernetesGroup,
    });
  }
}
