/**
 * When a failed read of the Kubernetes API is worth another try, and how long to wait first. Only
 * idempotent reads are retried (GET, and the review "creates" of authorization.k8s.io, which store
 * nothing); only faults that a second try can cure: 429, 5xx other than 501, a reset connection, and
 * a refused one once (a server restarting behind its load balancer; a server that is down refuses
 * every time, and that is evidence). Waits are exponential with full jitter, at least what the
 * server's Retry-After asks, and never past the read's share of the invocation's budget: a wait that
 * does not fit is not started, and the failure is returned as it is.
 */

export interface RetryPolicy {
  /** Tries of one read at most, the first included. */
  maxTries: number;
  /** The first backoff's ceiling; each further one doubles, up to `capMs`. */
  baseMs: number;
  capMs: number;
  /** A try is not started with less than this left of the read's window. */
  minTryMs: number;
  /** In [0, 1): `Math.random`, or a seeded generator in tests and the soak. */
  random: () => number;
  /** How a wait is spent (a hook for tests that must act while the reader waits). */
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxTries: 4,
  baseMs: 200,
  capMs: 3000,
  minTryMs: 250,
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What went wrong with one try, as far as the retry decision needs to know. */
export interface TryFailure {
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The socket error's code (ECONNRESET, ECONNREFUSED, ...), when it did not. */
  code?: string;
  /** Timed out: the time is spent, another try would only spend more. */
  timeout?: boolean;
  /** The Retry-After header as sent (seconds or an HTTP date). */
  retryAfter?: string;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const ONCE_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);

/** Whether the method and path make a read that may be sent twice without changing anything. */
export function isIdempotentRead(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  // SubjectAccessReview, SelfSubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview:
  // "created" to get an answer, never stored.
  return (
    method === 'POST' &&
    /^\/apis\/authorization\.k8s\.io\/v1\/(namespaces\/[^/]+\/)?[a-z]+reviews$/.test(path)
  );
}

/** Tries this failure may be given at most (1: not retried). */
export function triesAllowed(failure: TryFailure, policy: Pick<RetryPolicy, 'maxTries'>): number {
  if (failure.timeout) return 1;
  const { status, code } = failure;
  if (status !== undefined) {
    if (status === 429 || (status >= 500 && status !== 501)) return policy.maxTries;
    return 1;
  }
  if (code && RESET_CODES.has(code)) return policy.maxTries;
  if (code && ONCE_CODES.has(code)) return Math.min(2, policy.maxTries);
  return 1;
}

/**
 * Retry-After in milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined
 * when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}

/** The wait before try `nextTry` (2 for the first retry): full jitter, `random * min(cap, base * 2^(n-2))`. */
export function backoffMs(nextTry: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs' | 'random'>): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, nextTry - 2));
  return Math.floor(policy.random() * ceiling);
}

export type RetryPlan = { retry: true; waitMs: number } | { retry: false; why: string };

/**
 * Whether to try again after `failure` on try number `tried`, with `remainingMs` left of the read's
 * window (its timeout, capped by the budget). The wait honours Retry-After and fits in the window.
 */
export function planRetry(
  failure: TryFailure,
  tried: number,
  remainingMs: number,
  policy: RetryPolicy,
  now: number,
): RetryPlan {
  const allowed = triesAllowed(failure, policy);
  if (tried >= allowed) {
    return { retry: false, why: allowed === 1 ? 'not a fault a retry can cure' : `${tried} tries made` };
  }
  const asked = parseRetryAfter(failure.retryAfter, now);
  const waitMs = Math.max(asked ?? 0, backoffMs(tried + 1, policy));
  if (waitMs + policy.minTryMs > remainingMs) {
    return {
      retry: false,
      why:
        asked !== undefined && asked + policy.minTryMs > remainingMs
          ? `Retry-After ${Math.ceil(asked / 1000)}s does not fit the ${Math.max(0, Math.floor(remainingMs))} ms left of this read's share of the budget`
          : `no time left in this read's share of the budget for another try`,
    };
  }
  return { retry: true, waitMs };
}
