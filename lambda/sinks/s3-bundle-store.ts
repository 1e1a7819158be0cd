/**
 * Escalation bundles in S3: server-side encrypted, shared by presigned links. A presigned link dies
 * when the credentials that signed it expire, so its expiry is the smaller of the configured one and
 * what the credentials allow, and it is stated as such.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { BundleStore, StoredBundle } from './bundle-store.js';

/** SigV4 presigned URLs live at most 7 days. */
const SIGV4_MAX_SECONDS = 7 * 86_400;

export class S3BundleStore implements BundleStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly options: {
      linkExpirySeconds: number;
      credentials?: AwsCredentialIdentityProvider;
      now?: () => Date;
    },
  ) {}

  async put(key: string, body: Buffer): Promise<StoredBundle> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/gzip',
        ContentLength: body.length,
        ServerSideEncryption: 'AES256',
      }),
    );
    return this.link(key);
  }

  async link(key: string): Promise<StoredBundle> {
    const now = (this.options.now ?? (() => new Date()))();
    let seconds = Math.min(this.options.linkExpirySeconds, SIGV4_MAX_SECONDS);
    let linkNote: string | undefined;
    const identity = this.options.credentials ? await this.options.credentials() : undefined;
    if (identity?.expiration) {
      const left = Math.floor((identity.expiration.getTime() - now.getTime()) / 1000) - 60;
      if (left < seconds) {
        seconds = Math.max(60, left);
        linkNote =
          'the link ends when the credentials that signed it expire; `tenant-check link <run id>` makes a fresh one';
      }
    } else if (identity?.sessionToken) {
      linkNote =
        'signed with temporary credentials: the link may end sooner, when they expire; `tenant-check link <run id>` makes a fresh one';
    }
    const link = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: seconds,
    });
    return {
      location: `s3://${this.bucket}/${key}`,
      link,
      expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
      ...(linkNote ? { linkNote } : {}),
    };
  }
}
