/** The few literals shared by the stack (which sets them) and the Lambda (which reads them). */

/** Environment variables the stack sets on the checker function. */
export const ENV = {
  /** The config document itself: accepted for tools and tests; the stack sets configFile instead. */
  config: 'CHECKER_CONFIG',
  /** The config document's file in the function's code, relative to LAMBDA_TASK_ROOT. */
  configFile: 'CHECKER_CONFIG_FILE',
  runsTable: 'RUNS_TABLE',
  bundleBucket: 'BUNDLE_BUCKET',
  topicArn: 'TOPIC_ARN',
} as const;

/** The name of the config document the stack copies into the function's code asset at synth. */
export const CONFIG_FILE_NAME = 'checker-config.json';

export const SERVICE_NAME = 'tenant-checker';
export const METRICS_NAMESPACE = 'TenantChecker';

/** Emitted once per completed check cycle, with a `cluster` dimension; its absence is the silence alarm. */
export const HEARTBEAT_METRIC = 'CheckCycleCompleted';

/** S3 prefix under which escalation bundles are written (`bundles/<cluster>/<yyyy>/<mm>/<dd>/<run id>.tar.gz`). */
export const BUNDLE_PREFIX = 'bundles/';

/** DynamoDB single-table keys and the TTL attribute. */
export const TABLE_KEYS = { partition: 'pk', sort: 'sk', ttl: 'expiresAt' } as const;
