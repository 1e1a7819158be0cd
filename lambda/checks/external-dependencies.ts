/**
 * External dependencies: the registry's datasource and any outside host the operator calls. "Failed to
 * ping MySQL" is where the problem shows, not what it is; like an engineer, this check asks why the
 * target cannot be reached and follows the path in order, naming the first broken link:
 *   1. name resolution: the resolver failing is the cluster's DNS; a name that does not exist, the
 *      outside world's DNS;
 *   2. policy: a NetworkPolicy that confines the operator's egress and allows nothing to the target;
 *   3. the network: several destinations failing at once, with node or CNI trouble beside them;
 *   4. the far end: an outside host that accepts connections but answers too slowly;
 *   5. the target itself: a Service without ready endpoints, a refused connection, the database's
 *      own refusal (credentials, connections).
 */
import type { CauseId } from '../model/causes.js';
import { type ErrorSignal, UNREACHABLE_SIGNALS } from '../model/error-text.js';
import type { Finding } from '../model/finding.js';
import type {
  ClusterSnapshot,
  DatasourceTarget,
  NetworkPolicyStatus,
  RegistryStatus,
} from '../model/snapshot.js';
import { directCause, volume } from './error-patterns.js';
import { coreDnsTrouble, type ErrorGroup, evidenceOf, quote, shareOf } from './evidence.js';
import { findings } from './finding.js';
import type { Hints } from './remediation.js';
import type { Check } from './types.js';

const CHECK = 'external-dependencies';

/** A call that did not reach its target, or a database that answered with a refusal. */
const PATH_SIGNALS: ReadonlySet<ErrorSignal> = new Set([...UNREACHABLE_SIGNALS, 'db-refused']);

/** A group about a call to the datasource or an outside host that did not succeed. */
function isDependencyFailure(g: ErrorGroup): boolean {
  if (!g.reading.signals.some((s) => PATH_SIGNALS.has(s))) return false;
  // A webhook, a quota, RBAC: named by what they state (error-patterns.ts).
  if (directCause(g)) return false;
  if (g.reading.database) return true;
  return g.reading.destination?.scope === 'external';
}

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const a = ipToInt(ip);
  const b = ipToInt(base ?? '');
  if (a === undefined || b === undefined) return false;
  const size = 2 ** (32 - Number(bits ?? 32));
  return Math.floor(a / size) === Math.floor(b / size);
}

/** Whether an egress rule lets the operator reach this target (unknown peers are given the benefit of the doubt). */
function allows(
  rule: NetworkPolicyStatus['egress'][number],
  host: string | undefined,
  port: number | undefined,
  clusterTarget: boolean,
): boolean {
  const portOk =
    rule.ports.length === 0 ||
    port === undefined ||
    rule.ports.some((p) => p === `TCP/${port}` || p === 'TCP/*' || p === `TCP/${String(port)}`);
  if (!portOk) return false;
  if (rule.peers.length === 0) return true;
  return rule.peers.some((peer) => {
    if (peer.startsWith('cidr:')) {
      const [range, ...rest] = peer.slice(5).split(' except ');
      if (!host || ipToInt(host) === undefined) return !clusterTarget; // a name: CIDRs match what it resolves to
      return (
        inCidr(host, range ?? '') &&
        !rest
          .join(' ')
          .split(/[ ,]+/)
          .some((x) => x && inCidr(host, x))
      );
    }
    // Namespace and pod selectors reach pods of the cluster only.
    return clusterTarget;
  });
}

/** The policies that confine the operator's egress and let nothing through to the target. */
function blockingPolicies(
  snapshot: ClusterSnapshot,
  host: string | undefined,
  port: number | undefined,
  clusterTarget: boolean,
): NetworkPolicyStatus[] | undefined {
  if (!snapshot.networkPolicies.ok) return undefined;
  const confining = snapshot.networkPolicies.data.filter((p) => p.restrictsEgress);
  if (confining.length === 0) return [];
  // Policies are additive: traffic is allowed when any policy selecting the pod allows it.
  const allowed = confining.some((p) => (p.egress ?? []).some((r) => allows(r, host, port, clusterTarget)));
  return allowed ? [] : confining;
}

/** Node or CNI trouble beside the failures: the network itself. */
function networkTrouble(snapshot: ClusterSnapshot): string[] {
  const out: string[] = [];
  if (snapshot.nodes.ok) {
    for (const n of snapshot.nodes.data.nodes) {
      if (n.ready !== 'True') out.push(`node ${n.name}: Ready=${n.ready}`);
      if (n.pressures.includes('NetworkUnavailable')) out.push(`node ${n.name}: NetworkUnavailable`);
    }
  }
  if (snapshot.kubeSystem?.ok) {
    const evidence = evidenceOf(snapshot);
    for (const p of snapshot.kubeSystem.data.pods) {
      if (!/aws-node|kube-proxy|calico|cilium|vpc-cni/.test(p.app)) continue;
      const recent =
        p.lastTerminated?.finishedAt &&
        evidence.timingOf(undefined, p.lastTerminated.finishedAt) === 'current';
      if (!p.ready || p.waitingReason || recent)
        out.push(
          `${p.app} pod ${p.name}${p.nodeName ? ` on ${p.nodeName}` : ''}: ${p.ready ? 'ready' : 'not ready'}${p.waitingReason ? `, ${p.waitingReason}` : ''}, ${p.restartCount} restarts`,
        );
    }
  }
  return out;
}

function targetOf(
  snapshot: ClusterSnapshot,
): { registry: RegistryStatus; target: DatasourceTarget } | undefined {
  if (!snapshot.registries.ok) return undefined;
  const failing = snapshot.registries.data.filter(
    (r) => r.readyCondition?.status === 'False' && r.datasource,
  );
  const registry = failing[0] ?? snapshot.registries.data.find((r) => r.datasource);
  return registry?.datasource ? { registry, target: registry.datasource } : undefined;
}

interface PathVerdict {
  cause: CauseId;
  certainty: number;
  why: string[];
  hints: Hints;
}

/**
 * The signals that carry the failure: those of the groups that make up at least a fifth of it (a lone
 * transient line beside a sustained failure does not steer the path).
 */
function dominantSignals(groups: ErrorGroup[]): Set<ErrorSignal> {
  const total = groups.reduce((n, g) => n + g.count, 0);
  const bySignal = new Map<ErrorSignal, number>();
  for (const g of groups)
    for (const sig of g.reading.signals) bySignal.set(sig, (bySignal.get(sig) ?? 0) + g.count);
  return new Set([...bySignal.entries()].filter(([, n]) => n >= total * 0.2).map(([sig]) => sig));
}

const CONNECT_FAILURES: ReadonlySet<ErrorSignal> = new Set(['dial-timeout', 'no-route', 'reset', 'refused']);

/** The first broken link on the path to the target. */
export function followPath(
  snapshot: ClusterSnapshot,
  groups: ErrorGroup[],
  otherFailures: ErrorGroup[],
): PathVerdict {
  const signals = dominantSignals(groups);
  const named = targetOf(snapshot);
  const logged = groups.find(
    (g) => g.reading.destination && g.reading.destination.scope !== 'apiserver',
  )?.reading;
  const database = groups.some((g) => g.reading.database);
  const target = database ? named?.target : undefined;
  const service = target?.service && 'readyEndpoints' in target.service ? target.service : undefined;
  const externalName = service?.externalName;
  const host = externalName ?? target?.host ?? logged?.destination?.host ?? logged?.lookup;
  const port = target?.port ?? logged?.destination?.port;
  const scope = externalName
    ? 'external'
    : (target?.scope ?? (logged?.destination?.scope === 'cluster' ? 'cluster' : 'external'));
  const hints: Hints = target
    ? {
        datasource: {
          host: target.host,
          port: target.port,
          ...(named ? { registry: named.registry.name } : {}),
        },
        ...(externalName ? { externalHost: externalName } : {}),
      }
    : host
      ? { externalHost: host }
      : {};
  const what = database
    ? `the datasource${host ? ` ${host}${port ? `:${port}` : ''}` : ''}`
    : (host ?? 'an outside host');

  const dns = coreDnsTrouble(snapshot, evidenceOf(snapshot));
  const network = networkTrouble(snapshot);
  // The API server failing to connect too: more than one destination at once.
  const elsewhere = otherFailures.filter(
    (g) =>
      g.timing !== 'past' &&
      g.reading.destination?.scope === 'apiserver' &&
      g.reading.signals.some((sig) => CONNECT_FAILURES.has(sig) || sig === 'slow-response'),
  );
  const connectFailure = [...signals].some((sig) => CONNECT_FAILURES.has(sig) && sig !== 'refused');
  const resolver = signals.has('dns-resolver');

  // Connections failing to the API server as well as to the target: more than DNS is down.
  const multi = elsewhere.length > 0 && connectFailure;
  // 1. Name resolution, when the resolver is what fails (CoreDNS unhealthy, or lookups alone fail).
  if (resolver && ((dns.length > 0 && !multi) || (elsewhere.length === 0 && !connectFailure)))
    return {
      cause: 'dns-failure',
      certainty: dns.length > 0 ? 0.95 : 0.85,
      why: [`the cluster's resolver fails to answer for ${what}`, ...dns],
      hints,
    };
  // 2. The network: several destinations failing to connect at once (lookups included, with CoreDNS healthy).
  if (elsewhere.length > 0 && (connectFailure || resolver || network.length > 0)) {
    return {
      cause: 'network-instability',
      certainty: network.length > 0 ? 0.95 : 0.85,
      why: [
        `connections fail to several destinations at once: ${what}${resolver ? ', the cluster DNS service' : ''} and the API server${resolver && dns.length === 0 ? ' (CoreDNS itself is healthy)' : ''}`,
        ...network.slice(0, 4),
        ...elsewhere.slice(0, 2).map((g) => g.sample.slice(0, 200)),
      ],
      hints,
    };
  }
  if (resolver)
    return {
      cause: 'dns-failure',
      certainty: 0.8,
      why: [`the cluster's resolver fails to answer for ${what}`],
      hints,
    };
  // The resolver answers SERVFAIL: for an outside name with CoreDNS healthy, the name's own DNS fails.
  if (signals.has('dns-servfail')) {
    if (scope === 'external' && dns.length === 0)
      return {
        cause: 'external-dns',
        certainty: 0.85,
        why: [
          `the DNS servers of ${host ?? 'the name'} fail to answer for it (SERVFAIL) while the cluster's resolver is healthy`,
        ],
        hints,
      };
    return {
      cause: 'dns-failure',
      certainty: 0.8,
      why: [`the cluster's resolver fails for ${what} (SERVFAIL)`, ...dns],
      hints,
    };
  }
  if (signals.has('dns-nxdomain')) {
    if (scope === 'external')
      return {
        cause: 'external-dns',
        certainty: dns.length > 0 ? 0.6 : 0.9,
        why: [
          `${host ?? 'the name'} does not exist in DNS (NXDOMAIN) while the cluster's resolver answers${externalName ? ` (the Service ${service?.namespace}/${service?.name} is an ExternalName for it)` : ''}`,
          ...dns,
        ],
        hints,
      };
    return {
      cause: 'datasource-unavailable',
      certainty: 0.8,
      why: [`the Service ${host} does not exist in the cluster`],
      hints,
    };
  }
  // 3. Policy.
  const ip =
    logged?.destination?.host && ipToInt(logged.destination.host) !== undefined
      ? logged.destination.host
      : undefined;
  const blocking = blockingPolicies(snapshot, ip ?? host, port, scope === 'cluster');
  const targetHealthy = service
    ? service.exists && (service.readyEndpoints > 0 || Boolean(externalName))
    : !signals.has('refused') && !signals.has('db-refused');
  if (blocking && blocking.length > 0 && !signals.has('db-refused') && !signals.has('refused')) {
    return {
      cause: 'network-policy-blocking',
      certainty: targetHealthy ? 0.95 : 0.75,
      why: [
        ...blocking.map(
          (p) =>
            `NetworkPolicy ${snapshot.operator.namespace}/${p.name} confines the operator's egress to ${p.egressPorts.length > 0 ? p.egressPorts.join(', ') : 'nothing'}: nothing allows ${what}${port ? ` on TCP/${port}` : ''}`,
        ),
        ...(service
          ? [
              `the target itself is up: ${service.namespace}/${service.name} has ${service.readyEndpoints} ready endpoints`,
            ]
          : []),
      ],
      hints: { ...hints, policies: blocking.map((p) => p.name) },
    };
  }
  // 4. Node or CNI trouble beside connection failures: the network.
  if (network.length > 0 && (signals.has('no-route') || signals.has('reset') || connectFailure)) {
    return {
      cause: 'network-instability',
      certainty: 0.75,
      why: [`connections to ${what} fail beside node or CNI trouble`, ...network.slice(0, 4)],
      hints,
    };
  }
  // 5. The far end: an outside host that connects but answers too slowly.
  const slow = signals.has('slow-response') || (signals.has('deadline') && !signals.has('dial-timeout'));
  if (scope === 'external' && slow && !signals.has('refused') && !signals.has('db-refused')) {
    return {
      cause: 'external-api-timeout',
      certainty: 0.9,
      why: [`${host ?? 'an outside host'} accepts connections but does not answer in time`],
      hints: { ...hints, externalHost: host ?? '' },
    };
  }
  if (!database && scope === 'external' && signals.has('dial-timeout'))
    return {
      cause: 'external-api-timeout',
      certainty: 0.75,
      why: [`${host ?? 'an outside host'} cannot be reached in time`],
      hints: { ...hints, externalHost: host ?? '' },
    };
  // 6. The target itself.
  const why: string[] = [];
  if (service && !externalName && (!service.exists || service.readyEndpoints === 0))
    why.push(
      service.exists
        ? `the Service ${service.namespace}/${service.name} has no ready endpoints (${service.notReadyEndpoints} not ready)`
        : `the Service ${service.namespace}/${service.name} does not exist`,
    );
  if (signals.has('db-refused'))
    why.push('the database answers and refuses the operator (credentials, grants or connection limits)');
  if (signals.has('refused')) why.push(`connections to ${what} are refused: nothing listens there`);
  if (why.length === 0)
    why.push(`${what} does not answer, and nothing on the path (DNS, policy, network) explains it`);
  return {
    cause: database || scope === 'cluster' ? 'datasource-unavailable' : 'external-api-timeout',
    certainty: why.length > 1 || signals.has('db-refused') || service ? 0.9 : 0.75,
    why,
    hints,
  };
}

export const externalDependencies: Check = (snapshot) => {
  const f = findings(snapshot, CHECK);
  const evidence = evidenceOf(snapshot);
  const failures = evidence.groups.filter((g) => g.source !== 'events' && isDependencyFailure(g));
  const current = failures.filter((g) => g.timing !== 'past');
  const out: Finding[] = [];
  const registrySymptom = snapshot.registries.ok
    ? snapshot.registries.data.filter(
        (r) => r.readyCondition?.status === 'False' && r.readyCondition.reason === 'DatabaseConnectionFailed',
      )
    : [];
  if (current.length === 0 && registrySymptom.length === 0) {
    const past = failures.filter((g) => g.timing === 'past');
    if (past.length > 0)
      out.push(
        f.ok({
          summary:
            'the datasource failed before the errors began and has answered since: history, not the cause',
          evidence: past.slice(0, 3).map((g) => quote(g, evidence)),
        }),
      );
    return out;
  }
  const others = evidence.groups.filter((g) => !failures.includes(g));
  const verdict = followPath(snapshot, current, others);
  const logs = evidence.groups.filter((g) => g.source === 'logs');
  const share = current.length > 0 ? Math.max(...current.map((g) => shareOf(g, evidence, logs))) : 0;
  const totalShare = Math.min(
    1,
    current.filter((g) => g.source === 'logs').reduce((n, g) => n + shareOf(g, evidence, logs), 0),
  );
  const size = current.length > 0 ? Math.max(...current.map(volume)) : 0.6;
  const symptom = registrySymptom.length > 0 ? 1 : 0;
  const weight =
    verdict.certainty * Math.max(size * (0.4 + 0.6 * Math.max(share, totalShare)), symptom * 0.8);
  const symptoms = [
    ...registrySymptom.map(
      (r) =>
        `${snapshot.operator.crds.registry.kind} ${r.namespace}/${r.name}: Ready=False, ${r.readyCondition?.reason}${r.readyCondition?.since ? ` since ${r.readyCondition.since}` : ''} (desired ${r.desired ?? '?'}, ready ${r.ready ?? '?'}, failed ${r.failed ?? '?'})`,
    ),
    ...current.slice(0, 3).map((g) => quote(g, evidence)),
  ];
  const parts = {
    summary: `${verdict.why[0]}`,
    evidence: [...verdict.why.slice(1), ...symptoms],
    weight,
    hints: verdict.hints,
  };
  out.push(weight >= 0.5 ? f.fail(verdict.cause, parts) : f.warn(verdict.cause, parts));
  return out;
};
