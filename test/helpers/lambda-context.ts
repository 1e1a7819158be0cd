import type { Context } from 'aws-lambda';

/**
 * A context like the one Lambda passes the checker's function: its name, 512 MB, and the time left
 * of a 120 s timeout counted from now, unless the test says otherwise.
 */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  const deadline = Date.now() + 120_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'TenantReconciliationChecker-Function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:TenantReconciliationChecker-Function',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/checker',
    logStreamName: '2026/12/02/[$LATEST]checker',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
