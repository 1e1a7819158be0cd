/**
 * The evidence every check reads, lined up as an engineer lines it up: each error the cluster shows
 * (in the operator's logs, the tenants' conditions, the events), what it states (model/error-text.ts),
 * how many failed reconciles and objects it accounts for, and when it happened against the onset of
 * the errors and against now. Evidence that stopped before the onset is history, not cause.
 * Computed once per snapshot.
 */
import { type ErrorReading, NOISE_SIGNALS, readErrorText } from '../model/error-text.js';
import type { LogLevel } from '../model/logs.js';
import type { ClusterSnapshot, EventRecord } from '../model/snapshot.js';

export type Timing = 'current' | 'past' | 'unknown';

export interface ErrorGroup {
  source: 'logs' | 'tenants' | 'events';
  reading: ErrorReading;
  /** Occurrences (log entries, tenants, event counts). */
  count: number;
  /** Failed reconciles it accounts for (controller-runtime's "Reconciler error" entries). */
  reconcileErrors: number;
  /** Distinct objects it names. */
  subjects: number;
  level: LogLevel;
  /** One real occurrence, quoted. */
  sample: string;
  firstSeen?: string;
  lastSeen?: string;
  timing: Timing;
  event?: EventRecord;
}

export interface Evidence {
  /** Something fails now: the error rate above the threshold or blind, tenants or registries failing. */
  failing: boolean;
  /** Namespaces of the tenants that are not ready (empty when none is): where their failures show. */
  tenantNamespaces: ReadonlySet<string>;
  /** The instant the cycle evaluates at. */
  now: Date;
  /** When the errors began: the metrics' episode start, else the first failed reconcile in the logs. */
  onset?: Date;
  /** Every error seen, noise (conflicts) left out. */
  groups: ErrorGroup[];
  /** Failed reconciles in the logs read, and how many of them are current. */
  reconcileErrors: number;
  currentReconcileErrors: number;
  /** When something happened, against the onset and now. */
  timingOf(first: string | undefined, last: string | undefined): Timing;
  /** How long before the onset (or now) an instant was, in words: `3 days before the errors began`. */
  age(instant: string | undefined): string | undefined;
}

/** Grace around the onset: the first errors precede the metric's episode by up to its 5-minute rate window. */
const ONSET_SLACK_MS = 5 * 60_000;
/** Where the logs' own onset is looked for, when the metrics give none. */
const RECENT_MS = 60 * 60_000;
/** Without any onset, what happened in the last quarter of an hour is current. */
const CURRENT_MS = 15 * 60_000;

const cache = new WeakMap<ClusterSnapshot, Evidence>();

/** Optimistic-lock conflicts and nothing else: noise. */
const isNoise = (read: ErrorReading) =>
  read.signals.length > 0 && read.signals.every((s) => NOISE_SIGNALS.has(s));

function parse(instant: string | undefined): number | undefined {
  if (!instant) return undefined;
  const t = Date.parse(instant);
  return Number.isNaN(t) ? undefined : t;
}

function words(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

export function evidenceOf(snapshot: ClusterSnapshot): Evidence {
  const cached = cache.get(snapshot);
  if (cached) return cached;
  const metrics = snapshot.metrics.ok ? snapshot.metrics.data : undefined;
  const now = new Date(metrics?.evaluatedAt ?? snapshot.collectedAt);
  const logs = snapshot.operatorLogs.ok ? snapshot.operatorLogs.data.summary : undefined;
  // Each pattern's text read once (the onset and the groups both need it).
  const readings = new Map<string, ErrorReading>();
  const reading = (text: string): ErrorReading => {
    let read = readings.get(text);
    if (!read) {
      read = readErrorText(text);
      readings.set(text, read);
    }
    return read;
  };

  let onsetMs = parse(metrics?.startedAt ?? undefined);
  if (onsetMs === undefined && logs) {
    // The first failed reconcile of the last hour: the logs' own onset.
    const firsts = logs.patterns
      .filter(
        (p) => p.reconcileErrors > 0 && !readErrorText(p.sample).signals.every((s) => NOISE_SIGNALS.has(s)),
      )
      .map((p) => parse(p.firstSeen))
      .filter((t): t is number => t !== undefined && t >= now.getTime() - RECENT_MS);
    if (firsts.length > 0) onsetMs = Math.min(...firsts);
  }

  const timingOf = (first: string | undefined, last: string | undefined): Timing => {
    const lastMs = parse(last) ?? parse(first);
    if (lastMs === undefined) return 'unknown';
    const start = onsetMs !== undefined ? onsetMs - ONSET_SLACK_MS : now.getTime() - CURRENT_MS;
    return lastMs >= start ? 'current' : 'past';
  };
  const age = (instant: string | undefined): string | undefined => {
    const t = parse(instant);
    if (t === undefined) return undefined;
    if (onsetMs !== undefined && t < onsetMs - ONSET_SLACK_MS)
      return `${words(onsetMs - t)} before the errors began`;
    if (onsetMs === undefined && t < now.getTime() - CURRENT_MS) return `${words(now.getTime() - t)} ago`;
    return undefined;
  };

  const groups: ErrorGroup[] = [];
  let reconcileErrors = 0;
  let currentReconcileErrors = 0;
  for (const p of logs?.patterns ?? []) {
    const read = reading(p.sample);
    const timing = timingOf(p.firstSeen, p.lastSeen);
    if (isNoise(read)) continue;
    reconcileErrors += p.reconcileErrors ?? 0;
    if (timing !== 'past') currentReconcileErrors += p.reconcileErrors ?? 0;
    groups.push({
      source: 'logs',
      reading: read,
      count: p.count,
      reconcileErrors: p.reconcileErrors ?? 0,
      subjects: p.subjects ?? 0,
      level: p.level,
      sample: p.sample,
      ...(p.firstSeen ? { firstSeen: p.firstSeen } : {}),
      ...(p.lastSeen ? { lastSeen: p.lastSeen } : {}),
      timing,
    });
  }
  if (snapshot.tenants.ok) {
    // Not-ready tenants, grouped by what their condition says: they are failing now.
    const byText = new Map<string, { n: number; sample: string }>();
    for (const t of snapshot.tenants.data.notReady) {
      const text = `${t.reason ?? ''}: ${t.message ?? ''}`;
      const key = `${t.reason ?? ''}|${(t.message ?? '').replace(/[0-9a-z-]*customer[0-9a-z-]*|\d+/gi, '#')}`;
      const entry = byText.get(key) ?? { n: 0, sample: text };
      entry.n++;
      byText.set(key, entry);
    }
    for (const { n, sample } of byText.values()) {
      const reading = readErrorText(sample);
      if (reading.signals.length === 0) continue;
      groups.push({
        source: 'tenants',
        reading,
        count: n,
        reconcileErrors: 0,
        subjects: n,
        level: 'error',
        sample,
        timing: 'current',
      });
    }
  }
  if (snapshot.events.ok) {
    for (const e of snapshot.events.data.recent) {
      const text = `${e.reason ?? ''}: ${e.message ?? ''}`;
      const reading = readErrorText(text);
      if (reading.signals.length === 0) continue;
      // A probe failing on some other pod is that pod's business (the operator's own restarts are
      // operator-health's).
      if (e.reason === 'Unhealthy' && !(e.name ?? '').startsWith(snapshot.operator.deployment)) continue;
      // Normal events count where they report waiting on storage (ExternalProvisioning is Normal).
      if (e.type !== 'Warning' && !reading.signals.includes('storage')) continue;
      groups.push({
        source: 'events',
        reading,
        count: e.count,
        reconcileErrors: 0,
        subjects: 1,
        level: 'warn',
        sample: `${e.reason} ${e.kind ?? ''} ${e.namespace ?? ''}/${e.name ?? ''}: ${e.message ?? ''}`,
        ...(e.firstTime ? { firstSeen: e.firstTime } : {}),
        ...(e.lastTime ? { lastSeen: e.lastTime } : {}),
        timing: timingOf(e.firstTime, e.lastTime),
        event: e,
      });
    }
  }
  const tenantNamespaces = new Set(
    snapshot.tenants.ok ? snapshot.tenants.data.notReady.map((t) => t.namespace) : [],
  );
  const tenants = snapshot.tenants.ok ? snapshot.tenants.data : undefined;
  const failing =
    (metrics?.errorRate.state === 'ok' && metrics.errorRate.value > metrics.threshold) ||
    Boolean(metrics?.alertBlind) ||
    (tenants !== undefined &&
      tenants.total > 0 &&
      (tenants.total - tenants.byReady.True) / tenants.total > 0.1) ||
    (snapshot.registries.ok &&
      snapshot.registries.data.some((r) => r.readyCondition?.status === 'False' || (r.failed ?? 0) > 0));
  const evidence: Evidence = {
    failing,
    tenantNamespaces,
    now,
    ...(onsetMs !== undefined ? { onset: new Date(onsetMs) } : {}),
    groups,
    reconcileErrors,
    currentReconcileErrors,
    timingOf,
    age,
  };
  cache.set(snapshot, evidence);
  return evidence;
}

/** How much of the current failure a group explains, 0..1: its share of the failed reconciles, or of the errors. */
export function shareOf(group: ErrorGroup, evidence: Evidence, among: ErrorGroup[]): number {
  if (evidence.currentReconcileErrors > 0 && group.source === 'logs')
    return Math.min(1, group.reconcileErrors / evidence.currentReconcileErrors);
  const total = among
    .filter((g) => g.source === group.source && g.timing !== 'past')
    .reduce((n, g) => n + g.count, 0);
  return total > 0 ? Math.min(1, group.count / total) : 0;
}

/** An error group quoted for the evidence list: count, what it says, when. */
export function quote(group: ErrorGroup, evidence: Evidence): string {
  const where =
    group.source === 'logs' ? 'log entries' : group.source === 'tenants' ? 'tenants not ready' : 'events';
  const when =
    group.timing === 'past'
      ? ` (last ${group.lastSeen}, ${evidence.age(group.lastSeen) ?? 'before the errors began'}: history)`
      : group.firstSeen
        ? ` (first ${group.firstSeen}, last ${group.lastSeen ?? group.firstSeen})`
        : '';
  const sample = group.sample.length > 300 ? `${group.sample.slice(0, 300)}…` : group.sample;
  return `${group.count} ${where}: ${sample}${when}`;
}

/**
 * What says the cluster's DNS itself is failing now: CoreDNS pods down or restarted since the onset,
 * no ready kube-dns endpoints, CoreDNS's own errors since the onset. Empty when it is healthy.
 */
export function coreDnsTrouble(snapshot: ClusterSnapshot, evidence: Evidence): string[] {
  if (!snapshot.kubeSystem?.ok) return [];
  const k = snapshot.kubeSystem.data;
  const why: string[] = [];
  const coredns = k.pods.filter((p) => p.app === 'kube-dns' || p.app === 'coredns');
  const down = coredns.filter((p) => !p.ready || p.waitingReason);
  const restarted = coredns.filter(
    (p) =>
      p.lastTerminated?.finishedAt && evidence.timingOf(undefined, p.lastTerminated.finishedAt) === 'current',
  );
  if (down.length > 0)
    why.push(
      `${down.length} of ${coredns.length} CoreDNS pods not ready${down[0]?.waitingReason ? ` (${down[0].waitingReason})` : ''}`,
    );
  if (restarted.length > 0)
    why.push(
      `${restarted.length} CoreDNS pods restarted since the errors began (${restarted[0]?.lastTerminated?.reason ?? 'terminated'})`,
    );
  if ('ready' in k.dnsEndpoints && k.dnsEndpoints.ready === 0)
    why.push('the kube-dns Service has no ready endpoints');
  const dnsErrors = (k.dnsLogs?.patterns ?? []).filter(
    (p) =>
      (p.level === 'error' || p.level === 'warn') && evidence.timingOf(p.firstSeen, p.lastSeen) !== 'past',
  );
  const lines = dnsErrors.reduce((n, p) => n + p.count, 0);
  if (lines >= 5) why.push(`CoreDNS logged ${lines} errors: ${dnsErrors[0]?.sample.slice(0, 200)}`);
  return why;
}
