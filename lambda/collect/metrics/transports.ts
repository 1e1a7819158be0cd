/**
 * How a Prometheus query reaches the server: Amazon Managed Service for Prometheus with a SigV4
 * signature over the whole request, body included (service `aps`), or an in-cluster Prometheus
 * through the API server's service proxy with the checker's Kubernetes credentials.
 */
import http from 'node:http';
import https from 'node:https';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterReader } from '../cluster-reader.js';
import { failed, kindForNetworkError, kindForStatus, succeeded } from '../result.js';
import type { PrometheusTransport } from './prometheus-api.js';

export function ampEndpoint(region: string): string {
  return `https://aps-workspaces.${region}.amazonaws.com`;
}

export interface AmpOptions {
  workspaceId: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** Another endpoint (a VPC endpoint's DNS name, or a local test server); defaults to the regional one. */
  endpoint?: string;
  timeoutMs?: number;
}

/** POSTs the query as a form, signed with SigV4 for `aps`; the payload's hash is part of the signature. */
export function ampTransport(options: AmpOptions): PrometheusTransport {
  const base = new URL(options.endpoint ?? ampEndpoint(options.region));
  const signer = new SignatureV4({
    service: 'aps',
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const secure = base.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  return async (path, params) => {
    const started = Date.now();
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
        Date.now() - started,
      );
    }
    return new Promise((resolve) => {
      const req = (secure ? https : http).request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port || undefined,
          path: fullPath,
          method: 'POST',
          headers: signed.headers,
          agent,
          timeout: options.timeoutMs ?? 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(succeeded(text, Date.now() - started));
            else {
              const retryAfter = Number(res.headers['retry-after']);
              resolve(
                failed(
                  {
                    kind: kindForStatus(status),
                    status,
                    message: `AMP ${path}: HTTP ${status}: ${text.slice(0, 300)}`,
                    ...(status === 429 && Number.isFinite(retryAfter)
                      ? { retryAfterSeconds: retryAfter }
                      : {}),
                  },
                  Date.now() - started,
                ),
              );
            }
          });
        },
      );
      req.on('timeout', () => {
        req.destroy();
        resolve(
          failed(
            { kind: 'timeout', message: `AMP ${path}: no answer within ${options.timeoutMs ?? 10_000} ms` },
            Date.now() - started,
          ),
        );
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        resolve(
          failed(
            { kind: kindForNetworkError(error), message: `AMP ${path}: ${error.message}` },
            Date.now() - started,
          ),
        ),
      );
      req.end(body);
    });
  };
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
