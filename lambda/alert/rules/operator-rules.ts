/**
 * The operator's own alerting rules, embedded: the PrometheusRule it ships
 * (config/prometheus/alerts.yaml, 14 rules), read as any user's rule file is, with its known
 * defects stated on the rules they affect (DESIGN.md, "The operator as it really is"). For the
 * Lynq preset the same rules are rewritten to Lynq's metric and label names (tenant_* →
 * lynqnode_*, registry_* → hub_*, labels tenant → lynqnode and registry → hub, from Lynq's
 * internal/metrics/metrics.go); the rules keep their names, so an alert is the same alert whichever
 * preset the cluster runs.
 */
import type { OperatorPreset } from '../../presets.js';
import { OPERATOR_ALERTS_YAML } from './operator-alerts.generated.js';
import { parseRules } from './parse.js';
import type { AlertingRule, RuleSet } from './types.js';

/** What is wrong with the shipped rules, as the operator's code shows (reference/tenant-operator). */
export const SHIPPED_RULE_DEFECTS: Record<string, string[]> = {
  HighApplyFailureRate: [
    'selects apply_attempts_total{result="failure"}, but the operator records result="error" (internal/controller/tenant_controller.go): the ratio is always 0 or absent and the rule cannot fire',
  ],
  TenantStatusUnknown: [
    'waits for tenant_condition_status{type="Ready"} == 2 (Unknown), which the operator never publishes for Ready: the rule cannot fire',
  ],
  TenantResourcesMismatch: [
    'its description reads $labels.tenant_resources_ready and $labels.tenant_resources_desired, which are metric names, not labels: they render empty',
  ],
  RegistryDesiredCountMismatch: [
    'its description reads $labels.registry_ready and $labels.registry_desired, which are metric names, not labels: they render empty',
  ],
};

/** Lynq's names for the tenant operator's metrics and labels (k8s-lynq/lynq internal/metrics). */
const LYNQ_IDENTIFIERS: [RegExp, string][] = [
  [/\btenant_(?=[a-zA-Z0-9_])/g, 'lynqnode_'],
  [/\bregistry_(?=[a-zA-Z0-9_])/g, 'hub_'],
  [/\btenant\b/g, 'lynqnode'],
  [/\bregistry\b/g, 'hub'],
];

/** Renames identifiers in a PromQL expression, leaving string literals alone. */
export function renameInExpression(expr: string, renames: [RegExp, string][]): string {
  return expr
    .split(/("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : renames.reduce((s, [re, to]) => s.replace(re, to), part)))
    .join('');
}

/** Renames `$labels.x` and `.Labels.x` references in a template. */
function renameInTemplate(text: string, renames: [RegExp, string][]): string {
  return text.replace(
    /((?:\$labels|\.Labels)\.)([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, prefix: string, label: string) => {
      return prefix + renames.reduce((s, [re, to]) => s.replace(re, to), label);
    },
  );
}

function forLynq(rule: AlertingRule): AlertingRule {
  const annotations = Object.fromEntries(
    Object.entries(rule.annotations).map(([k, v]) => [k, renameInTemplate(v, LYNQ_IDENTIFIERS)]),
  );
  return {
    ...rule,
    expr: renameInExpression(rule.expr, LYNQ_IDENTIFIERS),
    annotations,
    problems: rule.problems.map((p) => renameInTemplate(p, LYNQ_IDENTIFIERS)),
  };
}

/**
 * The operator's shipped rules for a preset. The embedded file is part of the code: if it did not
 * parse, that is a bug, and this throws.
 */
export function operatorRules(preset: OperatorPreset = 'tenant-operator'): RuleSet {
  const parsed = parseRules(OPERATOR_ALERTS_YAML, `embedded:${preset}`);
  if (!parsed.ok) throw parsed.error;
  const withDefects = (rule: AlertingRule): AlertingRule => ({
    ...rule,
    problems: [...rule.problems, ...(SHIPPED_RULE_DEFECTS[rule.name] ?? [])],
  });
  const rename = preset === 'lynq' ? forLynq : (rule: AlertingRule) => rule;
  const groups = parsed.rules.groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => (r.kind === 'alerting' ? rename(withDefects(r)) : r)),
  }));
  const alerting = groups.flatMap((g) => g.rules.filter((r): r is AlertingRule => r.kind === 'alerting'));
  return { ...parsed.rules, groups, alerting };
}
