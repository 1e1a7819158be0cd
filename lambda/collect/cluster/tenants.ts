/** Diagnosis step 6: tenants by Ready status, the not-ready ones, and the registries' and templates' health. */

import type {
  DatasourceTarget,
  RegistryStatus,
  TemplateStatus,
  TenantSummary,
} from '../../model/snapshot.js';
import { type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';
import { listAll } from '../paging.js';
import { readServiceEndpoints } from './endpoints.js';

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
  spec?: { source?: { type?: string; mysql?: { host?: unknown; port?: unknown } } };
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

/** Distinct Services whose endpoints are read per collection, at most. */
export const DATASOURCE_SERVICES_READ = 20;
export const DEFAULT_MYSQL_PORT = 3306;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Second labels that make `a.b` a public or VPC name rather than `service.namespace`. */
const NOT_NAMESPACES = new Set([
  'com',
  'net',
  'org',
  'io',
  'dev',
  'cloud',
  'internal',
  'local',
  'localdomain',
  'aws',
]);

/**
 * Where a registry's host points, as a pod's resolver (search `<ns>.svc.cluster.local svc.cluster.local
 * cluster.local`) reads it: a Service of this cluster (`name`, `name.namespace`, `name.namespace.svc`,
 * `name.namespace.svc.cluster.local`) or anything else (an IP address, another DNS name).
 * `ambiguous` marks `a.b`, which is a Service only if one exists.
 */
export function datasourceScope(
  host: string,
  registryNamespace: string,
): { scope: 'external' } | { scope: 'cluster'; namespace: string; name: string; ambiguous: boolean } {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':') || name === 'localhost')
    return { scope: 'external' };
  const labels = name.split('.');
  if (!labels.every((l) => DNS_LABEL.test(l))) return { scope: 'external' };
  const [service, namespace, ...rest] = labels as [string, ...string[]];
  const suffix = rest.join('.');
  if (labels.length === 1)
    return { scope: 'cluster', namespace: registryNamespace, name: service, ambiguous: false };
  if (namespace && (suffix === 'svc' || suffix === 'svc.cluster.local'))
    return { scope: 'cluster', namespace, name: service, ambiguous: false };
  if (namespace && labels.length === 2 && !NOT_NAMESPACES.has(namespace))
    return { scope: 'cluster', namespace, name: service, ambiguous: true };
  return { scope: 'external' };
}

function readDatasource(r: RawCustomResource): (DatasourceTarget & { ambiguous?: boolean }) | undefined {
  const source = r.spec?.source;
  const host = source?.mysql?.host;
  if (typeof host !== 'string' || !host.trim()) return undefined;
  const rawPort = source?.mysql?.port;
  const port =
    typeof rawPort === 'number'
      ? rawPort
      : typeof rawPort === 'string' && /^\d+$/.test(rawPort)
        ? Number(rawPort)
        : DEFAULT_MYSQL_PORT;
  const where = datasourceScope(host, r.metadata?.namespace ?? 'default');
  const target: DatasourceTarget & { ambiguous?: boolean } = {
    type: typeof source?.type === 'string' && source.type ? source.type : source?.mysql ? 'mysql' : 'unknown',
    host: host.trim().slice(0, 253),
    port,
    scope: where.scope,
  };
  if (where.scope === 'cluster') {
    target.service = {
      namespace: where.namespace,
      name: where.name,
      exists: false,
      readyEndpoints: 0,
      notReadyEndpoints: 0,
    };
    if (where.ambiguous) target.ambiguous = true;
  }
  return target;
}

/** Reads the endpoints of the Services registries point at (each once, at most DATASOURCE_SERVICES_READ). */
async function resolveDatasources(ctx: CollectContext, registries: RegistryStatus[]): Promise<void> {
  const targets = registries.flatMap((r) => (r.datasource?.service ? [r.datasource] : []));
  const keys = [...new Set(targets.map((t) => `${t.service?.namespace}/${t.service?.name}`))];
  const read = new Map(
    await Promise.all(
      keys.slice(0, DATASOURCE_SERVICES_READ).map(async (key) => {
        const [namespace = '', name = ''] = key.split('/');
        const [endpoints, service] = await Promise.all([
          readServiceEndpoints(ctx.reader, namespace, name),
          ctx.reader.getJson<{ spec?: { type?: string; externalName?: string } }>(
            `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`,
          ),
        ]);
        // An ExternalName Service has no endpoints: it exists, and points outside.
        const externalName =
          service.ok && service.data.spec?.type === 'ExternalName'
            ? service.data.spec.externalName
            : undefined;
        return [
          key,
          externalName ? { exists: true as const, ready: 0, notReady: 0, externalName } : endpoints,
        ] as const;
      }),
    ),
  );
  for (const target of targets) {
    const { namespace, name } = target.service as { namespace: string; name: string };
    const ambiguous = (target as { ambiguous?: boolean }).ambiguous === true;
    delete (target as { ambiguous?: boolean }).ambiguous;
    const found = read.get(`${namespace}/${name}`);
    if (!found) {
      target.service = {
        namespace,
        name,
        error: `not read: more than ${DATASOURCE_SERVICES_READ} datasource Services`,
      };
    } else if ('error' in found) {
      target.service = { namespace, name, error: found.error };
    } else if (!found.exists && ambiguous) {
      // `a.b` with no Service b/a: the resolver falls through to the outside world.
      target.scope = 'external';
      delete target.service;
    } else {
      target.service = {
        namespace,
        name,
        exists: found.exists,
        readyEndpoints: found.exists ? found.ready : 0,
        notReadyEndpoints: found.exists ? found.notReady : 0,
        ...('externalName' in found && found.externalName ? { externalName: found.externalName } : {}),
      };
    }
  }
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
      const datasource = readDatasource(r);
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
        ...(datasource ? { datasource } : {}),
      };
    },
  );
  if (!listed.ok) return explainMissing(ctx, ctx.operator.crds.registry.plural, listed);
  const started = Date.now();
  await resolveDatasources(ctx, listed.data.items);
  return succeeded(listed.data.items, listed.elapsedMs + (Date.now() - started));
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
