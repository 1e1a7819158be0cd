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
import tls from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { failed, type SourceError, type SourceResult, succeeded } from '../model/source.js';
import { kindForNetworkError, kindForStatus } from './result.js';
import {
  DEFAULT_RETRY_POLICY,
  isIdempotentRead,
  parseRetryAfter,
  planRetry,
  type RetryPolicy,
  type TryFailure,
} from './retry.js';
import { recordRead } from './source-log.js';

export interface ReadOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Per-request timeout; the budget's remaining time caps it further. */
  timeoutMs?: number;
  /** Bytes read before the response is abandoned as too large (bounded memory). */
  maxBytes?: number;
  accept?: string;
  headers?: Record<string, string>;
  /**
   * Past `maxBytes`, keep reading and keep the newest bytes (from the first whole line) instead of
   * abandoning the response: for a log's tail, where the newest lines are the ones that matter.
   */
  keepNewest?: boolean;
}

/** Reads the Kubernetes API. Every method resolves; failures are values. */
export interface ClusterReader {
  readonly server: string;
  getJson<T>(path: string, options?: ReadOptions): Promise<SourceResult<T>>;
  getText(path: string, options?: ReadOptions): Promise<SourceResult<string>>;
  postJson<T>(path: string, body: unknown, options?: ReadOptions): Promise<SourceResult<T>>;
  /** A 2xx or 5xx answer is a success here (a /readyz 500 lists the failing checks); 4xx and no answer fail. */
  probe(path: string, options?: ReadOptions): Promise<SourceResult<HttpAnswer>>;
  /**
   * The bearer token the reader authenticates with (an EKS token, a kubeconfig's token or exec
   * plugin's), for an endpoint that accepts the same identity (the operator's metrics, through
   * TokenReview); undefined with a client certificate or basic auth.
   */
  bearerToken(): string | undefined;
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
  server: string;
  agent: http.Agent;
  headers: Record<string, string>;
  module: typeof http | typeof https;
}

export interface ReaderOptions {
  retry?: Partial<RetryPolicy>;
  /**
   * Asked once per reader when the endpoint fails as a replaced cluster's would (TLS, 401, no
   * connection): a new target (the cluster described again) to retry on, or undefined if nothing changed.
   */
  refresh?: () => Promise<ReaderTarget | undefined>;
}

function transportFor(target: ReaderTarget): Transport {
  const secure = target.server.startsWith('https:');
  // One TLS context for the reader's connections: the agent would otherwise parse the CA (and the
  // client certificate) again for every socket it opens, up to 16 per collection.
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        maxSockets: 16,
        secureContext: tls.createSecureContext({
          ...(target.ca ? { ca: target.ca } : {}),
          ...(target.cert ? { cert: target.cert } : {}),
          ...(target.key ? { key: target.key } : {}),
        }),
        rejectUnauthorized: !target.skipTLSVerify,
        ...(target.servername ? { servername: target.servername } : {}),
      })
    : new http.Agent({ keepAlive: true, maxSockets: 16 });
  return {
    server: target.server.replace(/\/+$/, ''),
    agent,
    headers: target.headers,
    module: secure ? https : http,
  };
}

/** One try's outcome: the answer, or the error with what the retry decision needs. */
type Try =
  | { ok: true; answer: HttpAnswer & { retryAfter?: string; truncated?: string } }
  | { ok: false; error: SourceError; failure: TryFailure };

/** Failures that a replaced cluster gives at its old endpoint: worth describing the cluster again. */
const endpointTrouble = (error: SourceError) =>
  error.kind === 'tls' || error.kind === 'unreachable' || error.status === 401;

export class HttpsClusterReader implements ClusterReader {
  private transport: Transport;
  /** Bumped when the target is replaced: a try sent on an older one is retried on the new one. */
  private generation = 0;
  private refreshing: Promise<boolean> | undefined;
  private readonly retired: http.Agent[] = [];
  private readonly policy: RetryPolicy;

  private constructor(
    target: ReaderTarget,
    private readonly budget: Budget,
    private readonly options: ReaderOptions,
  ) {
    this.transport = transportFor(target);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  get server(): string {
    return this.transport.server;
  }

  /** A reader for one endpoint, with its CA, client certificate and headers (an EKS token, say). */
  static create(target: ReaderTarget, budget: Budget, options: ReaderOptions = {}): HttpsClusterReader {
    return new HttpsClusterReader(target, budget, options);
  }

  /** A reader for the KubeConfig's current context, authenticated as kubectl would be. */
  static async fromKubeConfig(
    kubeConfig: KubeConfig,
    budget: Budget,
    readerOptions: ReaderOptions = {},
  ): Promise<HttpsClusterReader> {
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
      readerOptions,
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
    // A 5xx is an answer here (a /readyz 500 lists the failing checks); a 4xx says nothing of the
    // server's health, only of our access to it: that stays an error.
    return this.read('GET', path, undefined, { accept: 'text/plain, */*', ...options }, (answer) =>
      answer.status >= 400 && answer.status < 500 ? undefined : { status: answer.status, body: answer.body },
    );
  }

  bearerToken(): string | undefined {
    const header = Object.entries(this.transport.headers).find(
      ([k]) => k.toLowerCase() === 'authorization',
    )?.[1];
    return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  }

  /** Releases the keep-alive sockets (a CLI run must be able to exit). */
  close(): void {
    this.transport.agent.destroy();
    for (const agent of this.retired.splice(0)) agent.destroy();
  }

  private request(
    method: string,
    path: string,
    body: string | undefined,
    options: ReadOptions,
  ): Promise<SourceResult<string>> {
    return this.read(method, path, body, options, (answer) =>
      answer.status >= 200 && answer.status < 300 ? answer.body : undefined,
    );
  }

  /**
   * Sends a request, retried while the failure is one a retry can cure and the read's share of the
   * budget (its timeout, capped by what is left) allows; `accept` turns an answer into the data, or
   * undefined for an HTTP error. How many tries it took goes on the result and the source's record.
   */
  private async read<T>(
    method: string,
    path: string,
    body: string | undefined,
    options: ReadOptions,
    accept: (answer: HttpAnswer) => T | undefined,
  ): Promise<SourceResult<T>> {
    const started = Date.now();
    const windowEnd =
      started + Math.min(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, this.budget.remainingMs());
    const retryable = isIdempotentRead(method, path);
    const notes: string[] = [];
    let tries = 0;
    let movedOn = false;
    const finish = (result: SourceResult<T>): SourceResult<T> => {
      if (tries > 1 || notes.length > 0) recordRead(tries, notes);
      return {
        ...result,
        elapsedMs: Date.now() - started,
        ...(tries > 1 ? { tries } : {}),
        ...(notes.length > 0 ? { notes } : {}),
      };
    };
    for (;;) {
      const generation = this.generation;
      const timeoutMs = windowEnd - Date.now();
      if (timeoutMs <= 0 && tries === 0) {
        return finish(
          failed(
            { kind: 'timeout', message: `not sent: the collection budget was spent (${method} ${path})` },
            0,
          ),
        );
      }
      tries++;
      const outcome = await this.send(method, path, body, options, Math.max(1, timeoutMs));
      let error: SourceError;
      let failure: TryFailure;
      if (outcome.ok) {
        const data = accept(outcome.answer);
        if (data !== undefined) {
          if (outcome.answer.truncated) notes.push(outcome.answer.truncated);
          return finish(succeeded(data, 0));
        }
        const { status, body: text, retryAfter } = outcome.answer;
        error = httpError(method, path, status, text, retryAfter);
        failure = { status, ...(retryAfter !== undefined ? { retryAfter } : {}) };
      } else {
        ({ error, failure } = outcome);
      }
      // A try sent to an endpoint that has since been replaced (by this read's refresh or another's)
      // goes again to the new one, once per read; the refresh itself happens once per reader.
      if (this.options.refresh && endpointTrouble(error) && !movedOn) {
        await this.refreshTarget();
        if (generation !== this.generation && windowEnd - Date.now() > this.policy.minTryMs) {
          movedOn = true;
          notes.push(
            `${error.message}: the cluster was described again and the read retried at ${this.server}`,
          );
          continue;
        }
      }
      if (!retryable) return finish(failed(error, 0));
      const plan = planRetry(failure, tries, windowEnd - Date.now(), this.policy, Date.now());
      if (!plan.retry) {
        if (tries > 1 || failure.retryAfter !== undefined)
          notes.push(`gave up after ${tries} ${tries === 1 ? 'try' : 'tries'}: ${plan.why}`);
        return finish(failed(error, 0));
      }
      notes.push(`try ${tries}: ${error.message}; tried again after ${plan.waitMs} ms`);
      await this.policy.sleep(plan.waitMs);
    }
  }

  /** Describes the cluster again, once per reader; true when the target changed (retry there). */
  private refreshTarget(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const target = await this.options.refresh?.().catch(() => undefined);
      if (!target) return false;
      this.retired.push(this.transport.agent);
      this.transport = transportFor(target);
      this.generation++;
      return true;
    })();
    return this.refreshing;
  }

  /** One try, as a value: the answer whatever its status, or the failure below HTTP. */
  private send(
    method: string,
    path: string,
    body: string | undefined,
    options: ReadOptions,
    timeoutMs: number,
  ): Promise<Try> {
    const transport = this.transport;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const url = new URL(transport.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      ...transport.headers,
      Accept: options.accept ?? 'application/json',
      'User-Agent': 'tenant-checker',
      ...options.headers,
    };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const networkFailure = (error: NodeJS.ErrnoException): Try => ({
      ok: false,
      error: {
        kind: kindForNetworkError(error),
        message: `${method} ${url.pathname}: ${error.code ?? ''} ${error.message}`
          .replace(/\s+/g, ' ')
          .trim(),
      },
      failure: {
        ...(error.code ? { code: error.code } : {}),
        ...(kindForNetworkError(error) === 'timeout' ? { timeout: true } : {}),
      },
    });

    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: Try) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = transport.module.request(
        url,
        { method, headers, agent: transport.agent },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          let dropped = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            chunks.push(chunk);
            if (size <= maxBytes) return;
            if (!options.keepNewest) {
              response.destroy();
              request.destroy();
              finish({
                ok: false,
                error: {
                  kind: 'bad-response',
                  ...(response.statusCode ? { status: response.statusCode } : {}),
                  message: `${method} ${url.pathname}: response larger than ${maxBytes} bytes, not read`,
                },
                failure: {},
              });
              return;
            }
            // Keep the newest maxBytes: drop whole chunks from the front, then cut the first one.
            while (size - (chunks[0]?.length ?? 0) >= maxBytes) {
              const first = chunks.shift() as Buffer;
              size -= first.length;
              dropped += first.length;
            }
            if (size > maxBytes && chunks[0]) {
              const cut = size - maxBytes;
              chunks[0] = chunks[0].subarray(cut);
              size -= cut;
              dropped += cut;
            }
          });
          response.on('error', (error: NodeJS.ErrnoException) => finish(networkFailure(error)));
          response.on('end', () => {
            const retryAfter = response.headers['retry-after'];
            let text = Buffer.concat(chunks).toString('utf8');
            let truncated: string | undefined;
            if (dropped > 0) {
              // From the first whole line: the cut one (and a character split in two) is not evidence.
              const newline = text.indexOf('\n');
              if (newline >= 0) {
                dropped += Buffer.byteLength(text.slice(0, newline + 1));
                text = text.slice(newline + 1);
              }
              truncated = `${url.pathname}: the oldest ${dropped} bytes were cut, the newest ${Buffer.byteLength(text)} kept`;
            }
            finish({
              ok: true,
              answer: {
                status: response.statusCode ?? 0,
                body: text,
                ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
                ...(truncated ? { truncated } : {}),
              },
            });
          });
        },
      );
      const timer = setTimeout(() => {
        request.destroy();
        finish({
          ok: false,
          error: { kind: 'timeout', message: `${method} ${url.pathname}: no answer within ${timeoutMs} ms` },
          failure: { timeout: true },
        });
      }, timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => finish(networkFailure(error)));
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
  let freshContinue: string | undefined;
  try {
    const parsed = JSON.parse(body) as { kind?: string; message?: string; metadata?: { continue?: unknown } };
    if (parsed.kind === 'Status' && parsed.message) detail = parsed.message;
    if (status === 410 && typeof parsed.metadata?.continue === 'string' && parsed.metadata.continue)
      freshContinue = parsed.metadata.continue;
  } catch {
    // not a Status object: keep the start of the body
  }
  const error: SourceError = {
    kind: kindForStatus(status),
    status,
    message: `${method} ${path}: HTTP ${status}${detail ? `: ${detail}` : ''}`,
    ...(freshContinue ? { freshContinue } : {}),
  };
  const waitMs = parseRetryAfter(retryAfter, Date.now());
  if ((status === 429 || status === 503) && waitMs !== undefined)
    error.retryAfterSeconds = Math.ceil(waitMs / 1000);
  return error;
}

function parseJson<T>(result: SourceResult<string>): SourceResult<T> {
  if (!result.ok) return result;
  const { data, ok: _ok, ...record } = result;
  try {
    return { ...record, ...succeeded(JSON.parse(data) as T, result.elapsedMs) };
  } catch (error) {
    return {
      ...record,
      ...failed<T>(
        { kind: 'bad-response', message: `invalid JSON: ${(error as Error).message}` },
        result.elapsedMs,
      ),
    };
  }
}
