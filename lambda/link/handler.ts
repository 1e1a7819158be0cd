/**
 * The link service: a Lambda behind a Function URL (auth NONE: the link's MAC is the authorisation).
 * A click on `?run=<bundle key>&exp=<epoch>&sig=<mac>` is checked (KMS VerifyMac) and answered with
 * a 302 to a presigned S3 GET that this function makes now, with its own credentials, and that lives
 * a few minutes. A forged, altered or expired link gets 403 and an empty body: nothing tells a
 * prober which part was wrong.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromEnv } from '@aws-sdk/credential-providers';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { SERVICE_NAME } from '../constants.js';
import { LINK_ENV, PRESIGNED_SECONDS } from './constants.js';
import { KmsLinkSigner } from './kms-signer.js';
import { type LinkSigner, type Refusal, verifyLink } from './signer.js';

export interface LinkServiceDeps {
  signer: LinkSigner;
  /** A presigned GET for the key, living `seconds`, that downloads as `filename`. */
  presign(key: string, seconds: number, filename: string): Promise<string>;
  maxLifetimeSeconds: number;
  now?: () => Date;
  log?: (outcome: 'redirect' | Refusal | 'unavailable' | 'method', detail: Record<string, unknown>) => void;
}

const HEADERS = {
  // The answer is for this click only: not cached, and the presigned URL is not handed on as a referrer.
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};
const empty = (statusCode: number, extra: Record<string, string> = {}): LambdaFunctionURLResult => ({
  statusCode,
  headers: { ...HEADERS, 'Content-Type': 'text/plain', ...extra },
  body: '',
});

/** The query as sent; a parameter given twice makes the link malformed. */
function linkQuery(event: LambdaFunctionURLEvent): Record<string, string | undefined> | undefined {
  const params = new URLSearchParams(event.rawQueryString ?? '');
  const out: Record<string, string | undefined> = {};
  for (const name of ['run', 'exp', 'sig']) {
    const values = params.getAll(name);
    if (values.length > 1) return undefined;
    out[name] = values[0];
  }
  return out;
}

/** One click, answered. */
export async function answerClick(
  event: LambdaFunctionURLEvent,
  deps: LinkServiceDeps,
): Promise<LambdaFunctionURLResult> {
  const log = deps.log ?? (() => undefined);
  const method = event.requestContext?.http?.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    log('method', { method });
    return empty(405, { Allow: 'GET, HEAD' });
  }
  const query = linkQuery(event);
  let verdict: Awaited<ReturnType<typeof verifyLink>>;
  try {
    verdict = query
      ? await verifyLink(query, deps.signer, (deps.now ?? (() => new Date()))(), deps.maxLifetimeSeconds)
      : { refused: 'malformed' };
  } catch (error) {
    // KMS could not answer: not the link's fault, so not a 403.
    log('unavailable', { error: (error as Error).message });
    return empty(503, { 'Retry-After': '5' });
  }
  if ('refused' in verdict) {
    log(verdict.refused, {});
    return empty(403);
  }
  const { key } = verdict.claims;
  // bundles/<cluster>/<yyyy>/<mm>/<dd>/<run id>.tar.gz downloads as <cluster>-<run id>.tar.gz.
  const parts = key.split('/');
  const filename = `${parts[1]}-${parts.at(-1)}`;
  const location = await deps.presign(key, PRESIGNED_SECONDS, filename);
  log('redirect', { key, linkExpiresAt: new Date(verdict.claims.expiresAt * 1000).toISOString() });
  return { statusCode: 302, headers: { ...HEADERS, Location: location }, body: '' };
}

// The composition for Lambda: KMS for the MAC, S3 presigned with this function's own credentials.
const logger = new Logger({ serviceName: `${SERVICE_NAME}-links` });
let deps: LinkServiceDeps | undefined;

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: the function must be deployed by the tenant-checker stack`);
  return value;
}

function lambdaDeps(): LinkServiceDeps {
  if (deps) return deps;
  const region = required('AWS_REGION');
  const credentials = fromEnv();
  const s3 = new S3Client({ region, credentials });
  const bucket = required(LINK_ENV.bucket);
  deps = {
    signer: new KmsLinkSigner({ keyId: required(LINK_ENV.keyId), region, credentials }),
    presign: (key, seconds, filename) =>
      getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: `attachment; filename="${filename}"`,
        }),
        { expiresIn: seconds },
      ),
    maxLifetimeSeconds: Number(required(LINK_ENV.maxLifetimeSeconds)),
    // The MAC and the presigned URL are never logged: each is enough to download the bundle.
    log: (outcome, detail) => {
      if (outcome === 'redirect') logger.info('link opened', detail);
      else if (outcome === 'unavailable') logger.error('KMS could not verify a link', detail);
      else logger.warn(`link refused: ${outcome}`, detail);
    },
  };
  return deps;
}

export const handler = middy((event: LambdaFunctionURLEvent) => answerClick(event, lambdaDeps())).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
