// A Lambda function URL for a synthesized function bundle, on this machine: it loads the bundle as
// the Lambda runtime does (ESM, nothing else on the path, the function's environment) and turns each
// HTTP request into the URL's event (payload format 2.0) and the handler's answer back into HTTP.
// Usage: node function-url.mjs <bundle/index.mjs>   (environment: the function's); prints "@@LISTENING <port>".
import { randomUUID } from 'node:crypto';
import http from 'node:http';

const [bundle] = process.argv.slice(2);
const { handler } = await import(bundle);
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'localfunctionurl',
      domainName: req.headers.host,
      domainPrefix: 'localfunctionurl',
      http: {
        method: req.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress,
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body.length > 0
      ? { body: body.toString('base64'), isBase64Encoded: true }
      : { isBase64Encoded: false }),
  };
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/links',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
  };
  try {
    const answer = await handler(event, context);
    res.writeHead(answer.statusCode ?? 200, answer.headers ?? {});
    res.end(answer.isBase64Encoded ? Buffer.from(answer.body ?? '', 'base64') : (answer.body ?? ''));
  } catch (error) {
    // What a function URL answers when the function itself fails.
    process.stdout.write(
      `@@FUNCTION_ERROR ${JSON.stringify({ name: error.name, message: error.message })}\n`,
    );
    res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end('{"Message":"Internal Server Error"}');
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`@@LISTENING ${server.address().port}\n`));
