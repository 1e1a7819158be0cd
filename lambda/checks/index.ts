/** Every check, in the runbook's order. Adding a check is adding a file and a line here. */

import type { ClusterSnapshot } from '../collect/snapshot.js';
import { affectedTenants } from './affected-tenants.js';
import { apiServer } from './api-server.js';
import { clusterResources } from './cluster-resources.js';
import { controllerMetrics } from './controller-metrics.js';
import { errorPatterns } from './error-patterns.js';
import { errorRate } from './error-rate.js';
import { externalDependencies } from './external-dependencies.js';
import { operatorHealth } from './operator-health.js';
import { rbac } from './rbac.js';
import type { Check, CheckContext, Finding } from './types.js';

export const CHECKS: Check[] = [
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

export function runChecks(snapshot: ClusterSnapshot, context: CheckContext): Finding[] {
  return CHECKS.flatMap((check) => check(snapshot, context));
}
