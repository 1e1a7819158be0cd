/**
 * Where escalation bundles go: S3 (s3-bundle-store.ts: server-side encrypted, shared by presigned
 * links) or a directory on a laptop (here).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export interface StoredBundle {
  /** s3://bucket/key, or a file path. */
  location: string;
  link: string | null;
  expiresAt: string | null;
  /** Why the link may end sooner than `expiresAt`, or why there is none. */
  linkNote?: string;
  /** The object in the S3 console, for readers with AWS access. */
  consoleUrl?: string;
  /** The command that makes a fresh link (`tenant-check link <run id> --cluster …`). */
  command?: string;
}

export interface BundleStore {
  put(key: string, body: Buffer): Promise<StoredBundle>;
  /** A fresh link for a stored bundle (the `tenant-check link` command). */
  link(key: string): Promise<StoredBundle>;
}

/** The local twin: bundles under a directory; the "link" is the file itself. */
export class FileBundleStore implements BundleStore {
  constructor(private readonly dir: string) {}

  /** The key without its `bundles/` prefix: the directory is already the bundles' place. */
  private path(key: string): string {
    return resolve(join(this.dir, key.replace(/^bundles\//, '')));
  }

  async put(key: string, body: Buffer): Promise<StoredBundle> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    return this.link(key);
  }

  async link(key: string): Promise<StoredBundle> {
    const path = this.path(key);
    return { location: path, link: `file://${path}`, expiresAt: null };
  }
}
