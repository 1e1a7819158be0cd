/**
 * Reads alerting rules from the two forms people keep them in: a PrometheusRule custom resource
 * (`spec.groups`, what the operator ships) or a Prometheus rule file (`groups:`), one or several
 * YAML documents, or a `kind: List` of PrometheusRules. Validation follows Prometheus's
 * (model/rulefmt): unknown fields are errors, `expr` is required, durations are Prometheus
 * durations, label and annotation names are label names, a rule is either `alert` or `record`.
 * Every problem names the group and the rule, and the field, as a user finds them in the file.
 *
 * A template Prometheus would refuse (the shipped rules' `mul`) does not reject the file here:
 * the rule is still evaluated, and the problem is reported on it (DESIGN.md).
 */
import { parseAllDocuments } from 'yaml';
import * as z from 'zod';
import { parsePrometheusDuration } from './duration.js';
import { compileTemplate } from './template.js';
import {
  type AlertingRule,
  DEFAULT_INTERVAL_MS,
  type RecordingRule,
  type RuleGroup,
  type RuleSet,
} from './types.js';

/** A rule file that cannot be used; `problems` name each bad group, rule and field. */
export class RuleFileError extends Error {
  override readonly name = 'RuleFileError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a usable rule file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export type RuleFileResult = { ok: true; rules: RuleSet } | { ok: false; error: RuleFileError };

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * What a PromQL parser would certainly refuse in an expression's structure: unbalanced brackets
 * and unterminated strings. Not a PromQL parser (no grammar, no function names): an expression
 * that passes may still be refused by the server, which the rule's evaluation then reports on
 * the rule by name. This catches the typos of hand-edited files at synth.
 */
export function exprStructureError(expr: string): string | undefined {
  const open: { char: string; at: number }[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (c === '#') {
      const end = expr.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += c !== '`' && expr[j] === '\\' ? 2 : 1;
      if (j >= expr.length) return `unterminated string starting at character ${i + 1}`;
      i = j;
    } else if (c === '(' || c === '[' || c === '{') open.push({ char: c, at: i });
    else if (c in pairs) {
      const last = open.pop();
      if (!last || last.char !== pairs[c])
        return `unexpected "${c}" at character ${i + 1}${last ? ` (the "${last.char}" at ${last.at + 1} is not closed)` : ''}`;
    }
  }
  const unclosed = open.pop();
  return unclosed ? `unclosed "${unclosed.char}" at character ${unclosed.at + 1}` : undefined;
}

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parsePrometheusDuration(String(value));
  if ('error' in parsed) {
    ctx.addIssue({
      code: 'custom',
      message: `${parsed.error} (expected a duration such as 30s, 5m or 1h30m)`,
    });
    return z.NEVER;
  }
  return parsed.ms;
});

/** Label values and annotations are strings; YAML's `1` and `true` are read as their text. */
const text = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string' }).transform(String);
const textMap = z.record(z.string(), text);

const ruleSchema = z.strictObject({
  alert: z.string().optional(),
  record: z.string().optional(),
  // The CRD types expr as IntOrString: `expr: 1` is a valid expression.
  expr: z.union([z.string(), z.number()]).transform(String).optional(),
  for: duration.optional(),
  keep_firing_for: duration.optional(),
  labels: textMap.nullish(),
  annotations: textMap.nullish(),
});

const groupSchema = z.strictObject({
  name: z.string(),
  interval: duration.optional(),
  limit: z.number().int().min(0).optional(),
  query_offset: duration.optional(),
  /** Prometheus 3's group labels, added to every rule's. */
  labels: textMap.nullish(),
  /** Thanos's field, allowed by the PrometheusRule CRD; meaningless to a single Prometheus. */
  partial_response_strategy: z.string().optional(),
  rules: z.array(ruleSchema).nullish(),
});

const groupsSchema = z.array(groupSchema).nullish();
const ruleFileSchema = z.strictObject({ groups: groupsSchema });
const prometheusRuleSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.literal('PrometheusRule'),
  metadata: z.record(z.string(), z.unknown()).optional(),
  spec: z.strictObject({ groups: groupsSchema }),
});

type RawGroup = z.output<typeof groupSchema>;

/** Where an issue is, in the words of the file: `group "g", rule "r" (rule 3), field "for"`. */
function locate(path: readonly PropertyKey[], groups: unknown, prefix: string): string {
  const parts: string[] = [];
  const [groupIndex, rulesKey, ruleIndex, ...rest] = path;
  const list = Array.isArray(groups) ? groups : [];
  if (typeof groupIndex === 'number') {
    const group = list[groupIndex] as { name?: unknown; rules?: unknown } | undefined;
    const name = typeof group?.name === 'string' ? `"${group.name}"` : `#${groupIndex + 1}`;
    parts.push(`group ${name}`);
    if (rulesKey === 'rules' && typeof ruleIndex === 'number') {
      const rules = Array.isArray(group?.rules) ? group.rules : [];
      const rule = rules[ruleIndex] as { alert?: unknown; record?: unknown } | undefined;
      const ruleName =
        typeof rule?.alert === 'string'
          ? rule.alert
          : typeof rule?.record === 'string'
            ? rule.record
            : undefined;
      parts.push(ruleName ? `rule "${ruleName}" (rule ${ruleIndex + 1})` : `rule ${ruleIndex + 1}`);
      if (rest.length > 0) parts.push(`field "${rest.map(String).join('.')}"`);
    } else if (rulesKey !== undefined) {
      parts.push(
        `field "${[rulesKey, ruleIndex, ...rest]
          .filter((p) => p !== undefined)
          .map(String)
          .join('.')}"`,
      );
    }
  } else if (groupIndex !== undefined) {
    parts.push(`field "${prefix}${path.map(String).join('.')}"`);
  }
  return parts.join(', ');
}

function describeIssue(
  issue: z.core.$ZodIssue,
  groups: unknown,
  prefix: string,
  groupPath: PropertyKey[],
): string {
  const relative = issue.path.slice(groupPath.length);
  const onGroups = issue.path.length >= groupPath.length && groupPath.every((p, i) => issue.path[i] === p);
  const where = onGroups
    ? locate(relative, groups, prefix) || `field "${prefix}groups"`
    : `field "${issue.path.map(String).join('.') || '(document)'}"`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      return `${where}: expected ${issue.expected}${issue.input === undefined ? ' (missing)' : `, got ${typeOf(issue.input)}`}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/**
 * Prometheus's own checks (rulefmt's RuleNode.Validate), group by group, with names. They read the
 * raw documents, so that a file with a bad duration also hears about its missing `expr`.
 */
function validateGroups(groups: unknown[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  groups.forEach((group, g) => {
    if (!isMap(group)) return;
    const name = str(group.name);
    const groupName = name ? `"${name}"` : `#${g + 1}`;
    if (name === '') problems.push(`group #${g + 1}, field "name": a group name must not be empty`);
    else if (name !== undefined && seen.has(name))
      problems.push(`group ${groupName}: the group name is repeated in the same file`);
    if (name !== undefined) seen.add(name);
    for (const label of Object.keys(isMap(group.labels) ? group.labels : {})) {
      if (!LABEL_NAME.test(label) || label === '__name__') {
        problems.push(`group ${groupName}, field "labels": invalid label name: ${label}`);
      }
    }
    (Array.isArray(group.rules) ? group.rules : []).forEach((rule: unknown, r: number) => {
      if (!isMap(rule)) return;
      const alert = str(rule.alert);
      const record = str(rule.record);
      const ruleName = alert || record;
      const where = `group ${groupName}, ${ruleName ? `rule "${ruleName}" (rule ${r + 1})` : `rule ${r + 1}`}`;
      const say = (message: string) => problems.push(`${where}: ${message}`);
      if (alert && record) say(`only one of "record" and "alert" must be set`);
      if (!alert && !record) say(`one of "record" or "alert" must be set`);
      const expr = str(rule.expr);
      if (expr === undefined || expr.trim() === '') say(`field "expr" must be set in rule`);
      else {
        const broken = exprStructureError(expr);
        if (broken) say(`could not parse expression: ${broken}`);
      }
      if (record) {
        if (isMap(rule.annotations) && Object.keys(rule.annotations).length > 0)
          say(`invalid field "annotations" in recording rule`);
        if (rule.for !== undefined) say(`invalid field "for" in recording rule`);
        if (rule.keep_firing_for !== undefined) say(`invalid field "keep_firing_for" in recording rule`);
        if (!METRIC_NAME.test(record)) say(`invalid recording rule name: ${record}`);
      }
      for (const label of Object.keys(isMap(rule.labels) ? rule.labels : {})) {
        if (!LABEL_NAME.test(label) || label === '__name__')
          say(`field "labels": invalid label name: ${label}`);
      }
      for (const annotation of Object.keys(isMap(rule.annotations) ? rule.annotations : {})) {
        if (!LABEL_NAME.test(annotation)) say(`field "annotations": invalid annotation name: ${annotation}`);
      }
    });
  });
  return problems;
}

/** Template problems Prometheus would reject the file for; here they are reported, not fatal. */
function templateProblems(
  name: string,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): string[] {
  const problems: string[] = [];
  for (const [kind, map] of [
    ['label', labels],
    ['annotation', annotations],
  ] as const) {
    for (const [key, text] of Object.entries(map)) {
      const { parseError } = compileTemplate(name, text);
      if (parseError) {
        problems.push(
          `${kind} "${key}": ${parseError} (Prometheus refuses to load this file; the checker evaluates the rule and shows the ${kind} as an error)`,
        );
      }
    }
  }
  return problems;
}

function buildGroups(raw: RawGroup[]): { groups: RuleGroup[]; notices: string[] } {
  const notices: string[] = [];
  const groups = raw.map((group): RuleGroup => {
    // `interval: 0`, like no interval, is Prometheus's global evaluation interval.
    const intervalMs = group.interval || DEFAULT_INTERVAL_MS;
    const limit = group.limit ?? 0;
    const queryOffsetMs = group.query_offset ?? 0;
    const rules = (group.rules ?? []).map((rule, i): AlertingRule | RecordingRule => {
      const labels = { ...(group.labels ?? {}), ...(rule.labels ?? {}) };
      if (rule.record) {
        notices.push(
          `recording rule "${rule.record}" (group "${group.name}") is not evaluated: the checker evaluates alerting rules; an alert that reads its series needs it recorded by Prometheus`,
        );
        return {
          kind: 'recording',
          name: rule.record,
          group: group.name,
          index: i + 1,
          expr: rule.expr ?? '',
          labels,
        };
      }
      const name = rule.alert as string;
      const annotations = rule.annotations ?? {};
      return {
        kind: 'alerting',
        name,
        group: group.name,
        index: i + 1,
        expr: (rule.expr as string).trim(),
        forMs: rule.for ?? 0,
        keepFiringForMs: rule.keep_firing_for ?? 0,
        labels,
        annotations,
        intervalMs,
        limit,
        queryOffsetMs,
        problems: templateProblems(name, labels, annotations),
      };
    });
    return { name: group.name, intervalMs, limit, queryOffsetMs, rules };
  });
  return { groups, notices };
}

/**
 * Reads a PrometheusRule resource or a rule file. Never throws for bad input: a file that cannot
 * be used comes back as a RuleFileError listing every problem, each naming its group and rule.
 */
export function parseRules(text: string, source: string): RuleFileResult {
  const fail = (problems: string[]): RuleFileResult => ({
    ok: false,
    error: new RuleFileError(source, problems),
  });
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const yamlErrors = list.flatMap((doc) =>
    doc.errors.map((e) => {
      const at = e.linePos?.[0];
      const message = (e.message.split('\n')[0] as string).replace(/ at line \d+, column \d+:?$/, '');
      return `not YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${message}`;
    }),
  );
  if (yamlErrors.length > 0) return fail(yamlErrors);

  const rawGroups: RawGroup[] = [];
  const untypedGroups: unknown[] = [];
  const problems: string[] = [];
  const contents = list.map((doc) => doc.toJS() as unknown).filter((c) => c !== null && c !== undefined);
  if (contents.length === 0)
    return fail(['the file is empty: expected a PrometheusRule or a rule file with "groups:"']);
  const documentsToRead: { value: unknown; label: string }[] = [];
  contents.forEach((value, d) => {
    const label = contents.length > 1 ? `document ${d + 1}: ` : '';
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (kind === 'List' && Array.isArray((value as { items?: unknown }).items)) {
      for (const [i, item] of (value as { items: unknown[] }).items.entries()) {
        documentsToRead.push({ value: item, label: `${label}item ${i + 1}: ` });
      }
    } else documentsToRead.push({ value, label });
  });
  for (const { value, label } of documentsToRead) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(
        `${label}expected a PrometheusRule (kind: PrometheusRule, spec.groups) or a rule file (groups:), got ${typeOf(value)}`,
      );
      continue;
    }
    const kind = (value as { kind?: unknown }).kind;
    if (kind === 'PrometheusRule') {
      const parsed = prometheusRuleSchema.safeParse(value);
      const groups = (value as { spec?: { groups?: unknown } }).spec?.groups;
      if (Array.isArray(groups)) untypedGroups.push(...groups);
      if (!parsed.success) {
        problems.push(
          ...parsed.error.issues.map((i) => label + describeIssue(i, groups, 'spec.', ['spec', 'groups'])),
        );
      } else rawGroups.push(...(parsed.data.spec.groups ?? []));
    } else if (kind !== undefined) {
      problems.push(
        `${label}kind ${JSON.stringify(kind)} is not a PrometheusRule (expected kind: PrometheusRule with spec.groups, or a rule file with groups:)`,
      );
    } else {
      const parsed = ruleFileSchema.safeParse(value);
      const groups = (value as { groups?: unknown }).groups;
      if (Array.isArray(groups)) untypedGroups.push(...groups);
      if (!parsed.success) {
        problems.push(...parsed.error.issues.map((i) => label + describeIssue(i, groups, '', ['groups'])));
      } else rawGroups.push(...(parsed.data.groups ?? []));
    }
  }
  problems.push(...validateGroups(untypedGroups));
  if (problems.length > 0) return fail(problems);
  const { groups, notices } = buildGroups(rawGroups);
  const alerting = groups.flatMap((g) => g.rules.filter((r): r is AlertingRule => r.kind === 'alerting'));
  if (alerting.length === 0) notices.push(`${source} holds no alerting rule: nothing to evaluate`);
  return { ok: true, rules: { source, groups, alerting, notices } };
}

/** The rules as a Prometheus rule file (`groups:`), e.g. for `promtool` or a Prometheus server. */
export function toRuleFile(rules: RuleSet): object {
  const seconds = (ms: number) => {
    if (ms % 1000 !== 0) return `${ms}ms`;
    return `${ms / 1000}s`;
  };
  return {
    groups: rules.groups.map((g) => ({
      name: g.name,
      interval: seconds(g.intervalMs),
      ...(g.limit > 0 ? { limit: g.limit } : {}),
      rules: g.rules.map((r) =>
        r.kind === 'recording'
          ? {
              record: r.name,
              expr: r.expr,
              ...(Object.keys(r.labels).length > 0 ? { labels: r.labels } : {}),
            }
          : {
              alert: r.name,
              expr: r.expr,
              ...(r.forMs > 0 ? { for: seconds(r.forMs) } : {}),
              ...(r.keepFiringForMs > 0 ? { keep_firing_for: seconds(r.keepFiringForMs) } : {}),
              ...(Object.keys(r.labels).length > 0 ? { labels: r.labels } : {}),
              ...(Object.keys(r.annotations).length > 0 ? { annotations: r.annotations } : {}),
            },
      ),
    })),
  };
}
