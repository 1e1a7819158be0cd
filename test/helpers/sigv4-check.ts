/**
 * What an AWS endpoint does with a SigV4 request, for the local stand-ins (AMP, KMS, STS): parse the
 * Authorization header, find the caller's secret by its access key id, check the region and the
 * signing time (within 5 minutes), and sign the same request again (the signed headers, the query
 * and the body) to compare signatures. Each endpoint turns a problem into its own error code.
 */
import type { IncomingMessage } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

export type SigV4Problem = 'missing' | 'unknown-key' | 'region' | 'date' | 'expired' | 'signature';

export type SigV4Check =
  | { ok: true; accessKeyId: string }
  | { ok: false; problem: SigV4Problem; accessKeyId?: string; detail: string };

export async function checkSigV4(
  req: IncomingMessage,
  body: string,
  options: {
    service: string;
    region: string;
    /** The caller's credentials by access key id: undefined for a key the endpoint does not know. */
    credentialsFor: (accessKeyId: string) => AwsCredentialIdentity | undefined;
    now?: () => Date;
  },
): Promise<SigV4Check> {
  const m = new RegExp(
    `^AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/${options.service}/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$`,
  ).exec(String(req.headers.authorization ?? ''));
  if (!m)
    return {
      ok: false,
      problem: 'missing',
      detail: `missing or malformed SigV4 authorization for service ${options.service}`,
    };
  const [, accessKeyId, , region, signedHeaders, signature] = m as unknown as string[];
  const credentials = options.credentialsFor(accessKeyId as string);
  const failed = (problem: SigV4Problem, detail: string): SigV4Check => ({
    ok: false,
    problem,
    detail,
    ...(accessKeyId ? { accessKeyId } : {}),
  });
  if (!credentials) return failed('unknown-key', `unknown access key id ${accessKeyId}`);
  if (region !== options.region)
    return failed('region', `signed for region ${region}, not ${options.region}`);
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(req.headers['x-amz-date'] ?? ''));
  if (!d) return failed('date', 'missing X-Amz-Date');
  const [, y, mo, dd, h, mi, se] = d.map(Number) as number[];
  const signingDate = new Date(Date.UTC(y as number, (mo as number) - 1, dd, h, mi, se));
  const now = options.now?.() ?? new Date();
  if (Math.abs(now.getTime() - signingDate.getTime()) > 5 * 60_000)
    return failed('expired', 'request signed more than 5 minutes away from now');
  const headers: Record<string, string> = {};
  for (const name of (signedHeaders as string).split(';')) headers[name] = String(req.headers[name] ?? '');
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const again = await signer.sign(
    new HttpRequest({
      method: req.method ?? 'POST',
      protocol: 'http:',
      hostname: headers.host?.split(':')[0] ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    }),
    { signingDate },
  );
  if (/Signature=([0-9a-f]{64})/.exec(String(again.headers.authorization))?.[1] !== signature)
    return failed(
      'signature',
      'The request signature we calculated does not match the signature you provided.',
    );
  return { ok: true, accessKeyId: accessKeyId as string };
}
