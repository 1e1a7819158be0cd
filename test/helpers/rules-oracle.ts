/**
 * Prometheus as the oracle for the rule engine. A scenario is a set of series sampled every 30 s
 * from its own time 0; from one definition come (1) the OpenMetrics backfill for the real Prometheus
 * server, each scenario in its own 4-hour slot of one TSDB, and (2) a `promtool test rules` file
 * whose input series are the same samples and whose expected alerts are the engine's own answers:
 * the firing alerts with their labels and rendered annotations (`alert_rule_test`), the pending and
 * firing alerts (`ALERTS`) and their `activeAt` (`ALERTS_FOR_STATE`) at every evaluation. promtool
 * runs Prometheus's rule manager over the series; where it disagrees with the engine, it says so.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RuleEvaluation } from '../../lambda/alert/rules/index.js';

export const SAMPLE_SECONDS = 30;
/** Scenarios live 4 hours apart: a 2-hour window plus lookback never reaches the previous one. */
export const SLOT_SECONDS = 4 * 3600;

export type Value = number | null;

export interface SeriesSpec {
  name: string;
  labels: Record<string, string>;
  /** One sample every 30 s from time 0; null is no sample (absent). */
  values: Value[];
}

export interface Expectation {
  /** Alerts with these labels fire at some evaluation. */
  fires?: Record<string, string>[];
  /** Alerts with these labels are pending at some evaluation and never fire. */
  pendingOnly?: Record<string, string>[];
  /** No alert with these labels is ever pending or firing. */
  never?: Record<string, string>[];
  /** The state of the alert with these labels at this minute (`inactive`: not pending or firing). */
  at?: { labels: Record<string, string>; minute: number; state: 'pending' | 'firing' | 'inactive' }[];
}

export interface RuleScenario {
  name: string;
  /** The alert name under test. */
  rule: string;
  /** Which rule file it lives in. */
  file: 'operator' | 'custom';
  minutes: number;
  series: SeriesSpec[];
  expect: Expectation;
}

/** Samples every 30 s for `minutes` minutes: f gets the minute of each sample. */
export function samples(minutes: number, f: (minute: number) => Value): Value[] {
  return Array.from({ length: (minutes * 60) / SAMPLE_SECONDS + 1 }, (_, k) => f((k * SAMPLE_SECONDS) / 60));
}

/** `value` in [from, to), `otherwise` outside. */
export const during =
  (from: number, to: number, value: Value, otherwise: Value = 0) =>
  (minute: number): Value =>
    minute >= from && minute < to ? value : otherwise;

/** A counter growing by perSecond(minute) per second; null from perSecond stops the samples; it restarts from 0 at `resetAt`. */
export function counter(
  minutes: number,
  perSecond: (minute: number) => number | null,
  resetAt?: number,
): Value[] {
  let total = 0;
  return samples(minutes, (m) => {
    const rate = perSecond(m);
    if (rate === null) return null;
    if (resetAt !== undefined && m === resetAt) total = 0;
    else if (m > 0) total += rate * SAMPLE_SECONDS;
    return Math.round(total * 1000) / 1000;
  });
}

const formatValue = (v: number) => (Number.isNaN(v) ? 'NaN' : String(v));

function selector(name: string, labels: Record<string, string>): string {
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
  return `${name}{${inner}}`;
}

/** The OpenMetrics backfill: every scenario at its own T0 (unix seconds). */
export function backfill(scenarios: { scenario: RuleScenario; t0: number }[]): string {
  const families = new Map<string, string[]>();
  for (const { scenario, t0 } of scenarios) {
    for (const s of scenario.series) {
      let lines = families.get(s.name);
      if (!lines) {
        lines = [];
        families.set(s.name, lines);
      }
      s.values.forEach((v, k) => {
        if (v !== null)
          lines?.push(`${selector(s.name, s.labels)} ${formatValue(v)} ${t0 + k * SAMPLE_SECONDS}`);
      });
    }
  }
  const out: string[] = [];
  for (const [name, lines] of families) {
    out.push(`# TYPE ${name} ${/_(total|count|bucket)$/.test(name) ? 'counter' : 'gauge'}`, ...lines);
  }
  out.push('# EOF', '');
  return out.join('\n');
}

/** One evaluation of the engine, at `minute` of the scenario. */
export interface EngineAnswer {
  minute: number;
  evaluation: RuleEvaluation;
}

const seconds = (minute: number) => `${Math.round(minute * 60)}s`;

/**
 * A promtool test file for one scenario: its series, and at every evaluation the engine's alerts
 * as what Prometheus must compute.
 */
export function promtoolTest(
  scenario: RuleScenario,
  ruleFile: string,
  intervalSeconds: number,
  answers: EngineAnswer[],
  t0Ms: number,
): object {
  const alertTests = answers.map(({ minute, evaluation }) => ({
    eval_time: seconds(minute),
    alertname: scenario.rule,
    exp_alerts: evaluation.instances
      .filter((i) => i.state === 'firing')
      .map((i) => ({ exp_labels: i.labels, exp_annotations: i.annotations })),
  }));
  const active = (e: RuleEvaluation) => e.instances.filter((i) => i.state !== 'resolved');
  const exprTests = answers.flatMap(({ minute, evaluation }) => [
    {
      expr: `ALERTS{alertname="${scenario.rule}"}`,
      eval_time: seconds(minute),
      exp_samples: active(evaluation).map((i) => ({
        labels: selector('ALERTS', { ...i.labels, alertstate: i.state }),
        value: 1,
      })),
    },
    {
      expr: `ALERTS_FOR_STATE{alertname="${scenario.rule}"}`,
      eval_time: seconds(minute),
      exp_samples: active(evaluation).map((i) => ({
        labels: selector('ALERTS_FOR_STATE', i.labels),
        value: (Date.parse(i.activeAt) - t0Ms) / 1000,
      })),
    },
  ]);
  return {
    rule_files: [ruleFile],
    evaluation_interval: `${intervalSeconds}s`,
    tests: [
      {
        name: scenario.name,
        interval: `${SAMPLE_SECONDS}s`,
        input_series: scenario.series.map((s) => ({
          series: selector(s.name, s.labels),
          values: s.values.map((v) => (v === null ? '_' : formatValue(v))).join(' '),
        })),
        alert_rule_test: alertTests,
        promql_expr_test: exprTests,
      },
    ],
  };
}

export function writeYaml(dir: string, name: string, value: object): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(value, { lineWidth: 0 }));
  return path;
}

/** Runs `promtool <args>`: its exit code and what it printed. */
export function promtool(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
