/** Every check, in the runbook's order. Adding a check is adding a file and a line here. */

import type { Finding } from '../model/finding.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import { affectedTenants } from './affected-tenants.js';
import { apiServer } from './api-server.js';
import { checkerAccess } from './checker-access.js';
import { clusterResources } from './cluster-resources.js';
import { controllerMetrics } from './controller-metrics.js';
import { errorPatterns } from './error-patterns.js';
import { errorRate } from './error-rate.js';
import { externalDependencies } from './external-dependencies.js';
import { operatorHealth } from './operator-health.js';
import { rbac } from './rbac.js';
import type { Check, CheckContext } from './types.js';

export const CHECKS: Check[] = [
  checkerAccess,
  errorRate,
  errorPatterns,
  operatorHealth,
  apiServer,
  controllerMetrics,
  affectedTenants,
  rbac,
  clusterResources,
  externalDependencies,
];

/** A check's id as its findings carry it: `operatorHealth` → `operator-health`. */
function checkId(check: Check): string {
  return (check.name || 'check').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Every check on the snapshot. A check that throws is a bug in the checker, not a finding about the
 * cluster: it becomes an `unknown` finding that says so, and the other checks and the cycle go on.
 */
export function runChecks(snapshot: ClusterSnapshot, context: CheckContext): Finding[] {
  return CHECKS.flatMap((check) => {
    try {
      return check(snapshot, context);
    } catch (error) {
      return [
        {
          check: checkId(check),
          status: 'unknown' as const,
          cause: null,
          summary: `the ${checkId(check)} check failed: ${(error as Error).message} (a bug in the checker; the other checks ran)`,
          evidence: [],
          remediation: [],
          weight: 0,
        },
      ];
    }
  });
}
