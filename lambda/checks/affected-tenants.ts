/**
 * Diagnosis step 6: which tenants are not ready, why, and what their registries say. Each status
 * follows its numbers (the tenants' own Ready conditions and the registries' desired/ready/failed
 * counts). A registry's DatabaseConnectionFailed is a symptom: external-dependencies.ts follows the
 * path to its cause. Not-ready messages that state their cause directly (a quota, a webhook) count.
 */
import type { CauseId } from '../model/causes.js';
import type { Finding } from '../model/finding.js';
import { percent } from '../model/format.js';
import { directCause } from './error-patterns.js';
import { evidenceOf, quote } from './evidence.js';
import { findings } from './finding.js';
import type { Check } from './types.js';

export const affectedTenants: Check = (snapshot) => {
  const f = findings(snapshot, 'affected-tenants');
  const out: Finding[] = [];
  const kind = snapshot.operator.crds.tenant.kind;
  if (!snapshot.tenants.ok)
    out.push(f.unread(`the ${snapshot.operator.crds.tenant.plural}`, snapshot.tenants));
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
    const parts = {
      summary: `${notReady} of ${t.total} ${kind}s not ready${t.total > 0 ? ` (${percent(notReady / t.total)})` : ''}`,
      evidence,
    };
    out.push(
      notReady === 0
        ? f.ok(parts)
        : notReady / Math.max(1, t.total) > 0.1
          ? f.fail(null, parts)
          : f.warn(null, parts),
    );
    // Not-ready messages that name their cause as the logs do.
    const evidenceAll = evidenceOf(snapshot);
    const byCause = new Map<CauseId, { n: number; weight: number; quotes: string[] }>();
    for (const g of evidenceAll.groups.filter((g) => g.source === 'tenants')) {
      const direct = directCause(g);
      if (!direct) continue;
      const entry = byCause.get(direct.cause) ?? { n: 0, weight: direct.certainty, quotes: [] };
      entry.n += g.count;
      entry.quotes.push(quote(g, evidenceAll));
      byCause.set(direct.cause, entry);
    }
    for (const [cause, { n, weight, quotes }] of byCause) {
      const p = {
        summary: `${n} not-ready ${kind}s state ${cause}`,
        evidence: quotes.slice(0, 3),
        weight: weight * Math.min(0.8, n / 8),
      };
      out.push(n >= 3 ? f.fail(cause, p) : f.warn(cause, p));
    }
  }
  if (snapshot.registries.ok) {
    const registryKind = snapshot.operator.crds.registry.kind;
    for (const r of snapshot.registries.data) {
      const c = r.readyCondition;
      const counts = `desired ${r.desired ?? '?'}, ready ${r.ready ?? '?'}, failed ${r.failed ?? '?'}`;
      const failing =
        (r.failed ?? 0) > 0 || (r.desired !== undefined && r.ready !== undefined && r.ready < r.desired);
      if (c?.status === 'False') {
        out.push(
          f.fail(null, {
            summary: `${registryKind} ${r.namespace}/${r.name} not ready: ${c.reason ?? ''} (${counts})`,
            evidence: [`${c.message ?? ''}`.trim() || 'no message', ...(c.since ? [`since ${c.since}`] : [])],
          }),
        );
      } else if (failing) {
        const share = r.desired ? (r.failed ?? r.desired - (r.ready ?? 0)) / r.desired : 1;
        const p = { summary: `${registryKind} ${r.namespace}/${r.name}: ${counts}` };
        out.push(share > 0.1 ? f.fail(null, p) : f.warn(null, p));
      }
    }
  }
  return out;
};
