/** External dependencies: the network policies in the operator's namespace, and whether they confine its egress. */

import type { NetworkPolicyStatus } from '../../model/snapshot.js';
import { type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';
import { listAll } from '../paging.js';

interface RawPolicy {
  metadata?: { name?: string };
  spec?: {
    podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    policyTypes?: string[];
    ingress?: unknown[];
    egress?: { ports?: { port?: number | string; protocol?: string }[] }[];
  };
}

export async function collectNetworkPolicies({
  reader,
  operator,
}: CollectContext): Promise<SourceResult<NetworkPolicyStatus[]>> {
  const podLabels = Object.fromEntries(
    operator.podSelector.split(',').map((kv) => kv.trim().split('=') as [string, string]),
  );
  const listed = await listAll<RawPolicy, NetworkPolicyStatus>(
    reader,
    `/apis/networking.k8s.io/v1/namespaces/${operator.namespace}/networkpolicies`,
    (p) => {
      const matchLabels = p.spec?.podSelector?.matchLabels ?? {};
      const selectsOperator =
        (p.spec?.podSelector?.matchExpressions ?? []).length === 0 &&
        Object.entries(matchLabels).every(([k, v]) => podLabels[k] === v);
      // Without policyTypes, a policy with egress rules restricts egress (the API server's default).
      const policyTypes = p.spec?.policyTypes ?? ['Ingress', ...(p.spec?.egress ? ['Egress'] : [])];
      const egress = p.spec?.egress ?? [];
      return {
        name: p.metadata?.name ?? '',
        policyTypes,
        selectsOperator,
        ingressRules: p.spec?.ingress?.length ?? 0,
        egressRules: egress.length,
        restrictsEgress: selectsOperator && policyTypes.includes('Egress'),
        egressPorts: egress.flatMap((rule) =>
          (rule.ports ?? []).map((port) => `${port.protocol ?? 'TCP'}/${port.port ?? '*'}`),
        ),
      };
    },
  );
  if (!listed.ok) return listed;
  return succeeded(listed.data.items, listed.elapsedMs);
}
