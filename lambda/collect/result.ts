/**
 * A source that could not be read is data, not an exception: an unreachable API server, a 403 or a
 * 429 is itself evidence for one of the runbook's causes. Every collector returns one of these.
 */

export type SourceErrorKind =
  | 'timeout'
  | 'unreachable'
  | 'tls'
  | 'unauthorized'
  | 'forbidden'
  | 'throttled'
  | 'server'
  | 'bad-response';

export interface SourceError {
  kind: SourceErrorKind;
  /** The HTTP status the server gave, when it gave one. */
  status?: number;
  message: string;
  /** From the Retry-After header of a 429 or 503 (delay-seconds, or an HTTP date made relative). */
  retryAfterSeconds?: number;
  /** The fresh continue token a 410 Status carries for an expired list (used by the pager, not kept). */
  freshContinue?: string;
}

/** How a read went, beyond its outcome: kept on the source's record when there is something to say. */
export interface ReadRecord {
  /** HTTP tries the source's reads took (the most any one read needed), when more than one. */
  tries?: number;
  /** What was recovered from or given up on: a retried 503, a list restarted after its token expired. */
  notes?: string[];
}

export type SourceResult<T> = (
  | { ok: true; data: T; elapsedMs: number }
  | { ok: false; error: SourceError; elapsedMs: number }
) &
  ReadRecord;

export function succeeded<T>(data: T, elapsedMs: number): SourceResult<T> {
  return { ok: true, data, elapsedMs };
}

export function failed<T>(error: SourceError, elapsedMs: number): SourceResult<T> {
  return { ok: false, error, elapsedMs };
}

/** The kind for an HTTP status that is not a success. */
export function kindForStatus(status: number): SourceErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  return 'bad-response';
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** The kind for a failure below HTTP: a refused or reset connection, a DNS failure, a bad certificate. */
export function kindForNetworkError(error: NodeJS.ErrnoException): SourceErrorKind {
  const code = error.code ?? '';
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /certificate/i.test(error.message)
  ) {
    return 'tls';
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return 'timeout';
  return 'unreachable';
}
