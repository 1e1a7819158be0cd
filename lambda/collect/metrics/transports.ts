/**
 * How a Prometheus query reaches the server: Amazon Managed Service for Prometheus with a SigV4
 * signature over the whole request, body included (service `aps`), or an in-cluster Prometheus
 * through the API server's service proxy with the checker's Kubernetes credentials.
 */
import http from 'node:http';
import https from 'node:https';
import type { HttpRequest } from '@smithy/protocol-http';
import type { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ampEndpointUrl } from '../../aws-partition.js';
import { failed, type SourceResult, succeeded } from '../../model/source.js';
import type { ClusterReader } from '../cluster-reader.js';
import { kindForNetworkError, kindForStatus } from '../result.js';
import type { PrometheusTransport } from './prometheus-api.js';

/** The regional AMP endpoint, in the region's partition. */
export function ampEndpoint(region: string): string {
  return ampEndpointUrl(region);
}

export interface AmpOptions {
  workspaceId: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** Another endpoint (a VPC endpoint's DNS name, or a local test server); defaults to the regional one. */
  endpoint?: string;
  timeoutMs?: number;
}

/**
 * One HTTP exchange with a Prometheus-compatible server, as a value: the body on a 2xx, otherwise the
 * status (with Retry-After on a 429), a timeout or the network error. `label` names the server in messages.
 */
function httpCall(
  url: URL,
  request: {
    method: 'GET' | 'POST';
    headers: Record<string, string>;
    body?: string;
    timeoutMs: number;
    agent?: http.Agent;
    label: string;
  },
): Promise<SourceResult<string>> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const where = `${request.label}${url.pathname}`;
  return new Promise((resolve) => {
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: request.method,
        headers: request.headers,
        timeout: request.timeoutMs,
        ...(request.agent ? { agent: request.agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(succeeded(text, elapsed()));
          const retryAfter = Number(res.headers['retry-after']);
          resolve(
            failed(
              {
                kind: kindForStatus(status),
                status,
                message: `${where}: HTTP ${status}: ${text.slice(0, 300)}`,
                ...(status === 429 && Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
              },
              elapsed(),
            ),
          );
        });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve(
        failed({ kind: 'timeout', message: `${where}: no answer within ${request.timeoutMs} ms` }, elapsed()),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(failed({ kind: kindForNetworkError(error), message: `${where}: ${error.message}` }, elapsed())),
    );
    req.end(request.body);
  });
}

/** POSTs the query as a form, signed with SigV4 for `aps`; the payload's hash is part of the signature. */
export function ampTransport(options: AmpOptions): PrometheusTransport {
  const base = new URL(options.endpoint ?? ampEndpoint(options.region));
  // The signer is loaded on the first query: the CLI starts without it unless the source is AMP.
  let signing: Promise<{ signer: SignatureV4; HttpRequest: typeof HttpRequest }> | undefined;
  const loadSigner = async () => {
    const [{ Hash }, { HttpRequest }, { SignatureV4 }] = await Promise.all([
      import('@smithy/hash-node'),
      import('@smithy/protocol-http'),
      import('@smithy/signature-v4'),
    ]);
    const signer = new SignatureV4({
      service: 'aps',
      region: options.region,
      credentials: options.credentials,
      sha256: Hash.bind(null, 'sha256'),
    });
    return { signer, HttpRequest };
  };
  const agent =
    base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  return async (path, params) => {
    signing ??= loadSigner();
    const { signer, HttpRequest } = await signing;
    const body = new URLSearchParams(params).toString();
    const fullPath = `${base.pathname.replace(/\/$/, '')}/workspaces/${options.workspaceId}${path}`;
    const request = new HttpRequest({
      method: 'POST',
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path: fullPath,
      headers: {
        host: base.host,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    });
    let signed: HttpRequest;
    try {
      signed = (await signer.sign(request)) as HttpRequest;
    } catch (error) {
      return failed(
        {
          kind: 'unauthorized',
          message: `AMP: no AWS credentials to sign with: ${(error as Error).message}`,
        },
        0,
      );
    }
    return httpCall(new URL(fullPath, base), {
      method: 'POST',
      headers: signed.headers,
      body,
      timeoutMs: options.timeoutMs ?? 10_000,
      agent,
      label: 'AMP ',
    });
  };
}

/** A Prometheus server's URL, as a laptop reaches it (`--prometheus-url`, or a port-forward). */
export function urlTransport(baseUrl: string, timeoutMs = 15_000): PrometheusTransport {
  const base = new URL(baseUrl);
  return (path, params) =>
    httpCall(new URL(`${base.pathname.replace(/\/$/, '')}${path}?${new URLSearchParams(params)}`, base), {
      method: 'GET',
      headers: { Accept: 'application/json' },
      timeoutMs,
      label: base.host,
    });
}

export interface InClusterPrometheus {
  namespace: string;
  service: string;
  port: number | string;
  scheme: 'http' | 'https';
  pathPrefix: string;
}

/** GETs the query through `/api/v1/namespaces/NS/services/SCHEME:SVC:PORT/proxy/...` on the API server. */
export function serviceProxyTransport(
  reader: ClusterReader,
  target: InClusterPrometheus,
): PrometheusTransport {
  const base = `/api/v1/namespaces/${target.namespace}/services/${target.scheme}:${target.service}:${target.port}/proxy${target.pathPrefix}`;
  return (path, params) =>
    reader.getText(`${base}${path}`, { query: params, accept: 'application/json', timeoutMs: 15_000 });
}
