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

export type Measured = { state: 'ok'; value: number } | { state: 'unknown'; reason: string };
