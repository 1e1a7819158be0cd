/** Diagnosis step 6: tenants by Ready status, the not-ready ones, and the registries' and templates' health. */

import type { RegistryStatus, TemplateStatus, TenantSummary } from '../../model/snapshot.js';
import { type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';
import { listAll } from '../paging.js';

/** Not-ready tenants kept by name (the counts cover them all). */
export const NOT_READY_KEPT = 200;

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

interface RawCustomResource {
  metadata?: { name?: string; namespace?: string };
  status?: { conditions?: Condition[]; desired?: number; ready?: number; failed?: number };
}

const condition = (object: RawCustomResource, type: string) =>
  Array.isArray(object.status?.conditions)
    ? object.status.conditions.find((c) => c?.type === type)
    : undefined;

function crdPath(ctx: CollectContext, plural: string): string {
  return `/apis/${ctx.operator.crds.group}/${ctx.operator.crds.version}/${plural}`;
}

/** 404 on a custom resource list means the CRD is not installed here: say which, and check the preset. */
function explainMissing<T>(ctx: CollectContext, plural: string, result: SourceResult<T>): SourceResult<T> {
  if (result.ok || result.error.status !== 404) return result;
  return {
    ...result,
    error: {
      ...result.error,
      message: `${plural}.${ctx.operator.crds.group} is not served by this cluster (is the operator's CRD installed, and is operator.preset right?)`,
    },
  };
}

export async function collectTenants(ctx: CollectContext): Promise<SourceResult<TenantSummary>> {
  const summary: TenantSummary = {
    kind: ctx.operator.crds.tenant.kind,
    total: 0,
    byReady: { True: 0, False: 0, Unknown: 0, Missing: 0 },
    degraded: 0,
    conflicted: 0,
    notReady: [],
    notReadyByReason: {},
    namespaces: 0,
    pages: 0,
  };
  const namespaces = new Set<string>();
  // Counted as the pages arrive: only the not-ready names are kept, and only the first ones.
  const listed = await listAll<RawCustomResource, true>(
    ctx.reader,
    crdPath(ctx, ctx.operator.crds.tenant.plural),
    (tenant) => {
      summary.total++;
      if (tenant.metadata?.namespace) namespaces.add(tenant.metadata.namespace);
      const ready = condition(tenant, 'Ready');
      const status =
        ready?.status === 'True' || ready?.status === 'False' || ready?.status === 'Unknown'
          ? ready.status
          : 'Missing';
      summary.byReady[status]++;
      if (condition(tenant, 'Degraded')?.status === 'True') summary.degraded++;
      if (condition(tenant, 'Conflicted')?.status === 'True') summary.conflicted++;
      if (status !== 'True') {
        const reason = ready?.reason || '(none)';
        summary.notReadyByReason[reason] = (summary.notReadyByReason[reason] ?? 0) + 1;
        if (summary.notReady.length < NOT_READY_KEPT) {
          summary.notReady.push({
            namespace: tenant.metadata?.namespace ?? '',
            name: tenant.metadata?.name ?? '',
            ready: status,
            ...(ready?.reason ? { reason: ready.reason } : {}),
            ...(ready?.message ? { message: ready.message.slice(0, 300) } : {}),
          });
        }
      }
      return undefined;
    },
  );
  if (!listed.ok) return explainMissing(ctx, ctx.operator.crds.tenant.plural, listed);
  summary.namespaces = namespaces.size;
  summary.pages = listed.data.pages;
  return succeeded(summary, listed.elapsedMs);
}

export async function collectRegistries(ctx: CollectContext): Promise<SourceResult<RegistryStatus[]>> {
  const listed = await listAll<RawCustomResource, RegistryStatus>(
    ctx.reader,
    crdPath(ctx, ctx.operator.crds.registry.plural),
    (r) => {
      const ready = condition(r, 'Ready');
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      const desired = num(r.status?.desired);
      const readyCount = num(r.status?.ready);
      const failedCount = num(r.status?.failed);
      return {
        namespace: r.metadata?.namespace ?? '',
        name: r.metadata?.name ?? '',
        ...(desired !== undefined ? { desired } : {}),
        ...(readyCount !== undefined ? { ready: readyCount } : {}),
        ...(failedCount !== undefined ? { failed: failedCount } : {}),
        ...(ready
          ? {
              readyCondition: {
                status: ready.status ?? 'Unknown',
                ...(ready.reason ? { reason: ready.reason } : {}),
                ...(ready.message ? { message: ready.message.slice(0, 500) } : {}),
                ...(ready.lastTransitionTime ? { since: ready.lastTransitionTime } : {}),
              },
            }
          : {}),
      };
    },
  );
  if (!listed.ok) return explainMissing(ctx, ctx.operator.crds.registry.plural, listed);
  return succeeded(listed.data.items, listed.elapsedMs);
}

export async function collectTemplates(ctx: CollectContext): Promise<SourceResult<TemplateStatus[]>> {
  const listed = await listAll<RawCustomResource, TemplateStatus>(
    ctx.reader,
    crdPath(ctx, ctx.operator.crds.template.plural),
    (t) => {
      const ready = condition(t, 'Ready');
      return {
        namespace: t.metadata?.namespace ?? '',
        name: t.metadata?.name ?? '',
        ...(ready?.status ? { ready: ready.status } : {}),
        ...(ready?.reason ? { reason: ready.reason } : {}),
      };
    },
  );
  if (!listed.ok) return explainMissing(ctx, ctx.operator.crds.template.plural, listed);
  return succeeded(listed.data.items, listed.elapsedMs);
}
