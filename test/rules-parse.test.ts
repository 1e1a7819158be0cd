/**
 * Rules as data: the operator's shipped PrometheusRule as the checker embeds it, any user's rule file
 * or PrometheusRule, and bad ones refused with the group, the rule and the field named. Where
 * Prometheus itself decides (what promtool accepts), promtool is asked.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYamlLoose } from 'yaml';
import { operatorRules, parseRules, SHIPPED_RULE_DEFECTS, toRuleFile } from '../lambda/alert/rules/index.js';
import { OPERATOR_ALERTS_YAML } from '../lambda/alert/rules/operator-alerts.generated.js';
import { promtool, writeYaml } from './helpers/rules-oracle.js';

const problemsOf = (text: string) => {
  const parsed = parseRules(text, 'alerts.yaml');
  if (parsed.ok) throw new Error('expected the file to be refused');
  return parsed.error.problems;
};

describe("the operator's shipped rules, embedded", () => {
  it('are byte for byte the file the operator ships (PROVENANCE sha256), in the module the bundles carry', () => {
    const copy = readFileSync(new URL('../lambda/alert/rules/operator-alerts.yaml', import.meta.url), 'utf8');
    expect(OPERATOR_ALERTS_YAML).toBe(copy);
    expect(createHash('sha256').update(copy).digest('hex')).toBe(
      '981495d31c022e8904ec8bc15459640ef304e87fe840d226486c290f57b5d06f',
    );
  });

  it('are 14 alerting rules with their groups, intervals, for and severity', () => {
    const rules = operatorRules();
    expect(
      rules.alerting.map((r) => [r.name, r.group, r.intervalMs / 1000, r.forMs / 60_000, r.labels.severity]),
    ).toEqual([
      ['TenantDegraded', 'tenant-operator.critical', 30, 5, 'critical'],
      ['TenantResourcesFailed', 'tenant-operator.critical', 30, 5, 'critical'],
      ['TenantNotReady', 'tenant-operator.critical', 30, 15, 'critical'],
      ['TenantStatusUnknown', 'tenant-operator.critical', 30, 10, 'critical'],
      ['RegistryManyTenantsFailure', 'tenant-operator.critical', 30, 5, 'critical'],
      ['TenantResourcesMismatch', 'tenant-operator.warning', 30, 15, 'warning'],
      ['TenantResourcesConflicted', 'tenant-operator.warning', 30, 10, 'warning'],
      ['TenantHighConflictRate', 'tenant-operator.warning', 30, 10, 'warning'],
      ['RegistryTenantsFailure', 'tenant-operator.warning', 30, 10, 'warning'],
      ['RegistryDesiredCountMismatch', 'tenant-operator.warning', 30, 20, 'warning'],
      ['TenantReconciliationErrors', 'tenant-operator.warning', 30, 10, 'warning'],
      ['TenantReconciliationSlow', 'tenant-operator.warning', 30, 15, 'warning'],
      ['HighApplyFailureRate', 'tenant-operator.warning', 30, 10, 'warning'],
      ['TenantNewConflictsDetected', 'tenant-operator.info', 60, 2, 'info'],
    ]);
    for (const rule of rules.alerting) expect(rule.annotations.runbook_url, rule.name).toMatch(/^https:\/\//);
  });

  it('carry their known defects on the rules they affect, and the `mul` Prometheus refuses', () => {
    const byName = Object.fromEntries(operatorRules().alerting.map((r) => [r.name, r.problems.join('\n')]));
    expect(byName.TenantReconciliationErrors).toContain(
      'annotation "description": template: __alert_TenantReconciliationErrors:1: function "mul" not defined',
    );
    expect(byName.HighApplyFailureRate).toContain('function "mul" not defined');
    expect(byName.HighApplyFailureRate).toContain('result="error"');
    expect(byName.TenantStatusUnknown).toContain('never publishes');
    for (const name of Object.keys(SHIPPED_RULE_DEFECTS)) expect(byName[name], name).toBeTruthy();
    expect(byName.TenantDegraded).toBe('');
  });

  it("for Lynq, select Lynq's metrics and labels and keep their names", () => {
    const lynq = operatorRules('lynq').alerting;
    expect(lynq.map((r) => r.name)).toEqual(operatorRules().alerting.map((r) => r.name));
    for (const rule of lynq) {
      expect(rule.expr, rule.name).not.toMatch(/\btenant_|\bregistry_|\btenant\b|\bregistry\b/);
      expect(JSON.stringify(rule.annotations), rule.name).not.toMatch(/\$labels\.(tenant|registry)\b/);
    }
    const byName = Object.fromEntries(lynq.map((r) => [r.name, r]));
    expect(byName.RegistryManyTenantsFailure?.expr).toBe(
      'hub_failed > 5 or (hub_failed / hub_desired > 0.5 and hub_desired > 0)',
    );
    expect(byName.TenantReconciliationErrors?.expr).toContain(
      'lynqnode_reconcile_duration_seconds_count{result="error"}',
    );
    expect(byName.HighApplyFailureRate?.expr).toContain('apply_attempts_total{result="failure"}');
    expect(byName.TenantNotReady?.annotations.summary).toBe(
      'Tenant {{ $labels.lynqnode }} not ready for 15+ minutes',
    );
  });

  it('written back as a rule file, are what promtool accepts once `mul` is replaced', async () => {
    const rules = operatorRules();
    const file = toRuleFile({
      ...rules,
      groups: rules.groups.map((g) => ({
        ...g,
        rules: g.rules.map((r) =>
          r.kind === 'alerting'
            ? {
                ...r,
                annotations: {
                  ...r.annotations,
                  description: r.annotations.description?.replace('(mul $value 100)', '$value') ?? '',
                },
              }
            : r,
        ),
      })),
    });
    const path = writeYaml(mkdtempSync(join(tmpdir(), 'rules-parse-')), 'rules.yaml', file);
    const { code, output } = await promtool(['check', 'rules', path]);
    expect(output).toContain('SUCCESS: 14 rules found');
    expect(code).toBe(0);
  });
});

describe('a rule file of the user', () => {
  it('reads a PrometheusRule, a rule file, several documents and a List', () => {
    const rule = (name: string) => `- alert: ${name}\n  expr: up == 0\n`;
    const plain = `groups:\n- name: a\n  rules:\n${rule('A').replace(/^(?=.)/gm, '  ')}`;
    const resource = `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups:\n  - name: b\n    rules:\n${rule('B').replace(/^(?=.)/gm, '    ')}`;
    const list = `apiVersion: v1\nkind: List\nitems:\n- kind: PrometheusRule\n  spec:\n    groups:\n    - name: c\n      rules:\n${rule('C').replace(/^(?=.)/gm, '      ')}`;
    for (const [text, names] of [
      [plain, ['A']],
      [resource, ['B']],
      [`${plain}---\n${resource}`, ['A', 'B']],
      [list, ['C']],
    ] as const) {
      const parsed = parseRules(text, 'alerts.yaml');
      if (!parsed.ok) throw parsed.error;
      expect(parsed.rules.alerting.map((r) => r.name)).toEqual(names);
    }
  });

  it('takes defaults and forms Prometheus takes: no interval is 1m, expr may be a number, group labels under rule labels', () => {
    const parsed = parseRules(
      'groups:\n- name: g\n  labels: {team: tenants, severity: info}\n  rules:\n  - alert: Always\n    expr: 1\n    labels: {severity: page}\n  - record: job:up:sum\n    expr: sum by (job) (up)\n',
      'g.yaml',
    );
    if (!parsed.ok) throw parsed.error;
    const [rule] = parsed.rules.alerting;
    expect(rule).toMatchObject({
      expr: '1',
      intervalMs: 60_000,
      forMs: 0,
      labels: { team: 'tenants', severity: 'page' },
    });
    expect(parsed.rules.notices).toEqual([
      expect.stringContaining('recording rule "job:up:sum" (group "g") is not evaluated'),
    ]);
  });

  it('that is not YAML is refused with the line', () => {
    expect(problemsOf('groups:\n- name: g\n  rules: [\n')).toEqual([
      expect.stringMatching(/^not YAML \(line \d+, column \d+\): /),
    ]);
    expect(problemsOf('groups:\n  name: a\n  name: b\n')).toEqual([
      expect.stringMatching(/^not YAML .*: Map keys must be unique/),
    ]);
  });

  it('names the group, the rule and the field of every problem', () => {
    expect(
      problemsOf(`groups:
- name: tenants
  rules:
  - alert: TenantDown
    expr: up == 0
    fro: 5m
  - alert: NoExpr
    for: 5m
  - alert: BadFor
    expr: up == 0
    for: 5 minutes
  - alert: Both
    record: both
    expr: up
  - expr: up
  - record: with_for
    expr: up
    for: 1m
  - alert: BadLabel
    expr: up
    labels: {"bad-name": x, severity: [critical]}
    annotations: {"1st": x}
- name: tenants
  rules: []
`),
    ).toEqual([
      'group "tenants", rule "TenantDown" (rule 1): unknown field "fro"',
      'group "tenants", rule "BadFor" (rule 3), field "for": not a valid duration string: "5 minutes" (expected a duration such as 30s, 5m or 1h30m)',
      'group "tenants", rule "BadLabel" (rule 7), field "labels.severity": expected a string',
      'group "tenants", rule "NoExpr" (rule 2): field "expr" must be set in rule',
      'group "tenants", rule "Both" (rule 4): only one of "record" and "alert" must be set',
      'group "tenants", rule 5: one of "record" or "alert" must be set',
      'group "tenants", rule "with_for" (rule 6): invalid field "for" in recording rule',
      'group "tenants", rule "BadLabel" (rule 7): field "labels": invalid label name: bad-name',
      'group "tenants", rule "BadLabel" (rule 7): field "annotations": invalid annotation name: 1st',
      'group "tenants": the group name is repeated in the same file',
    ]);
  });

  it('in a PrometheusRule, names the field under spec', () => {
    expect(
      problemsOf(
        'kind: PrometheusRule\nspec:\n  groups:\n  - name: g\n    interval: soon\n    rules: []\n  extra: 1\n',
      ),
    ).toEqual([
      'group "g", field "interval": not a valid duration string: "soon" (expected a duration such as 30s, 5m or 1h30m)',
      'field "spec": unknown field "extra"',
    ]);
    expect(problemsOf('kind: Deployment\n')).toEqual([
      expect.stringContaining('kind "Deployment" is not a PrometheusRule'),
    ]);
    expect(problemsOf('')).toEqual([expect.stringContaining('the file is empty')]);
  });

  it('is refused where promtool refuses it, and accepted with a bad expression that only Prometheus can judge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-parse-'));
    const bad = {
      unknownField: 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    fro: 5m\n',
      badDuration: 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: 5 minutes\n',
      missingExpr: 'groups:\n- name: g\n  rules:\n  - alert: A\n    for: 5m\n',
    };
    for (const [name, text] of Object.entries(bad)) {
      expect(parseRules(text, name).ok, name).toBe(false);
      const path = join(dir, `${name}.yaml`);
      writeYaml(dir, `${name}.yaml`, parseYamlLoose(text));
      const { code } = await promtool(['check', 'rules', path]);
      expect(code, `promtool on ${name}`).not.toBe(0);
    }
    // The checker reads an expression's structure (brackets, strings), as promtool does first: an
    // unclosed parenthesis is refused by both, naming the rule.
    const broken = 'groups:\n- name: g\n  rules:\n  - alert: BrokenRate\n    expr: sum(rate(x[5m])\n';
    const read = parseRules(broken, 'broken.yaml');
    expect(read.ok).toBe(false);
    if (!read.ok)
      expect(read.error.problems.join('\n')).toMatch(
        /"BrokenRate".*could not parse expression: unclosed "\("/,
      );
    const path = writeYaml(dir, 'broken.yaml', parseYamlLoose(broken));
    const { output } = await promtool(['check', 'rules', path]);
    expect(output).toMatch(/"BrokenRate": could not parse expression: .*unclosed left parenthesis/);
    // It has no PromQL grammar: a well-formed expression only the server can judge (rate of an
    // instant vector) is accepted here and judged by the server it is sent to
    // (rules-oracle.test.ts: "an expression the server rejects"), as promtool judges it.
    const typed = 'groups:\n- name: g\n  rules:\n  - alert: BadType\n    expr: rate(x) > 0\n';
    expect(parseRules(typed, 'typed.yaml').ok).toBe(true);
    const typedPath = writeYaml(dir, 'typed.yaml', parseYamlLoose(typed));
    expect((await promtool(['check', 'rules', typedPath])).output).toMatch(/"BadType": could not parse/);
  });
});
