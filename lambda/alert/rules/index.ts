/**
 * The operator's own alerting rules (or a user's), evaluated with Prometheus's semantics and
 * grouped as Alertmanager groups them: the rule engine of issue 16, as pure modules behind one
 * port (a range query). The cycle wires it: rules from `operatorRules(preset)` or
 * `parseRules(file)`, `evaluateRules` at the cycle's instant, `groupAlerts` for what to store and
 * notify.
 */

export { type Capability, canEvaluate, notEvaluated, unevaluableNotice } from './capability.js';
export { formatPrometheusDuration, parsePrometheusDuration } from './duration.js';
export {
  type AlertInstance,
  compareInstances,
  DEFAULT_MARGIN_MS,
  type EvaluateOptions,
  evaluateRule,
  type InstanceState,
  labelKey,
  type PreviousInstance,
  type PreviousRuleState,
  type QueryAnswer,
  type RangeQuery,
  type RangeSeries,
  type RuleEvaluation,
  type RuleState,
  replay,
  type Step,
  stepsFromSeries,
} from './evaluate.js';
export { type EvaluateRulesOptions, evaluateRules } from './evaluate-all.js';
export {
  type AlertGroup,
  DEFAULT_TOP_INSTANCES,
  type GroupedAlert,
  type GroupingOptions,
  groupAlerts,
  groupFingerprint,
} from './grouping.js';
export { operatorRules, SHIPPED_RULE_DEFECTS } from './operator-rules.js';
export { parseRules, RuleFileError, type RuleFileResult, toRuleFile } from './parse.js';
export { type AlertTemplate, compileTemplate, type TemplateData } from './template.js';
export * from './types.js';
