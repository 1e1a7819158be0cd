/**
 * The rules a deployment evaluates, from its config: the operator's shipped rules for its preset
 * (default), the user's rule file (its text carried in `rules.inline`), or none. The runbook's own
 * alert (`alert.name`, TenantReconciliationErrors) is not among them: it is the primary alert, with
 * its own threshold and `for`, and evaluating the rule too would page twice for one alert.
 */
import type { RulesConfig } from '../../config.js';
import type { OperatorPreset } from '../../presets.js';
import { operatorRules } from './operator-rules.js';
import { parseRules } from './parse.js';
import type { AlertingRule, RuleSet } from './types.js';

export interface RuleSelection {
  rules: RulesConfig;
  operator: { preset: OperatorPreset };
  alert: { name: string };
}

/** The rule set named by the config; throws RuleFileError for a file that cannot be used. */
export function ruleSetFor(config: RuleSelection): RuleSet | undefined {
  const { rules } = config;
  if (rules.source === 'none') return undefined;
  if (rules.source === 'operator') return operatorRules(config.operator.preset);
  const parsed = parseRules(rules.inline ?? '', rules.file ?? 'rules.inline');
  if (!parsed.ok) throw parsed.error;
  return parsed.rules;
}

/** The alerting rules to evaluate: the set's, less the runbook's primary alert. */
export function rulesToEvaluate(config: RuleSelection): AlertingRule[] {
  return (ruleSetFor(config)?.alerting ?? []).filter((r) => r.name !== config.alert.name);
}
