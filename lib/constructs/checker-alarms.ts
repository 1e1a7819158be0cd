import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ClusterConfig, heartbeatSeconds } from '../../lambda/config.js';
import { HEARTBEAT_METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/constants.js';

export interface CheckerAlarmsProps {
  readonly clusters: readonly ClusterConfig[];
  readonly checker: IFunction;
  readonly deadLetterQueue: IQueue;
  /** The same topic the checker notifies on: a broken checker pages the same people. */
  readonly topic: ITopic;
}

/** The longest single alarm period CloudWatch takes. */
const MAX_PERIOD_SECONDS = 86_400;

/**
 * Alarms on the checker itself, so that a checker that cannot run is never mistaken for a healthy
 * cluster: function errors, throttles, failed invocations in the dead-letter queue, and per cluster
 * "no completed check cycle" from the heartbeat metric the handler emits after each cycle.
 */
export class CheckerAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: CheckerAlarmsProps) {
    super(scope, id);
    const notify = new SnsAction(props.topic);
    const add = (alarm: Alarm) => {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.alarms.push(alarm);
    };

    add(
      new Alarm(this, 'Errors', {
        alarmDescription:
          'The tenant reconciliation checker failed an invocation (it is retried; see its logs).',
        metric: props.checker.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      new Alarm(this, 'Throttles', {
        alarmDescription: 'The tenant reconciliation checker was throttled: checks are being skipped.',
        metric: props.checker.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      new Alarm(this, 'FailedChecks', {
        alarmDescription: 'Check invocations failed after all retries and are in the dead-letter queue.',
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    this.alarms.push(...silenceAlarms(this, props.clusters, notify));
  }
}

/**
 * Per cluster, "no completed check cycle" from the heartbeat metric, in `scope`: the checker's alarms
 * in a small deployment, a shard's in a fleet.
 */
export function silenceAlarms(
  scope: Construct,
  clusters: readonly ClusterConfig[],
  notify: SnsAction,
): Alarm[] {
  return clusters.map((cluster) => {
    const silence = heartbeatSeconds(cluster);
    // One period when it fits CloudWatch's limit; otherwise whole days, all of which must be silent.
    const periods = Math.ceil(silence / MAX_PERIOD_SECONDS);
    const period = Math.ceil(silence / periods / 60) * 60;
    const alarm = new Alarm(scope, `Silent-${cluster.region}-${cluster.name}`, {
      alarmDescription:
        `No tenant reconciliation check of ${cluster.name} (${cluster.region}) completed in ${silence}s: ` +
        'the checker is blind to this cluster.',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: HEARTBEAT_METRIC,
        dimensionsMap: { service: SERVICE_NAME, cluster: cluster.name },
        statistic: 'Sum',
        period: Duration.seconds(period),
      }),
      threshold: 1,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    return alarm;
  });
}
