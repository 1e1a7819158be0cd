/**
 * Lists a resource page by page (limit/continue), keeping only what `keep` returns of each item, so
 * 10,000 tenants never sit in memory as full objects: one page of raw JSON at a time.
 */

import { failed, type SourceResult, succeeded } from '../model/source.js';
import type { ClusterReader } from './cluster-reader.js';

export const PAGE_SIZE = 500;

interface KubeList<T> {
  items?: T[];
  metadata?: { continue?: string };
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
  const maxPages = options.maxPages ?? 1000;
  do {
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
    if (!page.ok) return failed(page.error, elapsedMs);
    if (!Array.isArray(page.data.items)) {
      return failed({ kind: 'bad-response', message: `${path}: the list has no items array` }, elapsedMs);
    }
    for (const item of page.data.items) {
      const kept = item && typeof item === 'object' ? keep(item) : undefined;
      if (kept !== undefined) items.push(kept);
    }
    pages++;
    token = page.data.metadata?.continue || undefined;
  } while (token && pages < maxPages);
  return succeeded({ items, pages, truncated: token !== undefined }, elapsedMs);
}
