/**
 * The soak's world, in its own process: the clusters (one simulator each), DynamoDB (dynalite behind a
 * proxy that can answer as a throttled table) and SNS (fauxqs, a queue subscribed). The checker's
 * process then holds only the checker, so its heap, RSS and descriptors are its own, and the servers
 * use the machine's other core. Driven over IPC by harness.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthyCluster, insecureMetrics } from '../../sim/kube/fixtures.js';
import { type Fault, type RawResponse, type Simulator, startSimulator } from '../../sim/kube/server.js';
import { startSns } from '../helpers/aws-local.js';
import { startDynamo } from '../helpers/dynalite.js';

/** A fault as it crosses the process boundary: a pattern as its source. */
export type WireFault = Omit<Fault, 'path'> & { path: string | { regexp: string } };

export type WorldRequest =
  | { type: 'start'; id: number; clusters: number }
  | { type: 'set'; id: number; cluster: number; faults: WireFault[]; raw: Record<string, RawResponse> }
  | { type: 'throttle'; id: number; cluster: number; on: boolean }
  | { type: 'received'; id: number }
  | { type: 'close'; id: number };

export interface WorldStarted {
  clusters: { url: string; kubeconfigPath: string }[];
  /** DynamoDB for each cluster's invocations (its own proxy: a hot partition throttles one cluster), and direct. */
  dynamo: { proxies: string[]; direct: string };
  sns: { endpoint: string; topicArn: string };
}

/** DynamoDB through a proxy that answers as a throttled table while `throttled` is set. */
async function throttlingProxy(target: string) {
  const state = { throttled: false };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.throttled) {
        res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': 'soak' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message: 'The level of configured provisioned throughput for the table was exceeded.',
          }),
        );
        return;
      }
      const forward = http.request(
        `${target}${req.url ?? '/'}`,
        { method: req.method, headers: req.headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        res.writeHead(500);
        res.end(String(error));
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sims: Simulator[] = [];
const proxies: Awaited<ReturnType<typeof throttlingProxy>>[] = [];
let dynamo: Awaited<ReturnType<typeof startDynamo>> | undefined;
let sns: Awaited<ReturnType<typeof startSns>> | undefined;

const reply = (id: number, body: unknown = {}) => process.send?.({ id, body });

process.on('message', async (message: WorldRequest) => {
  try {
    switch (message.type) {
      case 'start': {
        for (let i = 0; i < message.clusters; i++)
          // The soak's clusters scrape through the API server's proxy: operators run with --metrics-secure=false.
          sims.push(await startSimulator(insecureMetrics(healthyCluster({ tenants: 8, nodes: 2 }))));
        dynamo = await startDynamo('soak-unused');
        for (let i = 0; i < message.clusters; i++) proxies.push(await throttlingProxy(dynamo.endpoint));
        sns = await startSns('soak-notifications');
        const started: WorldStarted = {
          clusters: sims.map((s) => ({ url: s.url, kubeconfigPath: s.kubeconfigPath })),
          dynamo: { proxies: proxies.map((p) => p.url), direct: dynamo.endpoint },
          sns: { endpoint: sns.endpoint, topicArn: sns.topicArn },
        };
        return reply(message.id, started);
      }
      case 'set': {
        const sim = sims[message.cluster] as Simulator;
        sim.fixture.faults = message.faults.map((f) => ({
          ...f,
          path: typeof f.path === 'string' ? f.path : new RegExp(f.path.regexp),
        }));
        sim.fixture.raw = message.raw;
        // The simulator records every request for tests that look at them; a soak has no use for them.
        sim.requests.length = 0;
        return reply(message.id);
      }
      case 'throttle':
        (proxies[message.cluster] as (typeof proxies)[number]).state.throttled = message.on;
        return reply(message.id);
      case 'received':
        return reply(message.id, (await sns?.received()) ?? []);
      case 'close':
        for (const s of sims) await s.close();
        for (const p of proxies) await p.close();
        await dynamo?.close();
        await sns?.close();
        reply(message.id);
        process.disconnect?.();
        return;
    }
  } catch (error) {
    reply(message.id, { error: String(error) });
  }
});
