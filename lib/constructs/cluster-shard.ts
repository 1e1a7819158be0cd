import { Stack } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ManagedPolicy, type Role } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CheckerConfig, ClusterConfig } from '../../lambda/config.js';
import { CheckSchedules } from './check-schedules.js';
import { silenceAlarms } from './checker-alarms.js';
import { clusterAccessStatements } from './checker-function.js';
import { EksAccess } from './eks-access.js';

export interface ClusterShardProps {
  readonly clusters: readonly ClusterConfig[];
  readonly checker: IFunction;
  /** The checker's role: the shard attaches its clusters' grant to it and maps it in their access entries. */
  readonly checkerRole: Role;
  /** The schedules' role, shared by every shard (it lives in the parent stack). */
  readonly invokeRole: Role;
  readonly deadLetterQueue: IQueue;
  readonly topic: ITopic;
  readonly kubernetesGroup: string;
  /** The whole config: its member accounts' roles read their clusters (config `accounts`). */
  readonly config: Pick<CheckerConfig, 'accounts' | 'clusters'>;
}

/**
 * A fleet's per-cluster resources for one shard of its clusters (lib/shards.ts), in a nested stack of
 * its own: a schedule, a silence alarm and an access entry per cluster of this account, and one
 * managed policy on the checker's role granting DescribeCluster (and AMP queries) on exactly these
 * clusters, or sts:AssumeRole on the member roles that read them. The function,
 * its role, the table, topic, bucket, keys and link service stay in the parent stack.
 */
export class ClusterShard extends Construct {
  constructor(scope: Construct, id: string, props: ClusterShardProps) {
    super(scope, id);
    new CheckSchedules(this, 'Schedules', {
      clusters: props.clusters,
      checker: props.checker,
      deadLetterQueue: props.deadLetterQueue,
      role: props.invokeRole,
    });
    silenceAlarms(new Construct(this, 'Alarms'), props.clusters, new SnsAction(props.topic));
    new EksAccess(this, 'EksAccess', {
      clusters: props.clusters,
      config: props.config,
      role: props.checkerRole,
      kubernetesGroup: props.kubernetesGroup,
    });
    new ManagedPolicy(this, 'ClusterAccess', {
      description: `Tenant reconciliation checker: read ${props.clusters.length} watched EKS clusters`,
      statements: clusterAccessStatements(Stack.of(this), props.config, props.clusters),
      roles: [props.checkerRole],
    });
  }
}
