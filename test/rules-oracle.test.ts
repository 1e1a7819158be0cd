/**
 * Prometheus is the oracle. Every scenario's series go into a real Prometheus server (backfilled
 * with promtool); the rule engine evaluates the rule at every evaluation instant of the scenario
 * through the server's query API; then `promtool test rules` runs Prometheus's own rule manager on
 * the same series and must find exactly the engine's alerts: the firing ones with their labels and
 * annotations, the pending and firing ones (ALERTS), and their activeAt (ALERTS_FOR_STATE).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type AlertingRule,
  evaluateRule,
  operatorRules,
  parseRules,
  type RangeQuery,
  type RuleSet,
  toRuleFile,
} from '../lambda/alert/rules/index.js';
import { OPERATOR_ALERTS_YAML } from '../lambda/alert/rules/operator-alerts.generated.js';
import { rangeQueryOver } from '../lambda/collect/metrics/source.js';
import { ampTransport, urlTransport } from '../lambda/collect/metrics/transports.js';
import { type PrometheusServer, startPrometheus } from '../sim/prometheus.js';
import { type AmpEndpoint, startAmpEndpoint } from './helpers/amp-endpoint.js';
import { CUSTOM_RULES, CUSTOM_SCENARIOS, OPERATOR_SCENARIOS } from './helpers/rule-scenarios.js';
import {
  backfill,
  type EngineAnswer,
  promtool,
  promtoolTest,
  type RuleScenario,
  SLOT_SECONDS,
  writeYaml,
} from './helpers/rules-oracle.js';

const SCENARIOS = [...OPERATOR_SCENARIOS, ...CUSTOM_SCENARIOS];
/** TenantDegraded's scenario as Lynq exposes it: lynqnode_degraded_status{lynqnode=…}, in the slot after the others. */
const DEGRADED = OPERATOR_SCENARIOS[0] as RuleScenario;
const LYNQ_SLOT = SCENARIOS.length;
const LYNQ_DEGRADED: RuleScenario = {
  ...DEGRADED,
  series: DEGRADED.series.map(({ name, labels: { tenant, ...rest }, values }) => ({
    name: name.replace(/^tenant_/, 'lynqnode_'),
    labels: { ...rest, lynqnode: tenant as string },
    values,
  })),
};
/** Scenarios one slot apart, the newest ending well before now, on whole hours: any date. */
const BASE = Math.floor(Date.now() / 3_600_000) * 3600 - (SCENARIOS.length + 3) * SLOT_SECONDS;
const t0Of = (i: number) => BASE + i * SLOT_SECONDS;
/** Long enough that no alert of a scenario is older than the window (its activeAt is exact). */
const MARGIN_MS = 2 * 3_600_000;

/** Prometheus refuses `mul` and so the whole file: the oracle gets the same rules with a function it has. */
const MUL = /\{\{ printf "%\.1f" \(mul \$value 100\) \}\}%/;
function withoutMul(rule: AlertingRule): AlertingRule {
  const annotations = Object.fromEntries(
    Object.entries(rule.annotations).map(([k, v]) => [k, v.replace(MUL, '{{ humanizePercentage $value }}')]),
  );
  return { ...rule, annotations, problems: rule.problems.filter((p) => !p.includes('"mul"')) };
}

const shipped = operatorRules('tenant-operator');
const oracleOperator: RuleSet = {
  ...shipped,
  groups: shipped.groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => (r.kind === 'alerting' ? withoutMul(r) : r)),
  })),
  alerting: shipped.alerting.map(withoutMul),
};
const custom = (() => {
  const parsed = parseRules(CUSTOM_RULES, 'custom.yaml');
  if (!parsed.ok) throw parsed.error;
  return parsed.rules;
})();

let prometheus: PrometheusServer;
let amp: AmpEndpoint;
let rangeQuery: RangeQuery;
let dir: string;
const files: Record<RuleScenario['file'], string> = { operator: '', custom: '' };

beforeAll(async () => {
  prometheus = await startPrometheus(
    backfill([
      ...SCENARIOS.map((scenario, i) => ({ scenario, t0: t0Of(i) })),
      { scenario: LYNQ_DEGRADED, t0: t0Of(LYNQ_SLOT) },
    ]),
  );
  rangeQuery = rangeQueryOver(urlTransport(prometheus.url));
  dir = mkdtempSync(join(tmpdir(), 'rules-oracle-'));
  files.operator = writeYaml(dir, 'operator-rules.yaml', toRuleFile(oracleOperator));
  files.custom = join(dir, 'custom-rules.yaml');
  writeFileSync(files.custom, CUSTOM_RULES);
});

afterAll(async () => {
  await amp?.close();
  await prometheus?.stop();
});

function ruleOf(scenario: RuleScenario, set?: RuleSet): AlertingRule {
  const rules = set ?? (scenario.file === 'operator' ? oracleOperator : custom);
  const rule = rules.alerting.find((r) => r.name === scenario.rule);
  if (!rule) throw new Error(`no rule ${scenario.rule}`);
  return rule;
}

/** The engine at every evaluation instant of the scenario. */
async function evaluateScenario(
  scenario: RuleScenario,
  rule: AlertingRule,
  query = rangeQuery,
  slot = SCENARIOS.indexOf(scenario),
): Promise<EngineAnswer[]> {
  const t0 = t0Of(slot);
  const step = rule.intervalMs / 1000;
  const answers: EngineAnswer[] = [];
  for (let second = 0; second <= scenario.minutes * 60; second += step) {
    const evaluation = await evaluateRule(rule, {
      at: new Date((t0 + second) * 1000),
      rangeQuery: query,
      marginMs: MARGIN_MS,
    });
    answers.push({ minute: second / 60, evaluation });
  }
  return answers;
}

const has = (labels: Record<string, string>, subset: Record<string, string>) =>
  Object.entries(subset).every(([k, v]) => labels[k] === v);

function statesOf(answers: EngineAnswer[], subset: Record<string, string>): Set<string> {
  const states = new Set<string>();
  for (const { evaluation } of answers) {
    for (const i of evaluation.instances) if (has(i.labels, subset)) states.add(i.state);
  }
  return states;
}

function stateAt(answers: EngineAnswer[], minute: number, subset: Record<string, string>): string {
  const answer = answers.find((a) => a.minute === minute);
  if (!answer) throw new Error(`no evaluation at minute ${minute}`);
  const active = answer.evaluation.instances.filter((i) => i.state !== 'resolved' && has(i.labels, subset));
  return active[0]?.state ?? 'inactive';
}

/** The scenario shows what it claims: otherwise agreeing with Prometheus would prove little. */
function checkExpectations(scenario: RuleScenario, answers: EngineAnswer[]) {
  const { expect: e } = scenario;
  for (const labels of e.fires ?? [])
    expect(statesOf(answers, labels), JSON.stringify(labels)).toContain('firing');
  for (const labels of e.pendingOnly ?? []) {
    const states = statesOf(answers, labels);
    expect(states, JSON.stringify(labels)).toContain('pending');
    expect(states, JSON.stringify(labels)).not.toContain('firing');
  }
  for (const labels of e.never ?? []) expect(statesOf(answers, labels).size, JSON.stringify(labels)).toBe(0);
  for (const { labels, minute, state } of e.at ?? []) {
    expect(stateAt(answers, minute, labels), `${JSON.stringify(labels)} at ${minute}m`).toBe(state);
  }
}

async function agreeWithPrometheus(scenario: RuleScenario, rule: AlertingRule, answers: EngineAnswer[]) {
  const t0Ms = t0Of(SCENARIOS.indexOf(scenario)) * 1000;
  const name = `${SCENARIOS.indexOf(scenario)}-${scenario.rule}.test.yaml`;
  const test = writeYaml(
    dir,
    name,
    promtoolTest(scenario, files[scenario.file], rule.intervalMs / 1000, answers, t0Ms),
  );
  const { code, output } = await promtool(['test', 'rules', test]);
  expect(output, 'promtool disagrees with the engine').toContain('SUCCESS');
  expect(code).toBe(0);
}

describe.each(SCENARIOS)('$rule', (scenario) => {
  it(`agrees with Prometheus: ${scenario.name}`, async () => {
    const rule = ruleOf(scenario);
    const answers = await evaluateScenario(scenario, rule);
    for (const { evaluation } of answers) expect(evaluation.reason).toBeUndefined();
    checkExpectations(scenario, answers);
    await agreeWithPrometheus(scenario, rule, answers);
  });
});

describe('the shipped file as it is', () => {
  it('is refused by promtool for its `mul`, which the engine reports on the two rules and still evaluates', async () => {
    // What the Prometheus Operator hands Prometheus: the resource's spec as a rule file.
    const file = writeYaml(dir, 'shipped-alerts.yaml', { groups: parse(OPERATOR_ALERTS_YAML).spec.groups });
    const { code, output } = await promtool(['check', 'rules', file]);
    expect(code).not.toBe(0);
    for (const name of ['TenantReconciliationErrors', 'HighApplyFailureRate']) {
      const message = `template: __alert_${name}:1: function "mul" not defined`;
      expect(output).toContain(message);
      const rule = shipped.alerting.find((r) => r.name === name) as AlertingRule;
      expect(rule.problems.join('\n')).toContain(`annotation "description": ${message}`);
    }
  });

  it.each(['TenantReconciliationErrors', 'HighApplyFailureRate'])(
    '%s: same alerts as the oracle-loadable rule; the description shows the error',
    async (name) => {
      const scenario = SCENARIOS.find((s) => s.rule === name) as RuleScenario;
      const [original, loadable] = await Promise.all([
        evaluateScenario(scenario, ruleOf(scenario, shipped)),
        evaluateScenario(scenario, ruleOf(scenario)),
      ]);
      const summary = (answers: EngineAnswer[]) =>
        answers.map(({ evaluation }) => evaluation.instances.map((i) => [i.key, i.state, i.activeAt]));
      expect(summary(original)).toEqual(summary(loadable));
      const firing = original.flatMap((a) => a.evaluation.instances).find((i) => i.state === 'firing');
      expect(firing?.annotations.description).toBe(
        `<error expanding template: error parsing template __alert_${name}: template: __alert_${name}:1: function "mul" not defined>`,
      );
      expect(firing?.annotations.summary).not.toContain('<error expanding');
    },
  );
});

describe('through AMP and with Lynq names', () => {
  it('evaluates the same through the SigV4 AMP transport', async () => {
    const credentials = {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    };
    amp = await startAmpEndpoint({
      workspaceId: 'ws-rules',
      region: 'eu-west-1',
      credentials,
      prometheusUrl: prometheus.url,
    });
    const viaAmp = rangeQueryOver(
      ampTransport({
        workspaceId: 'ws-rules',
        region: 'eu-west-1',
        credentials: async () => credentials,
        endpoint: amp.url,
      }),
    );
    const scenario = OPERATOR_SCENARIOS[0] as RuleScenario;
    const rule = ruleOf(scenario);
    const [direct, signed] = await Promise.all([
      evaluateScenario(scenario, rule),
      evaluateScenario(scenario, rule, viaAmp),
    ]);
    expect(signed.map((a) => a.evaluation.instances)).toEqual(direct.map((a) => a.evaluation.instances));
    expect(amp.verified).toBeGreaterThan(0);
    expect(amp.refused).toEqual([]);
  });

  it("the Lynq preset's rules select Lynq's metrics and labels, with the same alerts", async () => {
    const lynq = operatorRules('lynq').alerting.find((r) => r.name === 'TenantDegraded') as AlertingRule;
    expect(lynq.expr).toBe('max(lynqnode_degraded_status) by (lynqnode, namespace, reason) > 0');
    const [tenantOperator, lynqAnswers] = await Promise.all([
      evaluateScenario(DEGRADED, ruleOf(DEGRADED)),
      evaluateScenario(LYNQ_DEGRADED, lynq, rangeQuery, LYNQ_SLOT),
    ]);
    const shift = SLOT_SECONDS * (LYNQ_SLOT - SCENARIOS.indexOf(DEGRADED)) * 1000;
    const view = (answers: EngineAnswer[], offset: number) =>
      answers.map(({ evaluation }) =>
        evaluation.instances
          .map((i) => ({
            who: i.labels.tenant ?? i.labels.lynqnode,
            state: i.state,
            activeAt: Date.parse(i.activeAt) - offset,
            summary: i.annotations.summary,
          }))
          .sort((a, b) => `${a.who}${a.state}`.localeCompare(`${b.who}${b.state}`)),
      );
    expect(view(lynqAnswers, shift)).toEqual(view(tenantOperator, 0));
    expect(
      view(lynqAnswers, shift)
        .flat()
        .some((i) => i.state === 'firing'),
    ).toBe(true);
  });
});

describe('an expression the server rejects', () => {
  it('makes the rule unknown, naming the rule and quoting the API', async () => {
    const parsed = parseRules(
      'groups:\n- name: broken\n  rules:\n  - alert: BrokenRate\n    expr: sum(rates(tenant_conflicts_total[5m]))\n    for: 5m\n',
      'broken.yaml',
    );
    if (!parsed.ok) throw parsed.error;
    const evaluation = await evaluateRule(parsed.rules.alerting[0] as AlertingRule, {
      at: new Date(t0Of(0) * 1000),
      rangeQuery,
    });
    expect(evaluation.state).toBe('unknown');
    expect(evaluation.reason).toMatch(
      /^rule "BrokenRate" \(group "broken"\): the Prometheus API rejected its expression: bad_data: .*parse error.*unknown function with name "rates"/,
    );
  });
});
