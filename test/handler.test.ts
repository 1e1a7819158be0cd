import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../lambda/config.js';

const document = {
  region: 'eu-west-1',
  clusters: [
    { name: 'prod-eks-1', region: 'eu-west-1' },
    { name: 'staging-eks', region: 'eu-west-1' },
  ],
};

/** A context like the one Lambda passes, with the remaining time the handler may spend. */
function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'TenantReconciliationChecker-Function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:TenantReconciliationChecker-Function',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/checker',
    logStreamName: '2026/11/26/[$LATEST]abc',
    getRemainingTimeInMillis: () => 119_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function freshHandler() {
  vi.resetModules();
  return (await import('../lambda/handler.js')).handler;
}

describe('the checker handler', () => {
  let output: string[];

  beforeEach(() => {
    output = [];
    // POWERTOOLS_DEV makes the logger and metrics write through the global console, which we read.
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        output.push(args.map(String).join(' '));
      });
    }
    process.env.CHECKER_CONFIG = loadConfig(document, 'test').runtimeDocument;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    delete process.env.CHECKER_CONFIG;
  });

  it('says plainly that it checked nothing, and claims no completed cycle', async () => {
    const handler = await freshHandler();
    const result = await handler(
      { cluster: 'prod-eks-1', scheduledTime: '2026-11-26T14:05:00Z' },
      lambdaContext(),
    );
    expect(result).toEqual({
      cluster: 'prod-eks-1',
      scheduledTime: '2026-11-26T14:05:00Z',
      status: 'not-checked',
      message: 'no check cycle is implemented in this version: nothing was read from cluster prod-eks-1',
    });
    const logs = output.join('\n').replace(/\s+/g, '');
    expect(logs).toContain('"level":"WARN"');
    expect(logs).toContain('"cluster":"prod-eks-1"');
    expect(logs).toContain('"function_request_id":"c6af9ac6-7b61-11e6-9a41-93e812345678"');
    // The heartbeat counts completed cycles only: none happened.
    expect(logs).not.toContain('CheckCycleCompleted');
  });

  it.each([
    [
      'no cluster',
      {},
      'the event is not a scheduled check: cluster: Invalid input: expected string, received undefined',
    ],
    [
      'a bad time',
      { cluster: 'prod-eks-1', scheduledTime: 'yesterday' },
      'scheduledTime: expected an ISO 8601 time',
    ],
    [
      'an unwatched cluster',
      { cluster: 'dev' },
      'cluster: "dev" is not watched by this deployment (watched: prod-eks-1, staging-eks)',
    ],
  ])('refuses an event with %s, naming the field', async (_what, event, message) => {
    const handler = await freshHandler();
    await expect(handler(event, lambdaContext())).rejects.toThrow(message);
  });

  it('refuses to run without the config the stack sets', async () => {
    delete process.env.CHECKER_CONFIG;
    const handler = await freshHandler();
    await expect(handler({ cluster: 'prod-eks-1' }, lambdaContext())).rejects.toThrow(
      /CHECKER_CONFIG is not set/,
    );
  });

  it('refuses a config that does not validate, naming the field', async () => {
    process.env.CHECKER_CONFIG = JSON.stringify({ clusters: [{ name: 'prod-eks-1', region: 'mars' }] });
    const handler = await freshHandler();
    await expect(handler({ cluster: 'prod-eks-1' }, lambdaContext())).rejects.toThrow(
      /environment variable CHECKER_CONFIG is not a valid checker configuration:\n {2}- clusters\[0\]\.region: expected an AWS region/,
    );
  });
});
