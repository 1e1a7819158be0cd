/**
 * A local Amazon Managed Service for Prometheus query endpoint: it checks the SigV4 signature of
 * every request (service `aps`, the body included) by signing the same request again with the known
 * test credentials, refuses a bad one with 403 as AMP does, and answers a good one from the real
 * Prometheus behind it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface AmpEndpoint {
  url: string;
  verified: number;
  refused: string[];
  close(): Promise<void>;
}

export async function startAmpEndpoint(options: {
  workspaceId: string;
  region: string;
  credentials: AwsCredentialIdentity;
  prometheusUrl: string;
}): Promise<AmpEndpoint> {
  const endpoint: AmpEndpoint = { url: '', verified: 0, refused: [], close: async () => undefined };
  const signer = new SignatureV4({
    service: 'aps',
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const refuse = (why: string) => {
        endpoint.refused.push(why);
        res.writeHead(403, {
          'Content-Type': 'application/json',
          'x-amzn-ErrorType': 'AccessDeniedException',
        });
        res.end(JSON.stringify({ message: why }));
      };
      const authorization = req.headers.authorization ?? '';
      const m =
        /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/aps\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
          authorization,
        );
      if (!m) return refuse('missing or malformed SigV4 authorization for service aps');
      const [, , , region, signedHeaders, signature] = m as unknown as string[];
      if (region !== options.region) return refuse(`signed for region ${region}, not ${options.region}`);
      const amzDate = String(req.headers['x-amz-date'] ?? '');
      const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
      if (!d) return refuse('missing X-Amz-Date');
      const signingDate = new Date(
        Date.UTC(
          +(d[1] as string),
          +(d[2] as string) - 1,
          +(d[3] as string),
          +(d[4] as string),
          +(d[5] as string),
          +(d[6] as string),
        ),
      );
      if (Math.abs(Date.now() - signingDate.getTime()) > 5 * 60_000)
        return refuse('request signed more than 5 minutes away from now');
      const headers: Record<string, string> = {};
      for (const name of (signedHeaders as string).split(';'))
        headers[name] = String(req.headers[name] ?? '');
      const url = new URL(req.url ?? '/', 'http://placeholder');
      const again = await signer.sign(
        new HttpRequest({
          method: req.method ?? 'POST',
          protocol: 'http:',
          hostname: headers.host?.split(':')[0] ?? '',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers,
          body,
        }),
        { signingDate },
      );
      const expected = /Signature=([0-9a-f]{64})/.exec(String(again.headers.authorization))?.[1];
      if (expected !== signature)
        return refuse('The request signature we calculated does not match the signature you provided.');
      const path = url.pathname.replace(`/workspaces/${options.workspaceId}`, '');
      if (path === url.pathname) return refuse(`no such workspace in ${url.pathname}`);
      endpoint.verified++;
      const upstream = await fetch(`${options.prometheusUrl}${path}${url.search}`, {
        method: req.method ?? 'POST',
        headers: {
          'Content-Type': String(req.headers['content-type'] ?? 'application/x-www-form-urlencoded'),
        },
        ...(req.method === 'POST' ? { body } : {}),
      });
      res.writeHead(upstream.status, { 'Content-Type': 'application/json' });
      res.end(await upstream.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return endpoint;
}
