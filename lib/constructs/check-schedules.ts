import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ClusterConfig } from '../../lambda/config.js';

export interface CheckSchedulesProps {
  readonly clusters: readonly ClusterConfig[];
  readonly checker: IFunction;
  /** Receives the events the scheduler could not deliver after its retries. */
  readonly deadLetterQueue: IQueue;
  /** The role the schedules invoke the checker with: another shard's (in the parent stack), or a new one. */
  readonly role?: Role;
}

/**
 * One EventBridge Scheduler schedule per watched cluster, each invoking the checker with
 * `{ cluster, scheduledTime }`. The fan-out over clusters is the scheduler's, not our code's: one
 * cluster's slow API server never delays another's check. `scheduledTime` is the slot the run
 * belongs to, which the alert's notify-once write is keyed on.
 */
export class CheckSchedules extends Construct {
  readonly schedules: Schedule[];
  readonly role: Role;

  constructor(scope: Construct, id: string, props: CheckSchedulesProps) {
    super(scope, id);
    this.role = props.role ?? this.invokeRole(props.checker);
    const role = this.role;
    this.schedules = props.clusters.map((cluster) => {
      const period = cluster.schedule.kind === 'rate' ? cluster.schedule.periodSeconds : 3600;
      return new Schedule(this, `${cluster.region}-${cluster.name}`, {
        description: `Tenant reconciliation check of EKS cluster ${cluster.name} (${cluster.region})`,
        schedule: ScheduleExpression.expression(cluster.schedule.expression),
        target: new LambdaInvoke(props.checker, {
          input: ScheduleTargetInput.fromObject({
            cluster: cluster.name,
            scheduledTime: ContextAttribute.scheduledTime,
          }),
          role,
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 2,
          // A check older than its period is worth less than the next one; drop it rather than pile up.
          maxEventAge: Duration.seconds(Math.min(Math.max(period, 60), 86_400)),
        }),
      });
    });
  }

  /** One role for all the schedules, assumable by the scheduler only on behalf of this account. */
  private invokeRole(checker: IFunction): Role {
    const stack = Stack.of(this);
    const role = new Role(this, 'InvokeRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the tenant reconciliation checker',
    });
    const functionId = stack.getLogicalId(checker.node.defaultChild as CfnElement);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        "grantInvoke also names the checker's own versions and aliases (<function arn>:*); no other function is covered.",
    });
    return role;
  }
}
