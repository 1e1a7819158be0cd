/** Recent events across namespaces: `kubectl get events --all-namespaces --sort-by=.lastTimestamp | tail -100`, warnings first. */

import type { EventRecord, EventSummary } from '../../model/snapshot.js';
import { type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';
import { listAll } from '../paging.js';

export const RECENT_EVENTS = 100;
const MAX_PAGES = 40;

interface RawEvent {
  metadata?: { namespace?: string; creationTimestamp?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
}

const validTime = (value: string | null | undefined): boolean =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** Keeps the newest `size` records seen (a bounded buffer, pruned when it doubles). */
class Newest {
  private items: EventRecord[] = [];
  constructor(private readonly size: number) {}
  add(record: EventRecord) {
    this.items.push(record);
    if (this.items.length >= this.size * 2) this.prune();
  }
  private prune() {
    this.items.sort((a, b) => (b.lastTime ?? '').localeCompare(a.lastTime ?? ''));
    this.items.length = Math.min(this.items.length, this.size);
  }
  result(): EventRecord[] {
    this.prune();
    return this.items;
  }
}

export async function collectEvents({ reader }: CollectContext): Promise<SourceResult<EventSummary>> {
  const warnings = new Newest(RECENT_EVENTS);
  const others = new Newest(RECENT_EVENTS);
  const warningsByReason: Record<string, number> = {};
  const listed = await listAll<RawEvent, true>(
    reader,
    '/api/v1/events',
    (e) => {
      const lastTime =
        e.series?.lastObservedTime ??
        e.lastTimestamp ??
        e.eventTime ??
        e.metadata?.creationTimestamp ??
        undefined;
      const firstTime = e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? undefined;
      const record: EventRecord = {
        type: e.type ?? 'Normal',
        count: e.series?.count ?? e.count ?? 1,
        ...(e.metadata?.namespace ? { namespace: e.metadata.namespace } : {}),
        ...(e.involvedObject?.kind ? { kind: e.involvedObject.kind } : {}),
        ...(e.involvedObject?.name ? { name: e.involvedObject.name } : {}),
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.message ? { message: e.message.slice(0, 500) } : {}),
        ...(validTime(firstTime) ? { firstTime: new Date(firstTime as string).toISOString() } : {}),
        ...(validTime(lastTime) ? { lastTime: new Date(lastTime as string).toISOString() } : {}),
      };
      if (record.type === 'Warning') {
        warnings.add(record);
        const reason = record.reason ?? '(none)';
        warningsByReason[reason] = (warningsByReason[reason] ?? 0) + record.count;
      } else others.add(record);
      return true;
    },
    { maxPages: MAX_PAGES },
  );
  if (!listed.ok) return listed;
  const recent = [...warnings.result(), ...others.result()].slice(0, RECENT_EVENTS);
  return succeeded(
    { recent, warningsByReason, total: listed.data.items.length, truncated: listed.data.truncated },
    listed.elapsedMs,
  );
}
