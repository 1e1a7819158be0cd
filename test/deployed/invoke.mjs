// Loads the synthesized Lambda bundle as the Lambda runtime does (ESM, no source maps, nothing but the
// bundle on the path) and invokes its handler with one event and a Lambda-like context.
// Usage: node invoke.mjs <bundle/index.mjs> '<event json>'   (environment: the function's)
const [bundle, eventJson] = process.argv.slice(2);
const started = performance.now();
const { handler } = await import(bundle);
const initMs = performance.now() - started;
const deadline = Date.now() + 120_000;
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: crypto.randomUUID(),
  logGroupName: '/aws/lambda/checker',
  logStreamName: '2026/11/26/[$LATEST]local',
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
try {
  const result = await handler(JSON.parse(eventJson), context);
  process.stdout.write(`\n@@RESULT ${JSON.stringify({ initMs, result })}\n`);
} catch (error) {
  process.stdout.write(`\n@@ERROR ${JSON.stringify({ initMs, name: error.name, message: error.message })}\n`);
  process.exitCode = 1;
}
