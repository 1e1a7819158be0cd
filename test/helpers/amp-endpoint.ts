/**
 * A local Amazon Managed Service for Prometheus query endpoint: it checks the SigV4 signature of
 * every request (service `aps`, the body included) by signing the same request again with the known
 * test credentials, refuses a bad one with 403 as AMP does, and answers a good one from the real
 * Prometheus behind it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsCredentialIdentity } from '@smithy/types';
import { checkSigV4 } from './sigv4-check.js';

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
      const signed = await checkSigV4(req, body, {
        service: 'aps',
        region: options.region,
        // One caller: a request signed with another key is re-signed with this one and fails to match.
        credentialsFor: () => options.credentials,
      });
      if (!signed.ok) return refuse(signed.detail);
      const url = new URL(req.url ?? '/', 'http://placeholder');
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
