/**
 * A source that could not be read is data, not an exception: an unreachable API server, a 403 or a
 * 429 is itself evidence. Every collector returns one of these; a value that cannot be known is
 * `unknown` with its reason, never a healthy number.
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
  /** From a 429's Retry-After header. */
  retryAfterSeconds?: number;
}

export type SourceResult<T> =
  | { ok: true; data: T; elapsedMs: number }
  | { ok: false; error: SourceError; elapsedMs: number };

export function succeeded<T>(data: T, elapsedMs: number): SourceResult<T> {
  return { ok: true, data, elapsedMs };
}

export function failed<T>(error: SourceError, elapsedMs: number): SourceResult<T> {
  return { ok: false, error, elapsedMs };
}

export type Measured = { state: 'ok'; value: number } | { state: 'unknown'; reason: string };
