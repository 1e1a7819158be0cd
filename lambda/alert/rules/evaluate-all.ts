/**
 * Every rule of a set at one instant, a few at a time, with what the metrics source cannot
 * evaluate said once. Kept apart from the rule file's parser, so that evaluating (every cycle)
 * does not load YAML: the cycle reads its rules once per container.
 */
import { canEvaluate, notEvaluated, unevaluableNotice } from './capability.js';
import {
  type EvaluateOptions,
  evaluateRule,
  type PreviousRuleState,
  type RangeQuery,
  type RuleEvaluation,
} from './evaluate.js';
import type { AlertingRule, RuleSourceKind } from './types.js';

export interface EvaluateRulesOptions extends Omit<EvaluateOptions, 'rangeQuery' | 'previous'> {
  /** The cluster's metrics source: with `scrape` no rule is evaluated, and one notice says why. */
  source: RuleSourceKind;
  /** Absent when the source cannot answer PromQL. */
  rangeQuery?: RangeQuery;
  /** The previous cycle's state of each rule, by rule name. */
  previous?: Record<string, PreviousRuleState>;
  /** Rules evaluated at once (default 4): AMP throttles bursts. */
  concurrency?: number;
}

/**
 * Every rule at one instant. Rules the source cannot evaluate are `unknown` with the reason, and
 * `notices` says so once for all of them.
 */
export async function evaluateRules(
  rules: AlertingRule[],
  options: EvaluateRulesOptions,
): Promise<{ evaluations: RuleEvaluation[]; notices: string[] }> {
  const notices: string[] = [];
  const { rangeQuery } = options;
  if (!rangeQuery || rules.some((r) => !canEvaluate(r, options.source).ok)) {
    const notice = unevaluableNotice(rules, options.source);
    if (notice) notices.push(notice);
  }
  const evaluations: RuleEvaluation[] = new Array(rules.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const rule = rules[i];
      if (!rule) return;
      const capability = canEvaluate(rule, options.source);
      if (!capability.ok || !rangeQuery) {
        evaluations[i] = notEvaluated(
          rule,
          options.at,
          capability.ok ? `rule "${rule.name}": no PromQL query API to evaluate it with` : capability.reason,
        );
        continue;
      }
      const previous = options.previous?.[rule.name];
      evaluations[i] = await evaluateRule(rule, {
        at: options.at,
        rangeQuery,
        ...(previous ? { previous } : {}),
        ...(options.marginMs !== undefined ? { marginMs: options.marginMs } : {}),
        ...(options.gridOffsetMs !== undefined ? { gridOffsetMs: options.gridOffsetMs } : {}),
        ...(options.externalLabels ? { externalLabels: options.externalLabels } : {}),
        ...(options.externalURL ? { externalURL: options.externalURL } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return { evaluations, notices };
}
