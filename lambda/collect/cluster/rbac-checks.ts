/**
 * Diagnosis step 7: `kubectl auth can-i ... --as=<operator service account>`, as SubjectAccessReviews
 * for the service account with its groups. The runbook's `can-i update tenants/status` asks about a
 * tenant named "status" and says yes even when the status subresource is denied; both are asked and
 * the literal one is marked misleading.
 */

import type { RbacCheck, RbacChecks } from '../../model/snapshot.js';
import { failed, type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';

interface ReviewAnswer {
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

type CheckSpec = Omit<RbacCheck, 'allowed' | 'reason' | 'error'>;

export function rbacCheckSpecs(ctx: CollectContext): CheckSpec[] {
  const { group, tenant } = ctx.operator.crds;
  const create = (resource: string, apiGroup = ''): CheckSpec => ({
    id: `create-${resource}`,
    runbookCommand: `kubectl auth can-i create ${resource}`,
    verb: 'create',
    group: apiGroup,
    resource,
  });
  return [
    {
      id: `list-${tenant.plural}`,
      runbookCommand: `kubectl auth can-i list ${tenant.plural}.${group}`,
      verb: 'list',
      group,
      resource: tenant.plural,
    },
    {
      id: `update-${tenant.plural}-status`,
      runbookCommand: `kubectl auth can-i update ${tenant.plural} --subresource=status`,
      verb: 'update',
      group,
      resource: tenant.plural,
      subresource: 'status',
    },
    {
      id: `update-${tenant.plural}-named-status`,
      runbookCommand: `kubectl auth can-i update ${tenant.plural}/status`,
      verb: 'update',
      group,
      resource: tenant.plural,
      name: 'status',
      misleading: true,
    },
    create('deployments', 'apps'),
    create('services'),
    create('configmaps'),
    create('secrets'),
  ];
}

export async function collectRbacChecks(ctx: CollectContext): Promise<SourceResult<RbacChecks>> {
  const { namespace, serviceAccount } = ctx.operator;
  const user = `system:serviceaccount:${namespace}:${serviceAccount}`;
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
  const started = Date.now();
  const answers = await Promise.all(
    rbacCheckSpecs(ctx).map(async (spec) => {
      const result = await ctx.reader.postJson<ReviewAnswer>(
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user,
            groups,
            resourceAttributes: {
              verb: spec.verb,
              group: spec.group,
              resource: spec.resource,
              ...(spec.subresource ? { subresource: spec.subresource } : {}),
              ...(spec.name ? { name: spec.name } : {}),
            },
          },
        },
      );
      return { spec, result };
    }),
  );
  const checks: RbacCheck[] = answers.map(({ spec, result }) => {
    if (!result.ok) return { ...spec, error: result.error.message };
    const status = result.data.status ?? {};
    return {
      ...spec,
      allowed: status.allowed === true,
      ...(status.reason ? { reason: status.reason } : {}),
      ...(status.evaluationError ? { error: status.evaluationError } : {}),
    };
  });
  const firstFailure = answers.find((a) => !a.result.ok)?.result;
  if (checks.every((c) => c.allowed === undefined) && firstFailure && !firstFailure.ok) {
    return failed(firstFailure.error, Date.now() - started);
  }
  return succeeded({ user, checks }, Date.now() - started);
}
