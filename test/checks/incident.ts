/** Shared by the checks' unit tests: an incident on a plain snapshot, and what the verdict names first. */
import { decideVerdict } from '../../lambda/alert/verdict.js';
import { runChecks } from '../../lambda/checks/index.js';
import type { Finding } from '../../lambda/model/finding.js';
import type { ClusterSnapshot } from '../../lambda/model/snapshot.js';
import { succeeded } from '../../lambda/model/source.js';
import type { Verdict } from '../../lambda/model/verdict.js';
import { firingMetrics, healthySnapshot } from '../unit/snapshot.js';

export const THRESHOLD = { threshold: 0.1 };

/** A firing cluster (20% errors since 35 minutes ago), otherwise healthy. */
export function firing(overrides: Partial<ClusterSnapshot> = {}, onsetSecondsAgo = 35 * 60): ClusterSnapshot {
  return healthySnapshot({ metrics: succeeded(firingMetrics(onsetSecondsAgo), 5), ...overrides });
}

export function verdictOf(snapshot: ClusterSnapshot): Verdict {
  return decideVerdict(snapshot, runChecks(snapshot, THRESHOLD), THRESHOLD.threshold);
}

/** The verdict's first cause. */
export function top(snapshot: ClusterSnapshot): string | undefined {
  return verdictOf(snapshot).causes[0]?.id;
}

export function causesOf(snapshot: ClusterSnapshot): string[] {
  return verdictOf(snapshot).causes.map((c) => c.id);
}

/** The causes a check's findings name with some weight (warn or fail). */
export function named(findings: Finding[]): (string | null)[] {
  return findings.filter((f) => f.status === 'fail' || f.status === 'warn').map((f) => f.cause);
}

export const ok = <T>(data: T) => succeeded(data, 5);
