/**
 * The checks EKS's authenticator (aws-iam-authenticator) makes on a bearer token before it asks STS
 * who signed it. Used by the token's unit tests and by the Kubernetes API simulator, so that a broken
 * token fails the tests that depend on it.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

export const MAX_TOKEN_BYTES = 4096;
const PREFIX = 'k8s-aws-v1.';
/** STS in every partition (aws-iam-authenticator allows the partitions' STS endpoints). */
const STS_HOST =
  /^sts(\.[a-z0-9-]+)?\.(amazonaws\.com|amazonaws\.com\.cn|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov|amazonaws\.eu)$/;
const ALLOWED_PARAMS = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);

export interface VerifiedToken {
  url: URL;
  region: string | undefined;
  signedAt: Date;
  expiresAt: Date;
}

/**
 * Throws with the authenticator's reason when a token would be refused for `clusterName` at `now`.
 * With the signer's credentials it also plays STS: it signs the same request again with
 * `x-k8s-aws-id: clusterName` and compares signatures, as STS does when EKS forwards the request
 * with its own cluster name (a token made for another cluster fails here).
 */
export async function verifyEksToken(
  token: string,
  clusterName: string,
  options: { now?: Date; credentials?: AwsCredentialIdentity } = {},
): Promise<VerifiedToken> {
  const now = options.now ?? new Date();
  if (token.length > MAX_TOKEN_BYTES)
    throw new Error(`token is ${token.length} bytes, more than ${MAX_TOKEN_BYTES}`);
  if (!token.startsWith(PREFIX)) throw new Error(`token does not start with ${PREFIX}`);
  const encoded = token.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new Error('token is not base64url without padding');
  const url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  if (url.protocol !== 'https:') throw new Error(`unexpected scheme ${url.protocol}`);
  if (!STS_HOST.test(url.hostname)) throw new Error(`unexpected host ${url.hostname}`);
  if (url.pathname !== '/') throw new Error(`unexpected path ${url.pathname}`);
  const params = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    const lower = key.toLowerCase();
    if (!ALLOWED_PARAMS.has(lower)) throw new Error(`non-allowlisted query parameter ${key}`);
    if (params.has(lower)) throw new Error(`duplicate query parameter ${key}`);
    params.set(lower, value);
  }
  if (params.get('action') !== 'GetCallerIdentity') throw new Error('action is not GetCallerIdentity');
  if (params.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256')
    throw new Error('algorithm is not AWS4-HMAC-SHA256');
  const signedHeaders = (params.get('x-amz-signedheaders') ?? '').split(';');
  if (!signedHeaders.includes('x-k8s-aws-id')) throw new Error('x-k8s-aws-id is not a signed header');
  if (!signedHeaders.includes('host')) throw new Error('host is not a signed header');
  if (!params.get('x-amz-signature')) throw new Error('no signature');
  const expires = Number(params.get('x-amz-expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > 900)
    throw new Error(`X-Amz-Expires ${params.get('x-amz-expires')} out of bounds`);
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(params.get('x-amz-date') ?? '');
  if (!date) throw new Error('X-Amz-Date missing or malformed');
  const [y, mo, d, h, mi, sec] = date.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const signedAt = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  const expiresAt = new Date(signedAt.getTime() + 15 * 60 * 1000);
  if (now > expiresAt) throw new Error('token expired');
  if (signedAt.getTime() - now.getTime() > 5 * 60 * 1000) throw new Error('token signed in the future');
  const credential = (params.get('x-amz-credential') ?? '').split('/');
  if (credential[3] !== 'sts' || credential[4] !== 'aws4_request')
    throw new Error('credential scope is not sts');
  if (options.credentials) {
    const signer = new SignatureV4({
      service: 'sts',
      region: credential[2] ?? 'us-east-1',
      credentials: options.credentials,
      sha256: Hash.bind(null, 'sha256'),
    });
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams)
      if (!key.toLowerCase().startsWith('x-amz-')) query[key] = value;
    const again = await signer.presign(
      new HttpRequest({
        method: 'GET',
        protocol: 'https:',
        hostname: url.hostname,
        path: '/',
        headers: { host: url.hostname, 'x-k8s-aws-id': clusterName },
        query,
      }),
      { expiresIn: expires, signingDate: signedAt, signableHeaders: new Set(['x-k8s-aws-id']) },
    );
    if (again.query?.['X-Amz-Signature'] !== params.get('x-amz-signature')) {
      throw new Error(`signature does not match for cluster ${clusterName} (STS would refuse it)`);
    }
  }
  return { url, region: credential[2], signedAt, expiresAt };
}

/** An identity STS knows: its credentials and the ARN GetCallerIdentity answers for them. */
export interface StsIdentity {
  arn: string;
  credentials: AwsCredentialIdentity;
}

/**
 * Who signed a token, as STS's GetCallerIdentity tells EKS: the identity whose access key the token
 * names, once its signature checks out with that identity's secret. Throws when STS would refuse.
 */
export async function tokenCaller(
  token: string,
  clusterName: string,
  identities: readonly StsIdentity[],
  now?: Date,
): Promise<string> {
  const unverified = await verifyEksToken(token, clusterName, now ? { now } : {});
  const accessKeyId = (unverified.url.searchParams.get('X-Amz-Credential') ?? '').split('/')[0];
  const identity = identities.find((i) => i.credentials.accessKeyId === accessKeyId);
  if (!identity) throw new Error(`STS does not know the access key ${accessKeyId}`);
  await verifyEksToken(token, clusterName, { credentials: identity.credentials, ...(now ? { now } : {}) });
  return identity.arn;
}

/**
 * The principal EKS matches against access entries for a caller: an assumed-role session
 * (`arn:aws:sts::A:assumed-role/R/session`) is its role (`arn:aws:iam::A:role/R`); anything else is
 * itself.
 */
export function accessEntryPrincipal(callerArn: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(callerArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : callerArn;
}

/**
 * The simulator's `authenticate` for a cluster with access entries: a token passes when STS knows who
 * signed it, for this cluster, and that identity's principal has an entry. A token signed by another
 * identity (the function's own role instead of the member account's) fails, as on EKS.
 */
export function accessEntryAuthenticator(options: {
  clusterName: string;
  identities: readonly StsIdentity[];
  principals: readonly string[];
  now?: () => Date;
  /** Every caller's ARN, accepted or not, for the test to read. */
  seen?: string[];
}): (token: string) => Promise<boolean> {
  return async (token) => {
    const caller = await tokenCaller(token, options.clusterName, options.identities, options.now?.());
    options.seen?.push(caller);
    return options.principals.some((p) => roleNameOnly(p) === accessEntryPrincipal(caller));
  };
}

/** EKS matches a role by account and name; the ARN's path is not part of the assumed-role ARN. */
function roleNameOnly(roleArn: string): string {
  return roleArn.replace(/:role\/(?:.*\/)?([^/]+)$/, ':role/$1');
}
