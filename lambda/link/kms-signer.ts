/**
 * The LinkSigner on a KMS HMAC key (key spec HMAC_256, usage GENERATE_VERIFY_MAC): KMS makes and
 * checks the MAC, the key never leaves KMS, and there is no secret for us to store or rotate.
 * Revoking every link ever sent means replacing the key.
 *
 * KMS's JSON 1.1 protocol is spoken here directly (POST with `X-Amz-Target: TrentService.<action>`,
 * SigV4 for the service `kms`), with the signer the AMP transport already uses, instead of adding
 * @aws-sdk/client-kms for two calls. Endpoints as the SDK resolves them: `AWS_ENDPOINT_URL_KMS`,
 * then `AWS_ENDPOINT_URL`, then `https://kms.<region>.amazonaws.com`.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { fromBase64Url, type LinkSigner, toBase64Url } from './signer.js';

export const MAC_ALGORITHM = 'HMAC_SHA_256';

/** A KMS error, by its `__type` (for example KMSInvalidMacException, ThrottlingException). */
export class KmsError extends Error {
  override readonly name = 'KmsError';
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(`KMS ${type} (HTTP ${status}): ${message}`);
  }
}

export interface KmsSignerOptions {
  /** The key's ARN (or id, or alias ARN). */
  keyId: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** Overrides the regional endpoint (a VPC endpoint, or a local test server). */
  endpoint?: string;
  timeoutMs?: number;
  /** Attempts for throttling, 5xx and network errors. */
  attempts?: number;
}

export function kmsEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_ENDPOINT_URL_KMS ?? env.AWS_ENDPOINT_URL ?? `https://kms.${region}.amazonaws.com`;
}

const RETRYABLE = new Set(['ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException']);

export class KmsLinkSigner implements LinkSigner {
  private readonly signer: SignatureV4;
  private readonly endpoint: URL;

  constructor(private readonly options: KmsSignerOptions) {
    this.endpoint = new URL(options.endpoint ?? kmsEndpoint(options.region));
    this.signer = new SignatureV4({
      service: 'kms',
      region: options.region,
      credentials: options.credentials,
      sha256: Hash.bind(null, 'sha256'),
    });
  }

  async sign(payload: string): Promise<string> {
    const answer = await this.call<{ Mac?: string }>('GenerateMac', {
      KeyId: this.options.keyId,
      MacAlgorithm: MAC_ALGORITHM,
      Message: Buffer.from(payload, 'utf8').toString('base64'),
    });
    if (!answer.Mac) throw new KmsError('MissingMac', 200, 'GenerateMac answered without a Mac');
    return toBase64Url(Buffer.from(answer.Mac, 'base64'));
  }

  async verify(payload: string, sig: string): Promise<boolean> {
    const mac = fromBase64Url(sig);
    if (!mac) return false;
    try {
      const answer = await this.call<{ MacValid?: boolean }>('VerifyMac', {
        KeyId: this.options.keyId,
        MacAlgorithm: MAC_ALGORITHM,
        Message: Buffer.from(payload, 'utf8').toString('base64'),
        Mac: mac.toString('base64'),
      });
      return answer.MacValid === true;
    } catch (error) {
      // KMS answers a MAC it did not make with an error, not with MacValid: false.
      if (error instanceof KmsError && error.type === 'KMSInvalidMacException') return false;
      throw error;
    }
  }

  private async call<T>(action: 'GenerateMac' | 'VerifyMac', input: Record<string, string>): Promise<T> {
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(action, input);
      } catch (error) {
        const retryable = !(error instanceof KmsError) || RETRYABLE.has(error.type) || error.status >= 500;
        if (!retryable || attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 50 * (0.5 + Math.random())));
      }
    }
  }

  private async once<T>(action: string, input: Record<string, string>): Promise<T> {
    const body = JSON.stringify(input);
    const path = this.endpoint.pathname || '/';
    const request = new HttpRequest({
      method: 'POST',
      protocol: this.endpoint.protocol,
      hostname: this.endpoint.hostname,
      ...(this.endpoint.port ? { port: Number(this.endpoint.port) } : {}),
      path,
      headers: {
        host: this.endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `TrentService.${action}`,
      },
      body,
    });
    const signed = await this.signer.sign(request);
    const response = await fetch(new URL(path, this.endpoint), {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // an answer that is not JSON (a proxy's error page): reported below by its status
    }
    if (response.ok) return parsed as T;
    const type = String(parsed.__type ?? response.headers.get('x-amzn-errortype') ?? 'UnknownError')
      .split('#')
      .pop()
      ?.split(':')[0] as string;
    throw new KmsError(type, response.status, String(parsed.message ?? parsed.Message ?? text.slice(0, 200)));
  }
}
