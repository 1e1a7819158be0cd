/**
 * Links that last: the message carries `<link service URL>?run=<bundle key>&exp=<epoch seconds>&sig=<mac>`,
 * where the MAC covers the key and the expiry. Each click is checked by the link service, which then
 * redirects to a presigned S3 URL it makes with its own, current credentials: the link outlives the
 * credentials of the invocation that sent the message. The MAC comes from a port, so that the
 * deployment uses a KMS HMAC key (no secret to keep; revoked by replacing the key) and tests and
 * the CLI use a local key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { BUNDLE_PREFIX } from '../constants.js';

/** Makes and checks the MAC of a payload; `verify` answers false (never throws) for a MAC it did not make. */
export interface LinkSigner {
  sign(payload: string): Promise<string>;
  verify(payload: string, sig: string): Promise<boolean>;
}

/** The signed fields of a link. */
export interface LinkClaims {
  /** The bundle's S3 key (`bundles/<cluster>/<yyyy>/<mm>/<dd>/<run id>.tar.gz`). */
  key: string;
  /** Seconds since the epoch after which the link is refused. */
  expiresAt: number;
}

/** Versioned so that a later format cannot be confused with this one. */
export function linkPayload(claims: LinkClaims): string {
  return `tenant-check-link/v1\n${claims.key}\n${claims.expiresAt}`;
}

/** A bundle key as the checker writes them: nothing else is ever presigned, whatever was signed. */
const BUNDLE_KEY = new RegExp(
  `^${BUNDLE_PREFIX}[A-Za-z0-9_-]{1,100}/\\d{4}/\\d{2}/\\d{2}/[A-Za-z0-9T_-]{1,64}\\.tar\\.gz$`,
);
const MAC = /^[A-Za-z0-9_-]{16,128}$/;
const EPOCH = /^\d{1,12}$/;

export function isBundleKey(key: string): boolean {
  return BUNDLE_KEY.test(key);
}

/** The link for a bundle: the service's URL with the claims and their MAC. */
export async function signLink(serviceUrl: string, claims: LinkClaims, signer: LinkSigner): Promise<string> {
  const url = new URL(serviceUrl);
  url.search = new URLSearchParams({
    run: claims.key,
    exp: String(claims.expiresAt),
    sig: await signer.sign(linkPayload(claims)),
  }).toString();
  return url.toString();
}

/** Why a link was refused: for the service's log only, never for the one who clicked. */
export type Refusal = 'malformed' | 'expired' | 'signature';

/**
 * The claims of a link when its MAC is the signer's, it has not expired and its key is a bundle
 * key; otherwise why not.
 */
export async function verifyLink(
  query: Record<string, string | undefined>,
  signer: LinkSigner,
  now: Date,
  maxLifetimeSeconds: number,
): Promise<{ claims: LinkClaims } | { refused: Refusal }> {
  const { run, exp, sig } = query;
  if (!run || !exp || !sig || !EPOCH.test(exp) || !MAC.test(sig) || !isBundleKey(run))
    return { refused: 'malformed' };
  const expiresAt = Number(exp);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (expiresAt <= nowSeconds) return { refused: 'expired' };
  // Further out than any link this deployment makes (the retention): not one of ours.
  if (expiresAt > nowSeconds + maxLifetimeSeconds) return { refused: 'malformed' };
  const claims = { key: run, expiresAt };
  return (await signer.verify(linkPayload(claims), sig)) ? { claims } : { refused: 'signature' };
}

/** base64url without padding, as the MAC travels in a query string. */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Decodes a MAC that came in a query string; `undefined` when it is not base64url. */
export function fromBase64Url(text: string): Buffer | undefined {
  if (!MAC.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/**
 * The local twin: HMAC-SHA-256 with a key held in memory (node:crypto), for tests and the CLI. The
 * same algorithm as the KMS key (HMAC_SHA_256), so a MAC has the same shape either way.
 */
export class HmacLinkSigner implements LinkSigner {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('an HMAC-SHA-256 link key needs at least 32 bytes');
  }

  async sign(payload: string): Promise<string> {
    return toBase64Url(createHmac('sha256', this.key).update(payload, 'utf8').digest());
  }

  async verify(payload: string, sig: string): Promise<boolean> {
    const given = fromBase64Url(sig);
    const expected = createHmac('sha256', this.key).update(payload, 'utf8').digest();
    return given !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
  }
}
