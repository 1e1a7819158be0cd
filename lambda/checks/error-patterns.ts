/**
 * Diagnosis step 2: the most common error messages, each read for what it states. Messages that name
 * their cause directly (a quota, a webhook, RBAC, throttling, an API server that cannot serve, the
 * operator's own templates) are named here, weighed by how much of the current failure they explain,
 * not by how many lines they fill. Calls that could not reach a datasource or an outside host are a
 * symptom whose cause is on the path: external-dependencies.ts follows it. History (errors that
 * stopped before the onset) and noise (conflicts) are never a cause.
 */
import type { CauseId } from '../model/causes.js';
import type { ErrorReading, ErrorSignal } from '../model/error-text.js';
import type { Finding } from '../model/finding.js';
import { type ErrorGroup, evidenceOf, quote, shareOf } from './evidence.js';
import { findings } from './finding.js';
import type { Hints } from './remediation.js';
import type { Check } from './types.js';

const CHECK = 'error-patterns';

/** Signals that name their cause whatever the destination, with how surely. */
const DIRECT: Partial<Record<ErrorSignal, { cause: CauseId; certainty: number }>> = {
  quota: { cause: 'quota-exceeded', certainty: 0.95 },
  webhook: { cause: 'admission-webhook-denied', certainty: 0.95 },
  'rbac-forbidden': { cause: 'rbac-denied', certainty: 0.9 },
  'throttled-server': { cause: 'apiserver-throttling', certainty: 0.9 },
  'throttled-client': { cause: 'apiserver-throttling', certainty: 0.85 },
  etcd: { cause: 'etcd-degraded', certainty: 0.9 },
  'apiserver-unavailable': { cause: 'apiserver-unavailable', certainty: 0.85 },
  template: { cause: 'controller-bug', certainty: 0.85 },
  invalid: { cause: 'controller-bug', certainty: 0.75 },
};

/** What a message states about the API server's own path. */
function apiServerCause(reading: ErrorReading): { cause: CauseId; certainty: number } | undefined {
  if (reading.destination?.scope !== 'apiserver' && reading.destination !== undefined) return undefined;
  const s = new Set(reading.signals);
  if (s.has('unauthorized') || (s.has('tls') && reading.destination?.scope === 'apiserver'))
    return { cause: 'apiserver-auth', certainty: 0.9 };
  if (reading.destination?.scope !== 'apiserver') return undefined;
  if (s.has('refused') || s.has('no-route') || s.has('dial-timeout'))
    return { cause: 'apiserver-network', certainty: 0.85 };
  // Connections that break once made: the network is unstable (a node, the CNI), not one route.
  if (s.has('reset')) return { cause: 'network-instability', certainty: 0.7 };
  if (s.has('deadline') || s.has('slow-response')) return { cause: 'apiserver-unavailable', certainty: 0.75 };
  return undefined;
}

/** The cause a log group names by itself, if it does. */
export function directCause(
  group: ErrorGroup,
): { cause: CauseId; certainty: number; hints?: Hints } | undefined {
  const { reading } = group;
  if (reading.signals.includes('dns-resolver')) return undefined; // the resolver: cluster-resources.ts
  for (const signal of reading.signals) {
    const direct = DIRECT[signal];
    if (direct) {
      if (direct.cause === 'apiserver-throttling')
        return { ...direct, hints: { throttling: signal === 'throttled-client' ? 'client' : 'server' } };
      // A webhook's own TLS or timeout is still the webhook blocking writes.
      return direct;
    }
  }
  if (reading.database) return undefined; // the datasource's path: external-dependencies.ts
  return apiServerCause(reading);
}

/**
 * How much a kind of line counts: a failed reconcile fully, another error of the operator almost
 * (partial failures are logged without "Reconciler error"), a warning less, an informational line
 * (client-go's "Waited for ... due to client-side throttling") little.
 */
export function levelWeight(group: ErrorGroup): number {
  if (group.reconcileErrors > 0) return 1;
  if (group.level === 'error' || group.level === 'fatal' || group.level === 'panic') return 0.85;
  if (group.level === 'warn') return 0.55;
  return 0.3;
}

/** How much a failure of this size matters: a handful of errors is the noise of a busy cluster. */
export function volume(group: ErrorGroup): number {
  const n = group.reconcileErrors > 0 ? group.reconcileErrors : group.count;
  const widespread = group.subjects >= 5 ? 1 : group.subjects >= 2 ? 0.85 : 0.7;
  return Math.min(1, n / 12) * (group.subjects > 0 ? widespread : 1);
}

export const errorPatterns: Check = (snapshot) => {
  const f = findings(snapshot, CHECK);
  if (!snapshot.operatorLogs.ok) return [f.unread('the operator logs', snapshot.operatorLogs)];
  const evidence = evidenceOf(snapshot);
  const logs = evidence.groups.filter((g) => g.source === 'logs');
  const out: Finding[] = [];
  const byCause = new Map<CauseId, { weight: number; groups: ErrorGroup[]; hints: Hints }>();
  const history: ErrorGroup[] = [];
  const unexplained: ErrorGroup[] = [];
  for (const group of logs) {
    const direct = directCause(group);
    if (group.timing === 'past') {
      if (direct) history.push(group);
      continue;
    }
    if (!direct) {
      const isError = group.level === 'error' || group.level === 'fatal';
      // Only errors that carry their own detail: a summary ("completed with failures") tells nothing.
      const detailed = group.reconcileErrors > 0 || group.sample.includes(': ');
      if (isError && detailed && group.reading.signals.length === 0 && !group.reading.database)
        unexplained.push(group);
      continue;
    }
    const kind = levelWeight(group);
    const share = shareOf(group, evidence, logs);
    // One tenant's repeated failure weighs less than the same count spread across many.
    const spread = group.subjects === 0 || group.subjects >= 5 ? 1 : group.subjects >= 2 ? 0.8 : 0.55;
    const weight = direct.certainty * kind * volume(group) * spread * (0.4 + 0.6 * share);
    const entry = byCause.get(direct.cause) ?? { weight: 0, groups: [], hints: {} };
    entry.weight = 1 - (1 - entry.weight) * (1 - weight);
    entry.groups.push(group);
    Object.assign(entry.hints, direct.hints ?? {});
    byCause.set(direct.cause, entry);
  }
  for (const [cause, entry] of [...byCause.entries()].sort((a, b) => b[1].weight - a[1].weight)) {
    const count = entry.groups.reduce((n, g) => n + g.count, 0);
    const strong = entry.weight >= 0.5;
    const parts = {
      summary: `${count} log ${entry.groups.every((g) => g.level === 'info' || g.level === 'debug') ? 'lines' : 'errors'} state ${cause === 'controller-bug' ? "a failure in the operator's own logic" : cause}`,
      evidence: entry.groups.slice(0, 4).map((g) => quote(g, evidence)),
      weight: entry.weight,
      hints: entry.hints,
    };
    out.push(strong ? f.fail(cause, parts) : f.warn(cause, parts));
  }
  // Reconciler errors that nothing in them explains: the operator's own logic.
  const failures = logs.filter(
    (g) =>
      g.timing !== 'past' &&
      (g.level === 'error' || g.level === 'fatal') &&
      (g.reconcileErrors > 0 || g.sample.includes(': ')),
  );
  const failureCount = failures.reduce((n, g) => n + g.count, 0);
  const unexplainedErrors = unexplained.reduce((n, g) => n + g.count, 0);
  const objects = unexplained.reduce((n, g) => n + g.subjects, 0);
  if (unexplainedErrors >= 5 && failureCount > 0 && objects >= 3) {
    const share = unexplainedErrors / failureCount;
    if (share >= 0.3) {
      const parts = {
        summary: `${unexplainedErrors} failed reconciles state no infrastructure cause: the operator's own logic`,
        evidence: unexplained.slice(0, 4).map((g) => quote(g, evidence)),
        weight: (share >= 0.5 && unexplainedErrors >= 20 ? 0.7 : 0.45) * share,
      };
      out.push(share >= 0.5 ? f.fail('controller-bug', parts) : f.warn('controller-bug', parts));
    }
  }
  if (history.length > 0) {
    out.push(
      f.ok({
        summary: `${history.length} error pattern(s) stopped before the errors began: history, not the cause`,
        evidence: history.slice(0, 3).map((g) => quote(g, evidence)),
      }),
    );
  }
  if (out.length === 0) {
    const conflicts = snapshot.operatorLogs.data.summary.tags.conflict ?? 0;
    out.push(
      f.ok({
        summary:
          conflicts > 0
            ? `only benign errors in the logs (${conflicts} update conflicts)`
            : 'no error patterns in the logs',
      }),
    );
  }
  return out;
};
