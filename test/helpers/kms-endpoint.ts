/**
 * A local stand-in for KMS's GenerateMac and VerifyMac (there is no local KMS server). It speaks the
 * JSON 1.1 protocol as KMS does (`X-Amz-Target: TrentService.<action>`, `application/x-amz-json-1.1`),
 * checks each request's SigV4 signature by signing it again with the caller's known secret (service
 * `kms`, the region, the body included), allows each caller only the actions the stack's IAM grants
 * it, and answers a MAC it did not make with `KMSInvalidMacException`, as KMS does. The HMAC itself
 * is node:crypto's HMAC-SHA-256 over a key made here: what KMS would compute, not a proof that KMS
 * computes it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSigV4 } from './sigv4-check.js';

export interface KmsCaller {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** The KMS actions this caller's IAM policy allows, e.g. ['GenerateMac']. */
  allow: string[];
}

export interface KmsCall {
  action: string;
  keyId?: string;
  accessKeyId?: string;
  outcome: string;
}

export interface KmsEndpoint {
  url: string;
  keyArn: string;
  calls: KmsCall[];
  /** Replaces the key's material: every MAC made before is refused from now on (link revocation). */
  replaceKey(): void;
  close(): Promise<void>;
}

export async function startKmsEndpoint(options: {
  region: string;
  callers: KmsCaller[];
  keyArn?: string;
}): Promise<KmsEndpoint> {
  const keyArn =
    options.keyArn ?? `arn:aws:kms:${options.region}:123456789012:key/0b6f2a5e-7c3d-4e1f-9a8b-2c4d6e8f0a1b`;
  let material = randomBytes(32);
  const calls: KmsCall[] = [];
  const callers = new Map(options.callers.map((c) => [c.accessKeyId, c]));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const action = String(req.headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
      const call: KmsCall = { action, outcome: 'ok' };
      calls.push(call);
      const answer = (status: number, payload: object) => {
        res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      const fail = (status: number, type: string, message: string) => {
        call.outcome = type;
        answer(status, { __type: type, message });
      };
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-amz-json-1.1')
        return fail(400, 'SerializationException', 'expected a POST of application/x-amz-json-1.1');

      const signed = await checkSigV4(req, body, {
        service: 'kms',
        region: options.region,
        credentialsFor: (key) => {
          const c = callers.get(key);
          return c
            ? {
                accessKeyId: c.accessKeyId,
                secretAccessKey: c.secretAccessKey,
                ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
              }
            : undefined;
        },
      });
      if (!signed.ok) {
        if (signed.accessKeyId) call.accessKeyId = signed.accessKeyId;
        if (signed.problem === 'missing')
          return fail(400, 'MissingAuthenticationTokenException', 'no SigV4 authorization for kms');
        if (signed.problem === 'unknown-key')
          return fail(400, 'UnrecognizedClientException', 'The security token included is invalid.');
        if (signed.problem === 'date') return fail(400, 'IncompleteSignatureException', signed.detail);
        return fail(400, 'InvalidSignatureException', signed.detail);
      }
      call.accessKeyId = signed.accessKeyId;
      const known = { caller: callers.get(signed.accessKeyId) as KmsCaller };

      let input: Record<string, string>;
      try {
        input = JSON.parse(body) as Record<string, string>;
      } catch {
        return fail(400, 'SerializationException', 'the body is not JSON');
      }
      call.keyId = input.KeyId;
      if (!known.caller.allow.includes(action))
        return fail(
          400,
          'AccessDeniedException',
          `User: ${signed.accessKeyId} is not authorized to perform: kms:${action} on resource: ${keyArn}`,
        );
      if (input.KeyId !== keyArn)
        return fail(400, 'NotFoundException', `Key '${input.KeyId}' does not exist`);
      if (input.MacAlgorithm !== 'HMAC_SHA_256')
        return fail(400, 'InvalidKeyUsageException', `${input.MacAlgorithm} is not valid for this key`);
      const message = Buffer.from(input.Message ?? '', 'base64');
      if (message.length === 0 || message.length > 4096)
        return fail(400, 'ValidationException', 'Message must be 1 to 4096 bytes');
      const mac = createHmac('sha256', material).update(message).digest();
      if (action === 'GenerateMac')
        return answer(200, { KeyId: keyArn, Mac: mac.toString('base64'), MacAlgorithm: 'HMAC_SHA_256' });
      if (action === 'VerifyMac') {
        const given = Buffer.from(input.Mac ?? '', 'base64');
        if (given.length !== mac.length || !timingSafeEqual(given, mac))
          return fail(400, 'KMSInvalidMacException', 'The MAC is not valid for this key and message.');
        return answer(200, { KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_256', MacValid: true });
      }
      return fail(400, 'UnknownOperationException', action);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keyArn,
    calls,
    replaceKey: () => {
      material = randomBytes(32);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
