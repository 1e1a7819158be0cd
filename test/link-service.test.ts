/**
 * Links that last. The link service's answer to each kind of click, against s3rver: a good link
 * redirects to a presigned URL that downloads the bundle, made with the service's own credentials,
 * so it still works after the credentials of the invocation that sent the message have expired;
 * forged, altered, expired and malformed links get 403 and nothing else. The KMS adapter is tested
 * against a local endpoint that speaks KMS's GenerateMac/VerifyMac protocol and checks SigV4 (there
 * is no local KMS server: what KMS itself computes is not tested here, what we send and how we read
 * its answers is).
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClick, type LinkServiceDeps } from '../lambda/link/handler.js';
import { KmsError, KmsLinkSigner } from '../lambda/link/kms-signer.js';
import { consoleUrl, LinkedBundleStore, linkCommand } from '../lambda/link/linked-bundle-store.js';
import { HmacLinkSigner, type LinkSigner, linkPayload, signLink } from '../lambda/link/signer.js';
import { bundleLines } from '../lambda/sinks/bundle-lines.js';
import { FileBundleStore } from '../lambda/sinks/bundle-store.js';
import { expireS3Keys, REGION, startS3 } from './helpers/aws-local.js';
import { type KmsEndpoint, startKmsEndpoint } from './helpers/kms-endpoint.js';

const BUCKET = 'link-bundles';
const SERVICE = 'https://abcdefghijklmnop.lambda-url.eu-west-1.on.aws/';
const KEY = 'bundles/prod-eks-1/2026/11/26/20261126T101500-abcd1234.tar.gz';
const RETENTION = 30 * 86_400;
/** The checker's session, which signs nothing the reader needs once the message is sent. */
const checker = {
  accessKeyId: 'ASIACHECKERSESSION01',
  secretAccessKey: 'checker-secret',
  sessionToken: 'c-token',
};
/** The link service's own credentials, current at each click. */
const service = {
  accessKeyId: 'ASIALINKSERVICE00001',
  secretAccessKey: 'service-secret',
  sessionToken: 's-token',
};

let s3: Awaited<ReturnType<typeof startS3>>;
const bundleBytes = randomBytes(4096);
const signer = new HmacLinkSigner(randomBytes(32));

function s3With(credentials: typeof checker) {
  return new S3Client({
    endpoint: s3.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function deps(overrides: Partial<LinkServiceDeps> = {}): LinkServiceDeps {
  const client = s3With(service);
  return {
    signer,
    presign: (key, seconds, filename) =>
      getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: BUCKET,
          Key: key,
          ResponseContentDisposition: `attachment; filename="${filename}"`,
        }),
        { expiresIn: seconds },
      ),
    maxLifetimeSeconds: RETENTION,
    ...overrides,
  };
}

/** The event a Function URL hands the function for a GET of `url`. */
function click(url: string, method = 'GET'): LambdaFunctionURLEvent {
  const u = new URL(url);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: u.pathname,
    rawQueryString: u.search.slice(1),
    headers: { host: u.host },
    queryStringParameters: Object.fromEntries(u.searchParams),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnop',
      domainName: u.host,
      domainPrefix: 'abcdefghijklmnop',
      http: { method, path: u.pathname, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;
const link = (claims: { key: string; expiresAt: number }, by: LinkSigner = signer) =>
  signLink(SERVICE, claims, by);
const withParam = (url: string, name: string, value: string) => {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
};

beforeAll(async () => {
  s3 = await startS3(BUCKET, [checker, service]);
  // The checker wrote the bundle with its session's credentials.
  await s3With(checker).send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: bundleBytes }));
});
afterAll(async () => {
  await s3?.close();
});

describe('a good link', () => {
  it('redirects (302) to a presigned GET that lives 5 minutes, made with the service credentials, which downloads the bundle', async () => {
    const answer = (await answerClick(
      click(await link({ key: KEY, expiresAt: inSeconds(86_400) })),
      deps(),
    )) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(answer.statusCode).toBe(302);
    expect(answer.body).toBe('');
    expect(answer.headers['Cache-Control']).toBe('no-store');
    expect(answer.headers['Referrer-Policy']).toBe('no-referrer');
    const location = new URL(answer.headers.Location as string);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(location.searchParams.get('X-Amz-Credential')?.startsWith(`${service.accessKeyId}/`)).toBe(true);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(
      'attachment; filename="prod-eks-1-20261126T101500-abcd1234.tar.gz"',
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(bundleBytes)).toBe(true);
  });

  it('still works after the session that sent the message has expired (what it presigned does not)', async () => {
    const checkerClient = s3With(checker);
    const presignedByChecker = await getSignedUrl(
      checkerClient,
      new GetObjectCommand({ Bucket: BUCKET, Key: KEY }),
      {
        expiresIn: 86_400,
      },
    );
    const message = await link({ key: KEY, expiresAt: inSeconds(7 * 86_400) });
    expect((await fetch(presignedByChecker)).status).toBe(200);

    expireS3Keys([checker.accessKeyId]);

    const stale = await fetch(presignedByChecker);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('InvalidAccessKeyId');
    const answer = (await answerClick(click(message), deps())) as {
      statusCode: number;
      headers: Record<string, string>;
    };
    expect(answer.statusCode).toBe(302);
    expect((await fetch(answer.headers.Location as string)).status).toBe(200);
  });
});

describe('every other link gets 403 and an empty body', () => {
  const refused = async (url: string | Promise<string>, extra: Partial<LinkServiceDeps> = {}) => {
    const answer = (await answerClick(click(await url), deps(extra))) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toBe('');
    expect(answer.headers.Location).toBeUndefined();
  };
  const good = () => link({ key: KEY, expiresAt: inSeconds(3600) });

  it('forged: signed with another key', async () => {
    await refused(link({ key: KEY, expiresAt: inSeconds(3600) }, new HmacLinkSigner(randomBytes(32))));
  });
  it('altered: another run', async () => {
    await refused(withParam(await good(), 'run', KEY.replace('abcd1234', 'abcd1235')));
  });
  it('altered: a later expiry', async () => {
    const url = await good();
    await refused(withParam(url, 'exp', String(Number(new URL(url).searchParams.get('exp')) + 1)));
  });
  it('altered: one character of the MAC', async () => {
    const url = await good();
    const sig = new URL(url).searchParams.get('sig') as string;
    await refused(withParam(url, 'sig', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`));
  });
  it('expired, though its MAC is good', async () => {
    await refused(link({ key: KEY, expiresAt: inSeconds(-1) }));
  });
  it('further out than the retention, though its MAC is good', async () => {
    await refused(link({ key: KEY, expiresAt: inSeconds(RETENTION + 3600) }));
  });
  it('for an object that is not a bundle, though its MAC is good', async () => {
    await refused(link({ key: 'config/secrets.json', expiresAt: inSeconds(3600) }));
    await refused(link({ key: 'bundles/../config/x.tar.gz', expiresAt: inSeconds(3600) }));
  });
  it('malformed: no MAC, no expiry, a parameter twice, nothing at all', async () => {
    const url = await good();
    const u = new URL(url);
    u.searchParams.delete('sig');
    await refused(u.toString());
    const v = new URL(url);
    v.searchParams.delete('exp');
    await refused(v.toString());
    await refused(`${url}&run=${encodeURIComponent(KEY)}`);
    await refused(SERVICE);
  });

  it('a method other than GET or HEAD is 405', async () => {
    const answer = (await answerClick(click(await good(), 'POST'), deps())) as {
      statusCode: number;
      body: string;
    };
    expect(answer).toMatchObject({ statusCode: 405, body: '' });
    expect(
      ((await answerClick(click(await good(), 'HEAD'), deps())) as { statusCode: number }).statusCode,
    ).toBe(302);
  });

  it('when the signer cannot answer, 503 (not a 403 that would call a good link bad)', async () => {
    const down: LinkSigner = {
      sign: signer.sign.bind(signer),
      verify: async () => {
        throw new Error('connect ETIMEDOUT');
      },
    };
    const answer = (await answerClick(click(await good()), deps({ signer: down }))) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(answer).toMatchObject({ statusCode: 503, body: '' });
    expect(answer.headers['Retry-After']).toBe('5');
  });
});

describe('the KMS adapter, against a local GenerateMac/VerifyMac endpoint', () => {
  let kms: KmsEndpoint;
  const kmsCaller = (c: typeof checker) => ({
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
  });
  beforeAll(async () => {
    kms = await startKmsEndpoint({
      region: REGION,
      callers: [
        // As the stack grants: the checker makes MACs, the link service checks them.
        { ...kmsCaller(checker), allow: ['GenerateMac'] },
        { ...kmsCaller(service), allow: ['VerifyMac'] },
      ],
    });
  });
  afterAll(async () => {
    await kms?.close();
  });
  const adapter = (c: typeof checker) =>
    new KmsLinkSigner({ keyId: kms.keyArn, region: REGION, credentials: async () => c, endpoint: kms.url });

  it('signs as the checker and verifies as the link service: HMAC_SHA_256, SigV4 for kms, the key by ARN', async () => {
    const payload = linkPayload({ key: KEY, expiresAt: 1_900_000_000 });
    const mac = await adapter(checker).sign(payload);
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    expect(await adapter(service).verify(payload, mac)).toBe(true);
    expect(kms.calls.slice(-2)).toEqual([
      { action: 'GenerateMac', keyId: kms.keyArn, accessKeyId: checker.accessKeyId, outcome: 'ok' },
      { action: 'VerifyMac', keyId: kms.keyArn, accessKeyId: service.accessKeyId, outcome: 'ok' },
    ]);
  });

  it('reads KMSInvalidMacException (a MAC the key did not make) as false', async () => {
    const payload = linkPayload({ key: KEY, expiresAt: 1_900_000_000 });
    const mac = await adapter(checker).sign(payload);
    expect(await adapter(service).verify(payload.replace('1900', '1901'), mac)).toBe(false);
    expect(kms.calls.at(-1)?.outcome).toBe('KMSInvalidMacException');
    expect(await adapter(service).verify(payload, 'not-base64url!')).toBe(false);
  });

  it('replacing the key revokes every link made before', async () => {
    const payload = linkPayload({ key: KEY, expiresAt: 1_900_000_000 });
    const mac = await adapter(checker).sign(payload);
    kms.replaceKey();
    expect(await adapter(service).verify(payload, mac)).toBe(false);
    expect(await adapter(service).verify(payload, await adapter(checker).sign(payload))).toBe(true);
  });

  it('a refusal that is not about the MAC is an error, never "invalid link"', async () => {
    const payload = linkPayload({ key: KEY, expiresAt: 1_900_000_000 });
    // The checker may not verify, the link service may not sign (least privilege, as in the stack).
    await expect(adapter(checker).verify(payload, 'A'.repeat(43))).rejects.toMatchObject({
      type: 'AccessDeniedException',
    });
    await expect(adapter(service).sign(payload)).rejects.toBeInstanceOf(KmsError);
    // A signature made with the wrong secret is refused by the endpoint, as by KMS.
    await expect(adapter({ ...checker, secretAccessKey: 'wrong' }).sign(payload)).rejects.toMatchObject({
      type: 'InvalidSignatureException',
    });
  });
});

describe("the checker's side", () => {
  it('a message link: the service URL, the key, the expiry at linkExpiry, and honest words', async () => {
    const now = new Date('2026-11-26T10:15:00Z');
    const store = new LinkedBundleStore(
      new FileBundleStore('/tmp/unused'),
      { region: REGION, bucket: BUCKET, table: 'checker-runs' },
      { url: SERVICE, signer, lifetimeSeconds: 7 * 86_400 },
      () => now,
    );
    const stored = await store.link(KEY);
    const url = new URL(stored.link as string);
    expect(`${url.origin}${url.pathname}`).toBe(SERVICE);
    expect(url.searchParams.get('run')).toBe(KEY);
    expect(url.searchParams.get('exp')).toBe(String(Date.parse('2026-12-03T10:15:00Z') / 1000));
    expect(stored.expiresAt).toBe('2026-12-03T10:15:00.000Z');
    expect(stored.linkNote).toContain('must begin within 5 minutes');
    expect(stored.linkNote).toContain('link key is replaced');
    expect(stored.location).toBe(`s3://${BUCKET}/${KEY}`);
    expect(stored.consoleUrl).toBe(consoleUrl(REGION, BUCKET, KEY));
    expect(stored.consoleUrl).toBe(
      `https://s3.console.aws.amazon.com/s3/object/${BUCKET}?region=${REGION}&bucketType=general&prefix=bundles%2Fprod-eks-1%2F2026%2F11%2F26%2F20261126T101500-abcd1234.tar.gz`,
    );
    expect(stored.command).toBe(
      `tenant-check link 20261126T101500-abcd1234 --cluster prod-eks-1 --table checker-runs --bucket ${BUCKET} --region ${REGION}`,
    );
    expect(linkCommand(KEY, { region: REGION, bucket: BUCKET, table: 't' })).toContain('--table t');
  });

  it('when KMS cannot sign, the bundle is still reachable: no link, said so, the other ways in', async () => {
    const broken: LinkSigner = {
      sign: async () => {
        throw new KmsError('KMSInternalException', 500, 'internal error');
      },
      verify: async () => false,
    };
    const store = new LinkedBundleStore(
      new FileBundleStore('/tmp/unused'),
      { region: REGION, bucket: BUCKET, table: 'checker-runs' },
      { url: SERVICE, signer: broken, lifetimeSeconds: 86_400 },
    );
    const stored = await store.link(KEY);
    expect(stored).toMatchObject({ link: null, expiresAt: null, location: `s3://${BUCKET}/${KEY}` });
    expect(
      bundleLines({
        location: stored.location,
        note: stored.linkNote as string,
        consoleUrl: stored.consoleUrl as string,
        command: stored.command as string,
      }),
    ).toEqual([
      `Escalation bundle: s3://${BUCKET}/${KEY}`,
      '  no link: it could not be signed (KMS KMSInternalException (HTTP 500): internal error); use the S3 console or the command below.',
      `  S3 console: ${stored.consoleUrl}`,
      `  A fresh link from a terminal: ${stored.command}`,
    ]);
  });
});
