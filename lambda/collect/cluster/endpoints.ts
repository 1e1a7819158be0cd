/**
 * A Service's endpoints as kube-proxy sees them: the ready and not-ready addresses of its Endpoints
 * object, or, where there is none (the Endpoints API is deprecated since 1.33), of its EndpointSlices.
 */

import type { ClusterReader } from '../cluster-reader.js';

export type ServiceEndpoints =
  | { exists: true; ready: number; notReady: number }
  | { exists: false }
  | { error: string };

interface RawEndpoints {
  subsets?: { addresses?: unknown[]; notReadyAddresses?: unknown[] }[];
}

interface RawEndpointSlice {
  addressType?: string;
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean | null } }[];
}

const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);

export async function readServiceEndpoints(
  reader: ClusterReader,
  namespace: string,
  name: string,
  timeoutMs = 5_000,
): Promise<ServiceEndpoints> {
  const ns = encodeURIComponent(namespace);
  const endpoints = await reader.getJson<RawEndpoints>(
    `/api/v1/namespaces/${ns}/endpoints/${encodeURIComponent(name)}`,
    { timeoutMs },
  );
  if (endpoints.ok) {
    const subsets = Array.isArray(endpoints.data.subsets) ? endpoints.data.subsets : [];
    return {
      exists: true,
      ready: subsets.reduce((n, s) => n + count(s?.addresses), 0),
      notReady: subsets.reduce((n, s) => n + count(s?.notReadyAddresses), 0),
    };
  }
  if (endpoints.error.status !== 404) return { error: endpoints.error.message };
  const slices = await reader.getJson<{ items?: RawEndpointSlice[] }>(
    `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
    { query: { labelSelector: `kubernetes.io/service-name=${name}`, limit: 50 }, timeoutMs },
  );
  if (!slices.ok) {
    // No Endpoints, and the slices cannot be read: what is known is that the Endpoints are absent.
    return slices.error.status === 404 ? { exists: false } : { error: slices.error.message };
  }
  const items = Array.isArray(slices.data.items) ? slices.data.items : [];
  if (items.length === 0) return { exists: false };
  // A dual-stack Service has one slice family per address type: count the larger one, not both.
  const byType = new Map<string, { ready: number; notReady: number }>();
  for (const slice of items) {
    const totals = byType.get(slice?.addressType ?? '') ?? { ready: 0, notReady: 0 };
    for (const endpoint of Array.isArray(slice?.endpoints) ? slice.endpoints : []) {
      // A nil ready condition means ready (the API's documented default).
      if (endpoint?.conditions?.ready === false) totals.notReady++;
      else totals.ready++;
    }
    byType.set(slice?.addressType ?? '', totals);
  }
  const best = [...byType.values()].sort((a, b) => b.ready + b.notReady - (a.ready + a.notReady))[0];
  return { exists: true, ready: best?.ready ?? 0, notReady: best?.notReady ?? 0 };
}
