/**
 * The checker Lambda: the middlewares (tracer, logger, metrics) around one call per scheduled event.
 * EventBridge Scheduler invokes it once per watched cluster with `{ cluster, scheduledTime }`.
 */

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { fromEnv } from '@aws-sdk/credential-providers';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { AssumedRoles } from './collect/assumed-roles.js';
import { EksClusterAccess, EksConnector, sdkDescribeCluster } from './collect/eks-cluster.js';
import {
  assumedRoleFor,
  type CheckerConfig,
  type ClusterConfig,
  findCluster,
  parseConfigText,
} from './config.js';
import { ENV, HEARTBEAT_METRIC, METRICS_NAMESPACE, SERVICE_NAME } from './constants.js';
import { type CycleResult, runCycle } from './cycle.js';
import { BadEventError, ConfigError } from './errors.js';
import { LINK_ENV } from './link/constants.js';
import { KmsLinkSigner } from './link/kms-signer.js';
import { LinkedBundleStore } from './link/linked-bundle-store.js';
import { SOURCE_NAMES } from './model/sources.js';
import { type AwsEnvironment, buildPorts } from './ports.js';
import { type CheckReport, toReport } from './report.js';
import type { BundleStore } from './sinks/bundle-store.js';
import { DynamoDbRunStore } from './sinks/dynamodb-store.js';
import { redact } from './sinks/redact.js';
import { S3BundleStore } from './sinks/s3-bundle-store.js';
import { SnsNotifier } from './sinks/sns-notifier.js';

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
const tracer = new Tracer({ serviceName: SERVICE_NAME });

/** The event each schedule sends (see lib/constructs/check-schedules.ts). */
export const scheduledEventSchema = z.object({
  cluster: z.string().min(1, { message: 'expected the name of a watched cluster' }),
  /** The schedule's slot, from the scheduler's `<aws.scheduler.scheduled-time>`; absent on a manual invoke. */
  scheduledTime: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time' }).optional(),
});
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;

/** Time kept back from the collection for what follows it in the invocation (storing, notifying). */
const RESERVE_MS = 15_000;

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: the function must be deployed by the tenant-checker stack`);
  return value;
}

/** What lives as long as the container: the validated config and one client of each kind. */
interface Runtime {
  config: CheckerConfig;
  environment: AwsEnvironment;
}

const dynamodb = new DynamoDBClient({});
let runtime: Runtime | undefined;

/**
 * The config document the stack copied into the function's code at synth (CHECKER_CONFIG_FILE,
 * relative to LAMBDA_TASK_ROOT), validated with the same schema as at synth. The document itself in
 * CHECKER_CONFIG, when set, takes its place (tools and tests; the stack does not set it: the
 * environment holds 4 KB, about 19 clusters).
 */
export function deployedConfig(env: NodeJS.ProcessEnv = process.env): CheckerConfig {
  const inline = env[ENV.config];
  if (inline) return parseConfigText(inline, `environment variable ${ENV.config}`);
  const file = env[ENV.configFile];
  if (!file)
    throw new Error(
      `${ENV.configFile} is not set (nor ${ENV.config}): the function must be deployed by the tenant-checker stack`,
    );
  const path = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path} (${ENV.configFile})`, [
      `(the whole file): cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the stack copies it into the function's code at synth: deploy again`,
    ]);
  }
  return parseConfigText(text, `config file ${path} (${ENV.configFile})`);
}

/**
 * The deployed config, validated once per container, and the AWS clients. DescribeCluster answers are cached per container; every invocation
 * signs a new EKS token.
 */
function containerRuntime(): Runtime {
  if (runtime) return runtime;
  const config = deployedConfig();
  const credentials = fromEnv();
  const eks = new EksClusterAccess(sdkDescribeCluster(), credentials);
  // A cluster of another account is read as its account's role (config `accounts`), assumed once per container.
  const roles = new AssumedRoles({ credentials, region: requiredEnv('AWS_REGION') });
  const credentialsFor = (cluster: ClusterConfig) => roles.credentialsFor(assumedRoleFor(config, cluster));
  runtime = {
    config,
    environment: {
      kind: 'aws',
      connectorFor: (cluster) => new EksConnector(eks, cluster, credentialsFor(cluster)),
      credentials,
      credentialsFor,
      store: new DynamoDbRunStore(dynamodb, requiredEnv(ENV.runsTable)),
      bundles: bundleStore(config, credentials),
      notifier: new SnsNotifier(new SNSClient({}), requiredEnv(ENV.topicArn)),
    },
  };
  return runtime;
}

/**
 * Bundles in S3; the message's link goes to the link service (signed with the KMS HMAC key), so it
 * outlives this invocation's credentials. Without a link service the link is presigned here.
 */
function bundleStore(config: CheckerConfig, credentials: AwsEnvironment['credentials']): BundleStore {
  const bucket = requiredEnv(ENV.bundleBucket);
  const region = requiredEnv('AWS_REGION');
  const inner = new S3BundleStore(new S3Client({}), bucket, {
    linkExpirySeconds: config.bundles.linkExpiry,
    credentials,
  });
  const serviceUrl = process.env[LINK_ENV.serviceUrl];
  const keyId = process.env[LINK_ENV.keyId];
  return new LinkedBundleStore(
    inner,
    { region, bucket, table: requiredEnv(ENV.runsTable) },
    serviceUrl && keyId
      ? {
          url: serviceUrl,
          signer: new KmsLinkSigner({ keyId, region, credentials }),
          lifetimeSeconds: Math.min(config.bundles.linkExpiry, config.bundles.retentionDays * 86_400),
        }
      : undefined,
  );
}

/** The scheduled event, and the watched cluster it names. */
export function readEvent(
  event: unknown,
  config: CheckerConfig,
): ScheduledEvent & { clusterConfig: ClusterConfig } {
  const parsed = scheduledEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`);
    throw new BadEventError(`the event is not a scheduled check: ${problems.join('; ')}`);
  }
  const clusterConfig = findCluster(config, parsed.data.cluster);
  if (!clusterConfig) {
    const watched = config.clusters.map((c) => c.name).join(', ');
    throw new BadEventError(
      `cluster: "${parsed.data.cluster}" is not watched by this deployment (watched: ${watched})`,
    );
  }
  return { ...parsed.data, clusterConfig };
}

/** The Lambda context, with the cycle's result for the middlewares that run after it. */
type CheckContext = Pick<Context, 'getRemainingTimeInMillis'> & { cycle?: CycleResult };

/** One check cycle for the cluster the event names. */
export async function checkCluster(event: unknown, context: CheckContext): Promise<CheckReport> {
  const { config, environment } = containerRuntime();
  const { cluster, scheduledTime, clusterConfig } = readEvent(event, config);
  logger.appendKeys({ cluster });
  const result = await runCycle(await buildPorts(config, clusterConfig, environment), {
    config,
    cluster,
    budgetMs: Math.max(1000, context.getRemainingTimeInMillis() - RESERVE_MS),
    ...(scheduledTime ? { slot: new Date(scheduledTime).toISOString() } : {}),
  });
  context.cycle = result;
  return toReport(result);
}

/**
 * After each cycle: one log line with what it found, one warning per source that could not be read,
 * and the heartbeat metric (its absence for a cluster is the silence alarm).
 */
export function cycleLog(): middy.MiddlewareObj<unknown, CheckReport, Error, Context & CheckContext> {
  return {
    after: (request) => {
      const report = request.response;
      const snapshot = request.context.cycle?.snapshot;
      if (!report || !snapshot) return;
      logger.info('check cycle completed', {
        runId: report.runId,
        errorRate: report.errorRate,
        sustained: report.sustained,
        alert: report.alert.state,
        causes: report.causes.map((c) => `${c.id} ${c.confidence}`),
        notification: report.notification,
      });
      for (const name of SOURCE_NAMES) {
        const result = snapshot[name];
        if (!result.ok)
          logger.warn('source could not be read', {
            source: name,
            kind: result.error.kind,
            error: redact(result.error.message),
          });
      }
      metrics.addDimension('cluster', report.cluster);
      metrics.addMetric(HEARTBEAT_METRIC, MetricUnit.Count, 1);
    },
  };
}

/**
 * A retried delivery of the same scheduled event returns the first result instead of running again
 * (the notify-once claim guards the same thing one level down). Manual invocations without a
 * scheduled time are not deduplicated.
 */
const idempotency = makeHandlerIdempotent({
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: process.env[ENV.runsTable] ?? 'unset',
    awsSdkV3Client: dynamodb,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    staticPkValue: 'IDEMPOTENCY',
    expiryAttr: 'expiresAt',
  }),
  config: new IdempotencyConfig({
    eventKeyJmesPath: 'scheduledTime && [cluster, scheduledTime]',
    throwOnNoIdempotencyKey: false,
    expiresAfterSeconds: 24 * 3600,
  }),
});

export const handler = middy(checkCluster)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(idempotency)
  .use(cycleLog());
