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
import middy from '@middy/core';
import { z } from 'zod';
import { type CheckerConfig, findCluster, parseConfigText } from './config.js';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from './constants.js';
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
  /** `not-checked`: this version has no check cycle yet; nothing was read and nothing is claimed. */
  status: 'not-checked';
  message: string;
}

let cachedConfig: CheckerConfig | undefined;

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

export async function checkCluster(event: unknown): Promise<CheckResult> {
  const config = loadConfig();
  const { cluster, scheduledTime } = readEvent(event, config);
  logger.appendKeys({ cluster });
  // No check cycle exists in this version. Say so plainly rather than report a health we did not
  // observe; the heartbeat metric is not emitted, so the silence alarm tells the same truth.
  const message = `no check cycle is implemented in this version: nothing was read from cluster ${cluster}`;
  logger.warn(message, { scheduledTime });
  return { cluster, scheduledTime: scheduledTime ?? null, status: 'not-checked', message };
}

export const handler = middy(checkCluster)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
