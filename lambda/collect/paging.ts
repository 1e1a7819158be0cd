/**
 * Lists a resource page by page (limit/continue), keeping only what `keep` returns of each item, so
 * 10,000 tenants never sit in memory as full objects: one page of raw JSON at a time.
 *
 * A continue token expires (410 Gone, reason Expired) when etcd compacts past the list's version,
 * which a slow or long list meets. The API server then offers a fresh token that continues at the
 * newest version (the rest of the list may be a little newer than its start); without one the list
 * starts again, and the items already kept are skipped by their key (lists come in key order), so
 * nothing is counted twice. Either way the source's record says so.
 */

import { failed, type SourceResult, succeeded } from '../model/source.js';
import type { ClusterReader } from './cluster-reader.js';
import { recordRead } from './source-log.js';

/** Restarts of one list after expired tokens, at most (each is bounded by the budget anyway). */
export const MAX_LIST_RESTARTS = 3;

export const PAGE_SIZE = 500;

interface KubeList<T> {
  items?: T[];
  metadata?: { continue?: string };
}

/** An item's place in the list: etcd's key order, namespace then name. */
function keyOf(item: unknown): string | undefined {
  const metadata = (item as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  if (typeof metadata?.name !== 'string') return undefined;
  return `${typeof metadata.namespace === 'string' ? metadata.namespace : ''}/${metadata.name}`;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
  /** Pages read at most; the result says whether it stopped early. */
  maxPages?: number;
  timeoutMs?: number;
}

export interface Listed<K> {
  items: K[];
  pages: number;
  /** More items existed than maxPages allowed reading. */
  truncated: boolean;
  /** Times an expired continue token was replaced (fresh token or a restart). */
  restarts?: number;
}

export async function listAll<T, K>(
  reader: ClusterReader,
  path: string,
  keep: (item: T) => K | undefined,
  options: ListOptions = {},
): Promise<SourceResult<Listed<K>>> {
  const items: K[] = [];
  let pages = 0;
  let elapsedMs = 0;
  let token: string | undefined;
  let restarts = 0;
  /** After a restart from the top: items up to this key were kept already. */
  let skipThrough: string | undefined;
  let lastKey: string | undefined;
  const maxPages = options.maxPages ?? 1000;
  for (;;) {
    const page = await reader.getJson<KubeList<T>>(path, {
      query: {
        limit: options.pageSize ?? PAGE_SIZE,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        continue: token,
      },
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    elapsedMs += page.elapsedMs;
    if (!page.ok && page.error.status === 410 && token !== undefined && restarts < MAX_LIST_RESTARTS) {
      restarts++;
      const fresh = page.error.freshContinue;
      const note = fresh
        ? `${path}: the continue token expired (410) after ${pages} pages; continued with the fresh token the API server gave (the rest of the list is from a newer version)`
        : `${path}: the continue token expired (410) after ${pages} pages; the list was started again, skipping the ${items.length} items already read`;
      recordRead(1, [note]);
      token = fresh;
      if (!fresh) skipThrough = lastKey;
      continue;
    }
    if (!page.ok) {
      const { freshContinue: _token, ...error } = page.error;
      return failed(error, elapsedMs);
    }
    if (!Array.isArray(page.data.items)) {
      return failed({ kind: 'bad-response', message: `${path}: the list has no items array` }, elapsedMs);
    }
    for (const item of page.data.items) {
      const key = keyOf(item);
      if (skipThrough !== undefined && key !== undefined && key <= skipThrough) continue;
      if (key !== undefined) lastKey = key;
      const kept = item && typeof item === 'object' ? keep(item) : undefined;
      if (kept !== undefined) items.push(kept);
    }
    pages++;
    token = page.data.metadata?.continue || undefined;
    if (!token || pages >= maxPages) break;
  }
  return succeeded(
    { items, pages, truncated: token !== undefined, ...(restarts > 0 ? { restarts } : {}) },
    elapsedMs,
  );
}
