/**
 * A local stand-in for the EKS API's DescribeCluster (there is no local EKS): it answers
 * `GET /clusters/{name}` as EKS does, with the simulator's address and CA. The AWS SDK is pointed at
 * it with AWS_ENDPOINT_URL_EKS, so the real client, its serializer and its SigV4 signing are used.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EksEndpoint {
  url: string;
  requests: { path: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startEksEndpoint(
  clusters: Record<string, { endpoint: string; caPem: string; resourcesVpcConfig?: Record<string, unknown> }>,
): Promise<EksEndpoint> {
  const requests: EksEndpoint['requests'] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({
      path,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const name = decodeURIComponent(/^\/clusters\/([^/?]+)/.exec(path)?.[1] ?? '');
    const cluster = clusters[name];
    res.setHeader('Content-Type', 'application/json');
    if (req.method !== 'GET' || !cluster) {
      res.statusCode = 404;
      res.setHeader('x-amzn-ErrorType', 'ResourceNotFoundException');
      res.end(JSON.stringify({ message: `No cluster found for name: ${name}.` }));
      return;
    }
    res.end(
      JSON.stringify({
        cluster: {
          name,
          arn: `arn:aws:eks:eu-west-1:123456789012:cluster/${name}`,
          endpoint: cluster.endpoint,
          certificateAuthority: { data: Buffer.from(cluster.caPem).toString('base64') },
          status: 'ACTIVE',
          version: '1.31',
          accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
          ...(cluster.resourcesVpcConfig ? { resourcesVpcConfig: cluster.resourcesVpcConfig } : {}),
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
