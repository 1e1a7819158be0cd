/** External dependencies: the network policies in the operator's namespace, and whether they confine its egress. */

import type { EgressRule, NetworkPolicyStatus } from '../../model/snapshot.js';
import { type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';
import { listAll } from '../paging.js';

/** Egress rules kept per policy, and peers and ports per rule (the counts cover them all). */
export const EGRESS_RULES_KEPT = 20;
const PEERS_KEPT = 20;
const PORTS_KEPT = 20;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

interface RawPeer {
  ipBlock?: { cidr?: string; except?: string[] };
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
}

interface RawPort {
  port?: number | string;
  endPort?: number;
  protocol?: string;
}

interface RawPolicy {
  metadata?: { name?: string };
  spec?: {
    podSelector?: LabelSelector;
    policyTypes?: string[];
    ingress?: unknown[];
    egress?: { ports?: RawPort[]; to?: RawPeer[] }[];
  };
}

/**
 * Whether a label selector selects a pod with these labels, as the API server evaluates it: every
 * matchLabels pair and every expression must hold; an empty selector (`{}`) selects every pod.
 */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const pairs = Object.entries(selector.matchLabels ?? {});
  if (!pairs.every(([k, v]) => labels[k] === v)) return false;
  return (selector.matchExpressions ?? []).every((e) => {
    const key = e?.key ?? '';
    const values = Array.isArray(e?.values) ? e.values : [];
    const has = Object.hasOwn(labels, key);
    switch (e?.operator) {
      case 'In':
        return has && values.includes(labels[key] as string);
      case 'NotIn':
        return !has || !values.includes(labels[key] as string);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        // An operator the API server would have refused: do not claim the policy selects the pod.
        return false;
    }
  });
}

/** `{k=v,k2 in (a,b),k3}`: a selector as a reader reads it. */
function selectorText(selector: LabelSelector | undefined): string {
  const terms = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector?.matchExpressions ?? []).map((e) => {
      const values = Array.isArray(e?.values) ? e.values.join(',') : '';
      switch (e?.operator) {
        case 'In':
          return `${e.key} in (${values})`;
        case 'NotIn':
          return `${e.key} notin (${values})`;
        case 'Exists':
          return `${e.key}`;
        case 'DoesNotExist':
          return `!${e.key}`;
        default:
          return `${e?.key ?? ''} ${e?.operator ?? ''} (${values})`;
      }
    }),
  ];
  return `{${terms.join(',')}}`;
}

/** One peer: `cidr:10.0.0.0/16 except 10.0.5.0/24`, `namespace:{k=v}`, `pod:{k=v}`, `namespace:{k=v}+pod:{k=v}`. */
export function peerText(peer: RawPeer): string {
  if (peer.ipBlock) {
    const except = (peer.ipBlock.except ?? []).filter((e) => typeof e === 'string');
    return `cidr:${peer.ipBlock.cidr ?? ''}${except.length > 0 ? ` except ${except.join(',')}` : ''}`;
  }
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespace:${selectorText(peer.namespaceSelector)}`);
  if (peer.podSelector) parts.push(`pod:${selectorText(peer.podSelector)}`);
  return parts.join('+') || 'unknown';
}

function portText(port: RawPort): string {
  const range =
    port.endPort !== undefined && port.port !== undefined ? `${port.port}-${port.endPort}` : undefined;
  return `${port.protocol ?? 'TCP'}/${range ?? port.port ?? '*'}`;
}

function egressRule(rule: { ports?: RawPort[]; to?: RawPeer[] } | undefined): EgressRule {
  const ports = Array.isArray(rule?.ports) ? rule.ports : [];
  const to = Array.isArray(rule?.to) ? rule.to : [];
  return {
    ports: ports.slice(0, PORTS_KEPT).map((p) => portText(p ?? {})),
    peers: to.slice(0, PEERS_KEPT).map((p) => peerText(p ?? {})),
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
      // An absent or empty podSelector ({}) selects every pod of the namespace, the operator's too.
      const selectsOperator = selects(p.spec?.podSelector ?? {}, podLabels);
      // Without policyTypes, a policy with egress rules restricts egress (the API server's default).
      const policyTypes = p.spec?.policyTypes ?? ['Ingress', ...(p.spec?.egress ? ['Egress'] : [])];
      const egress = Array.isArray(p.spec?.egress) ? p.spec.egress : [];
      return {
        name: p.metadata?.name ?? '',
        policyTypes,
        selectsOperator,
        ingressRules: p.spec?.ingress?.length ?? 0,
        egressRules: egress.length,
        restrictsEgress: selectsOperator && policyTypes.includes('Egress'),
        egressPorts: egress.flatMap((rule) =>
          (rule?.ports ?? []).map((port) => `${port.protocol ?? 'TCP'}/${port.port ?? '*'}`),
        ),
        egress: egress.slice(0, EGRESS_RULES_KEPT).map(egressRule),
      };
    },
  );
  if (!listed.ok) return listed;
  return succeeded(listed.data.items, listed.elapsedMs);
}
