/**
 * Which rules a cluster's metrics source can evaluate. A rule is PromQL over history: AMP and a
 * Prometheus server (in the cluster, or by URL from a laptop) evaluate it; the direct scrape of
 * the operator's endpoint has no query engine and no history, so it cannot, and the checker does
 * not fake it (DESIGN.md). The answer is said once for all the rules, not once per rule.
 */
import { formatPrometheusDuration } from './duration.js';
import type { RuleEvaluation } from './evaluate.js';
import type { AlertingRule, RuleSourceKind } from './types.js';

export type Capability = { ok: true } | { ok: false; reason: string; needs: RuleSourceKind[] };

const PROMQL_SOURCES: RuleSourceKind[] = ['amp', 'prometheus'];

export function canEvaluate(rule: AlertingRule, source: RuleSourceKind): Capability {
  if (PROMQL_SOURCES.includes(source)) return { ok: true };
  return {
    ok: false,
    needs: PROMQL_SOURCES,
    reason: `rule "${rule.name}" needs a PromQL engine with history (it evaluates its expression every ${formatPrometheusDuration(rule.intervalMs)}${rule.forMs > 0 ? ` and waits ${formatPrometheusDuration(rule.forMs)} before firing` : ''}); the direct scrape of the operator's metrics has neither: configure metrics.source "amp" or "prometheus" (or pass --prometheus-url)`,
  };
}

/** One sentence for all the rules the source cannot evaluate, or undefined when it can evaluate them all. */
export function unevaluableNotice(rules: AlertingRule[], source: RuleSourceKind): string | undefined {
  const refused = rules.filter((r) => !canEvaluate(r, source).ok);
  if (refused.length === 0) return undefined;
  const names = refused.map((r) => r.name).join(', ');
  return `${refused.length === rules.length ? `None of the ${rules.length}` : `${refused.length} of the ${rules.length}`} alerting rules can be evaluated with the direct scrape, which has no PromQL engine and no history: ${names}. They need Amazon Managed Service for Prometheus (metrics.source "amp") or a Prometheus server (metrics.source "prometheus", or --prometheus-url); until then they are reported as unknown, never as healthy.`;
}

/** The evaluation of a rule the source cannot evaluate: unknown, with the reason. */
export function notEvaluated(rule: AlertingRule, at: Date, reason: string): RuleEvaluation {
  const end = new Date(Math.floor(at.getTime() / rule.intervalMs) * rule.intervalMs).toISOString();
  return {
    rule,
    evaluatedAt: end,
    state: 'unknown',
    reason,
    instances: [],
    problems: [...rule.problems],
    window: { start: end, end, stepSeconds: rule.intervalMs / 1000, evaluations: 0 },
  };
}
