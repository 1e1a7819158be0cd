/** Diagnosis step 6: which tenants are not ready, why, and what their registries say. */

import type { Finding } from '../model/finding.js';
import { mebibytes, percent } from '../model/format.js';
import { classifyMessage } from './classify.js';
import { finding, unread } from './finding.js';
import type { Check } from './types.js';

export const affectedTenants: Check = (snapshot) => {
  const out: Finding[] = [];
  if (!snapshot.tenants.ok)
    out.push(
      unread(snapshot, 'affected-tenants', `the ${snapshot.operator.crds.tenant.plural}`, snapshot.tenants),
    );
  else {
    const t = snapshot.tenants.data;
    const notReady = t.total - t.byReady.True;
    const reasons = Object.entries(t.notReadyByReason).sort((a, b) => b[1] - a[1]);
    const evidence = [
      `Ready: ${t.byReady.True} True, ${t.byReady.False} False, ${t.byReady.Unknown} Unknown, ${t.byReady.Missing} without condition`,
      ...reasons.slice(0, 5).map(([r, n]) => `${n}× reason ${r}`),
    ];
    if (t.degraded > 0) evidence.push(`${t.degraded} Degraded`);
    if (t.conflicted > 0) evidence.push(`${t.conflicted} Conflicted`);
    out.push(
      finding(
        snapshot,
        'affected-tenants',
        notReady === 0 ? 'ok' : notReady / Math.max(1, t.total) > 0.1 ? 'fail' : 'warn',
        null,
        `${notReady} of ${t.total} ${t.kind}s not ready${t.total > 0 ? ` (${percent(notReady / t.total)})` : ''}`,
        evidence,
      ),
    );
    // Not-ready messages name their cause as the logs do (quota, webhook, database...).
    const counts = new Map<string, { n: number; weight: number; example: string }>();
    for (const tenant of t.notReady) {
      const c = classifyMessage(`${tenant.reason ?? ''} ${tenant.message ?? ''}`);
      if (!c?.cause) continue;
      const entry = counts.get(c.cause) ?? {
        n: 0,
        weight: c.weight,
        example: `${tenant.namespace}/${tenant.name}: ${tenant.message ?? tenant.reason}`,
      };
      entry.n++;
      counts.set(c.cause, entry);
    }
    for (const [cause, { n, weight, example }] of counts) {
      out.push(
        finding(
          snapshot,
          'affected-tenants',
          n >= 3 ? 'fail' : 'warn',
          cause as never,
          `${n} not-ready ${t.kind}s say ${cause}`,
          [example],
          weight * Math.min(1, n / 5),
        ),
      );
    }
  }
  if (snapshot.registries.ok) {
    for (const r of snapshot.registries.data) {
      const c = r.readyCondition;
      if (c?.status === 'False' && c.reason === 'DatabaseConnectionFailed') {
        out.push(
          finding(
            snapshot,
            'affected-tenants',
            'fail',
            'datasource-unavailable',
            `${snapshot.operator.crds.registry.kind} ${r.namespace}/${r.name}: ${c.reason}`,
            [
              `${c.message ?? ''}`.trim() || 'no message',
              `desired ${r.desired ?? '?'}, ready ${r.ready ?? '?'}, failed ${r.failed ?? '?'}${c.since ? `, since ${c.since}` : ''}`,
            ].filter(Boolean),
            0.95,
          ),
        );
      } else if (c?.status === 'False') {
        out.push(
          finding(
            snapshot,
            'affected-tenants',
            'warn',
            null,
            `${snapshot.operator.crds.registry.kind} ${r.namespace}/${r.name} not ready: ${c.reason ?? ''}`,
            [c.message ?? ''],
          ),
        );
      } else if ((r.failed ?? 0) > 5 || (r.desired && (r.failed ?? 0) / r.desired > 0.5)) {
        out.push(
          finding(
            snapshot,
            'affected-tenants',
            'warn',
            null,
            `${snapshot.operator.crds.registry.kind} ${r.namespace}/${r.name}: ${r.failed} of ${r.desired} failed`,
            [],
          ),
        );
      }
    }
  }
  return out;
};
