/**
 * One warm Lambda container of the fleet simulation: a process that imports the checker's handler once
 * (its module state — the validated config, the SDK clients, DescribeCluster answers — lives as long as
 * the process, as in a container) and runs the invocations the parent sends, one at a time, as Lambda
 * gives a container one event at a time. Its peak memory is the function's. Driven by test/fleet.test.ts.
 */
import { lambdaContext } from '../helpers/lambda-context.js';

export type ContainerRequest =
  | { type: 'invoke'; id: number; event: { cluster: string; scheduledTime: string } }
  | { type: 'stats'; id: number };

export interface InvokeAnswer {
  ms: number;
  result?: { runId: string; alert: { state: string }; notification: { status: string } | null };
  error?: string;
}

export interface StatsAnswer {
  /** Peak resident set of the process, in MiB (what Lambda's "Max Memory Used" reports). */
  maxRssMb: number;
  heapMb: number;
  invocations: number;
}

const started = performance.now();
const { handler } = await import('../../lambda/handler.js');
const initMs = performance.now() - started;
let invocations = 0;

const context = () =>
  lambdaContext({
    callbackWaitsForEmptyEventLoop: false,
    awsRequestId: crypto.randomUUID(),
    logStreamName: 'fleet',
  });

process.on('message', async (request: ContainerRequest) => {
  if (request.type === 'stats') {
    const answer: StatsAnswer = {
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      heapMb: process.memoryUsage().heapUsed / 2 ** 20,
      invocations,
    };
    process.send?.({ id: request.id, body: answer });
    return;
  }
  invocations++;
  const t = performance.now();
  let answer: InvokeAnswer;
  try {
    const result = (await handler(request.event, context())) as InvokeAnswer['result'];
    answer = { ms: performance.now() - t, result };
  } catch (error) {
    answer = { ms: performance.now() - t, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
  process.send?.({ id: request.id, body: answer });
});
process.send?.({ id: 0, body: { ready: true, initMs } });
