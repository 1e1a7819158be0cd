/** Resource constraints: `kubectl get resourcequotas --all-namespaces`, the resources near or at their hard limit. */

import type { QuotaUsage, ResourceQuotaSummary } from '../../model/snapshot.js';
import { type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';
import { listAll } from '../paging.js';
import { parseQuantity } from '../quantity.js';

const NEAR = 0.9;
const KEPT = 200;

interface RawQuota {
  metadata?: { name?: string; namespace?: string };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export async function collectResourceQuotas({
  reader,
}: CollectContext): Promise<SourceResult<ResourceQuotaSummary>> {
  const near: QuotaUsage[] = [];
  const listed = await listAll<RawQuota, true>(reader, '/api/v1/resourcequotas', (q) => {
    for (const [resource, hardText] of Object.entries(q.status?.hard ?? {})) {
      const usedText = q.status?.used?.[resource] ?? '0';
      const hard = parseQuantity(hardText);
      const used = parseQuantity(usedText);
      if (hard === undefined || used === undefined) continue;
      // A hard limit of 0 forbids the resource outright: that is "at limit" too.
      if (hard === 0 || used / hard >= NEAR) {
        near.push({
          namespace: q.metadata?.namespace ?? '',
          name: q.metadata?.name ?? '',
          resource,
          used,
          hard,
          usedText,
          hardText,
        });
      }
    }
    return true;
  });
  if (!listed.ok) return listed;
  const ratio = (u: QuotaUsage) => (u.hard === 0 ? Number.POSITIVE_INFINITY : u.used / u.hard);
  near.sort((a, b) => ratio(b) - ratio(a));
  return succeeded(
    {
      quotas: listed.data.items.length,
      nearLimit: near.slice(0, KEPT),
      atLimit: near.filter((u) => u.used >= u.hard).length,
    },
    listed.elapsedMs,
  );
}
