/**
 * The ClusterReader port and its HTTPS adapter. Authentication is @kubernetes/client-node's: it reads a
 * KubeConfig as kubectl does (token, client certificate, exec plugins such as `aws eks get-token`) and
 * hands us the TLS material and headers. The requests themselves go through Node's https with a
 * keep-alive agent because every collector needs what the generated API clients do not give: raw
 * paths (pod logs, /livez, the proxies), a timeout per request inside the invocation's budget, a cap
 * on the bytes read, and the failure as a value with the server's status and Retry-After.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { failed, type SourceError, type SourceResult, succeeded } from '../model/source.js';
import { kindForNetworkError, kindForStatus } from './result.js';

export interface ReadOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Per-request timeout; the budget's remaining time caps it further. */
  timeoutMs?: number;
  /** Bytes read before the response is abandoned as too large (bounded memory). */
  maxBytes?: number;
  accept?: string;
  headers?: Record<string, string>;
}

/** Reads the Kubernetes API. Every method resolves; failures are values. */
export interface ClusterReader {
  readonly server: string;
  getJson<T>(path: string, options?: ReadOptions): Promise<SourceResult<T>>;
  getText(path: string, options?: ReadOptions): Promise<SourceResult<string>>;
  postJson<T>(path: string, body: unknown, options?: ReadOptions): Promise<SourceResult<T>>;
  /** A 2xx or 5xx answer is a success here (a /readyz 500 lists the failing checks); 4xx and no answer fail. */
  probe(path: string, options?: ReadOptions): Promise<SourceResult<HttpAnswer>>;
  /** Releases the reader's connections; the collection closes it when done. */
  close(): void;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Where a reader connects and how it proves who it is. */
export interface ReaderTarget {
  server: string;
  headers: Record<string, string>;
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  skipTLSVerify?: boolean;
  servername?: string;
}

/** The time one invocation may spend collecting, shared by every request of the cycle. */
export class Budget {
  constructor(
    readonly deadline: number,
    private readonly clock: () => number = Date.now,
  ) {}

  static forMs(ms: number, clock: () => number = Date.now): Budget {
    return new Budget(clock() + ms, clock);
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - this.clock());
  }
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

interface Transport {
  agent: http.Agent;
  headers: Record<string, string>;
  module: typeof http | typeof https;
}

export class HttpsClusterReader implements ClusterReader {
  private constructor(
    readonly server: string,
    private readonly transport: Transport,
    private readonly budget: Budget,
  ) {}

  /** A reader for the KubeConfig's current context, authenticated as kubectl would be. */
  /** A reader for one endpoint, with its CA, client certificate and headers (an EKS token, say). */
  static create(target: ReaderTarget, budget: Budget): HttpsClusterReader {
    const secure = target.server.startsWith('https:');
    const agent = secure
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 16,
          ...(target.ca ? { ca: target.ca } : {}),
          ...(target.cert ? { cert: target.cert } : {}),
          ...(target.key ? { key: target.key } : {}),
          rejectUnauthorized: !target.skipTLSVerify,
          ...(target.servername ? { servername: target.servername } : {}),
        })
      : new http.Agent({ keepAlive: true, maxSockets: 16 });
    return new HttpsClusterReader(
      target.server.replace(/\/+$/, ''),
      { agent, headers: target.headers, module: secure ? https : http },
      budget,
    );
  }

  /** A reader for the KubeConfig's current context, authenticated as kubectl would be. */
  static async fromKubeConfig(kubeConfig: KubeConfig, budget: Budget): Promise<HttpsClusterReader> {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const options: https.RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(options);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.headers ?? {})) {
      if (typeof value === 'string') headers[key] = value;
    }
    if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    return HttpsClusterReader.create(
      {
        server: cluster.server,
        headers,
        ...(options.ca ? { ca: options.ca as Buffer } : {}),
        ...(options.cert ? { cert: options.cert as Buffer } : {}),
        ...(options.key ? { key: options.key as Buffer } : {}),
        ...(cluster.skipTLSVerify ? { skipTLSVerify: true } : {}),
        ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
      },
      budget,
    );
  }

  async getJson<T>(path: string, options: ReadOptions = {}): Promise<SourceResult<T>> {
    const result = await this.request('GET', path, undefined, { accept: 'application/json', ...options });
    return parseJson<T>(result);
  }

  getText(path: string, options: ReadOptions = {}): Promise<SourceResult<string>> {
    return this.request('GET', path, undefined, { accept: 'text/plain, */*', ...options });
  }

  async postJson<T>(path: string, body: unknown, options: ReadOptions = {}): Promise<SourceResult<T>> {
    const result = await this.request('POST', path, JSON.stringify(body), {
      accept: 'application/json',
      ...options,
    });
    return parseJson<T>(result);
  }

  async probe(path: string, options: ReadOptions = {}): Promise<SourceResult<HttpAnswer>> {
    const answer = await this.send('GET', path, undefined, { accept: 'text/plain, */*', ...options });
    // A 4xx says nothing of the server's health, only of our access to it: that stays an error.
    if (answer.ok && answer.data.status >= 400 && answer.data.status < 500) {
      return failed(
        httpError('GET', path, answer.data.status, answer.data.body, answer.data.retryAfter),
        answer.elapsedMs,
      );
    }
    return answer;
  }

  /** Releases the keep-alive sockets (a CLI run must be able to exit). */
  close(): void {
    this.transport.agent.destroy();
  }

  private async request(
    method: string,
    path: string,
    body: string | undefined,
    options: ReadOptions,
  ): Promise<SourceResult<string>> {
    const answer = await this.send(method, path, body, options);
    if (!answer.ok) return answer;
    const { status, body: text } = answer.data;
    if (status >= 200 && status < 300) return succeeded(text, answer.elapsedMs);
    return failed(httpError(method, path, status, text, answer.data.retryAfter), answer.elapsedMs);
  }

  private send(
    method: string,
    path: string,
    body: string | undefined,
    options: ReadOptions,
  ): Promise<SourceResult<HttpAnswer & { retryAfter?: string }>> {
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    const timeoutMs = Math.min(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, this.budget.remainingMs());
    if (timeoutMs <= 0) {
      return Promise.resolve(
        failed(
          { kind: 'timeout', message: `not sent: the collection budget was spent (${method} ${path})` },
          0,
        ),
      );
    }
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      ...this.transport.headers,
      Accept: options.accept ?? 'application/json',
      'User-Agent': 'tenant-checker',
      ...options.headers,
    };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }

    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: SourceResult<HttpAnswer & { retryAfter?: string }>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = this.transport.module.request(
        url,
        { method, headers, agent: this.transport.agent },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              response.destroy();
              request.destroy();
              finish(
                failed(
                  {
                    kind: 'bad-response',
                    status: response.statusCode,
                    message: `${method} ${url.pathname}: response larger than ${maxBytes} bytes, not read`,
                  },
                  elapsed(),
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', (error: NodeJS.ErrnoException) =>
            finish(
              failed(
                { kind: kindForNetworkError(error), message: `${method} ${url.pathname}: ${error.message}` },
                elapsed(),
              ),
            ),
          );
          response.on('end', () => {
            const retryAfter = response.headers['retry-after'];
            finish(
              succeeded(
                {
                  status: response.statusCode ?? 0,
                  body: Buffer.concat(chunks).toString('utf8'),
                  ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
                },
                elapsed(),
              ),
            );
          });
        },
      );
      const timer = setTimeout(() => {
        request.destroy();
        finish(
          failed(
            { kind: 'timeout', message: `${method} ${url.pathname}: no answer within ${timeoutMs} ms` },
            elapsed(),
          ),
        );
      }, timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) =>
        finish(
          failed(
            {
              kind: kindForNetworkError(error),
              message: `${method} ${url.pathname}: ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' '),
            },
            elapsed(),
          ),
        ),
      );
      request.end(body);
    });
  }
}

/** The error for a non-2xx answer, with the Kubernetes Status message when the body is one. */
function httpError(
  method: string,
  path: string,
  status: number,
  body: string,
  retryAfter: string | undefined,
): SourceError {
  let detail = body.slice(0, 300).trim();
  try {
    const parsed = JSON.parse(body) as { kind?: string; message?: string };
    if (parsed.kind === 'Status' && parsed.message) detail = parsed.message;
  } catch {
    // not a Status object: keep the start of the body
  }
  const error: SourceError = {
    kind: kindForStatus(status),
    status,
    message: `${method} ${path}: HTTP ${status}${detail ? `: ${detail}` : ''}`,
  };
  const seconds = Number(retryAfter);
  if (status === 429 && retryAfter !== undefined && Number.isFinite(seconds))
    error.retryAfterSeconds = seconds;
  return error;
}

function parseJson<T>(result: SourceResult<string>): SourceResult<T> {
  if (!result.ok) return result;
  try {
    return succeeded(JSON.parse(result.data) as T, result.elapsedMs);
  } catch (error) {
    return failed(
      { kind: 'bad-response', message: `invalid JSON: ${(error as Error).message}` },
      result.elapsedMs,
    );
  }
}
