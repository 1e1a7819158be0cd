/** How a failed read is classified: by the HTTP status, or by the error below HTTP. */
import type { SourceErrorKind } from '../model/source.js';

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
