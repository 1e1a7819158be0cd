/**
 * The checker Lambda: the middlewares (tracer, logger, metrics) around one call per scheduled event.
 * EventBridge Scheduler invokes it once per watched cluster with `{ cluster, scheduledTime }`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { fromEnv } from '@aws-sdk/credential-providers';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { sourceStates } from './collect/collect-cluster.js';
import { EksConnector } from './collect/connectors.js';
import { EksClusterAccess, sdkDescribeCluster } from './collect/eks-cluster.js';
import { metricsSourceFor } from './collect/metrics/source.js';
import { type CheckerConfig, findCluster, parseConfigText } from './config.js';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from './constants.js';
import { runCycle } from './cycle.js';
import { BadEventError } from './errors.js';

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

export interface CheckResult {
  cluster: string;
  scheduledTime: string | null;
  /** `collected`: every source was read (or its failure recorded); no diagnosis exists in this version. */
  status: 'collected';
  /** Each source: `ok`, or the kind of its failure. */
  sources: Record<string, string>;
  elapsedMs: number;
  message: string;
}

/** Time kept back from the collection for what follows it in the invocation (storing, notifying). */
const RESERVE_MS = 15_000;

let cachedConfig: CheckerConfig | undefined;
// Per container: DescribeCluster answers are cached here, while every invocation signs a new token.
const credentials = fromEnv();
const eksAccess = new EksClusterAccess(sdkDescribeCluster(), credentials);

/** The config the stack put in the environment, validated once per container with the same schema as at synth. */
function loadConfig(): CheckerConfig {
  if (cachedConfig) return cachedConfig;
  const text = process.env[ENV.config];
  if (text === undefined) {
    throw new Error(`${ENV.config} is not set: the function must be deployed by the tenant-checker stack`);
  }
  cachedConfig = parseConfigText(text, `environment variable ${ENV.config}`);
  return cachedConfig;
}

export function readEvent(event: unknown, config: CheckerConfig): ScheduledEvent {
  const parsed = scheduledEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`);
    throw new BadEventError(`the event is not a scheduled check: ${problems.join('; ')}`);
  }
  if (!findCluster(config, parsed.data.cluster)) {
    const watched = config.clusters.map((c) => c.name).join(', ');
    throw new BadEventError(
      `cluster: "${parsed.data.cluster}" is not watched by this deployment (watched: ${watched})`,
    );
  }
  return parsed.data;
}

export async function checkCluster(
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<CheckResult> {
  const config = loadConfig();
  const { cluster, scheduledTime } = readEvent(event, config);
  logger.appendKeys({ cluster });
  const clusterConfig = findCluster(config, cluster) as NonNullable<ReturnType<typeof findCluster>>;
  const budgetMs = Math.max(1000, context.getRemainingTimeInMillis() - RESERVE_MS);
  const settings = {
    operator: config.operator,
    threshold: config.alert.threshold,
    forSeconds: config.alert.for,
  };
  // The scrape's previous sample is kept by the run store (diagnosis work); until then each scrape is a first one.
  const { snapshot } = await runCycle(
    {
      connector: new EksConnector(eksAccess),
      metrics: (reader) =>
        metricsSourceFor(clusterConfig, settings, { ...(reader ? { reader } : {}), credentials }),
    },
    { config, cluster: clusterConfig, budgetMs },
  );
  const sources = sourceStates(snapshot);
  const failed = Object.entries(sources).filter(([, state]) => state !== 'ok');
  // No diagnosis exists in this version: say what was read, conclude nothing, and emit no heartbeat
  // (the heartbeat counts completed check cycles, and this is not one yet).
  const message = `read ${Object.keys(sources).length - failed.length} of ${Object.keys(sources).length} sources of cluster ${cluster}; diagnosis is not implemented in this version, nothing was concluded`;
  logger.info(message, { scheduledTime, sources, elapsedMs: snapshot.elapsedMs, budgetMs });
  for (const [name] of failed) {
    const result = snapshot[name as keyof typeof snapshot] as {
      ok: false;
      error: { kind: string; status?: number; message: string };
    };
    logger.warn('source could not be read', { source: name, error: result.error });
  }
  return {
    cluster,
    scheduledTime: scheduledTime ?? null,
    status: 'collected',
    sources,
    elapsedMs: snapshot.elapsedMs,
    message,
  };
}

export const handler = middy(checkCluster)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
