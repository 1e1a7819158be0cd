/**
 * The deployed checker's bundle store: bundles go to S3 as before, and what the message carries to
 * reach one is, besides the `s3://` location: a link to the link service that lasts as long as
 * `bundles.linkExpiry` (at most the retention) whatever happens to the credentials of this
 * invocation, the object in the S3 console, and the `tenant-check link` command. Without a link
 * service (not configured), the link is the inner store's presigned URL with its own, shorter, note.
 */
import type { BundleStore, StoredBundle } from '../sinks/bundle-store.js';
import { PRESIGNED_SECONDS } from './constants.js';
import { type LinkSigner, signLink } from './signer.js';

export interface BundleAccess {
  region: string;
  bucket: string;
  /** The runs table, for the command. */
  table: string;
}

export interface LinkService {
  url: string;
  signer: LinkSigner;
  /** `bundles.linkExpiry`, already capped at the retention by the config. */
  lifetimeSeconds: number;
}

/** The S3 console's page for one object. */
export function consoleUrl(region: string, bucket: string, key: string): string {
  return `https://s3.console.aws.amazon.com/s3/object/${encodeURIComponent(bucket)}?region=${encodeURIComponent(region)}&bucketType=general&prefix=${encodeURIComponent(key)}`;
}

/** `tenant-check link` for the run a bundle key names (`bundles/<cluster>/<yyyy>/<mm>/<dd>/<run id>.tar.gz`). */
export function linkCommand(key: string, access: BundleAccess): string {
  const parts = key.split('/');
  const runId = (parts.at(-1) ?? '').replace(/\.tar\.gz$/, '');
  return `tenant-check link ${runId} --cluster ${parts[1]} --table ${access.table} --bucket ${access.bucket} --region ${access.region}`;
}

export class LinkedBundleStore implements BundleStore {
  constructor(
    private readonly inner: BundleStore,
    private readonly access: BundleAccess,
    private readonly service?: LinkService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(key: string, body: Buffer): Promise<StoredBundle> {
    await this.inner.put(key, body);
    return this.link(key);
  }

  async link(key: string): Promise<StoredBundle> {
    const reach = {
      location: `s3://${this.access.bucket}/${key}`,
      consoleUrl: consoleUrl(this.access.region, this.access.bucket, key),
      command: linkCommand(key, this.access),
    };
    if (!this.service) return { ...(await this.inner.link(key)), ...reach };
    const expiresAt = Math.floor(this.now().getTime() / 1000) + this.service.lifetimeSeconds;
    let link: string;
    try {
      link = await signLink(this.service.url, { key, expiresAt }, this.service.signer);
    } catch (error) {
      // KMS could not sign: the bundle is still written, and reached the other ways.
      return {
        ...reach,
        link: null,
        expiresAt: null,
        linkNote: `no link: it could not be signed (${(error as Error).message}); use the S3 console or the command below`,
      };
    }
    return {
      ...reach,
      link,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
      linkNote: `each click starts a fresh download that must begin within ${PRESIGNED_SECONDS / 60} minutes (click again for another); the link stops working earlier only if the link key is replaced, which is how links are revoked`,
    };
  }
}
