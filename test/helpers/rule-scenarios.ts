/**
 * Series for every one of the operator's 14 rules, and for the rule features the operator's file
 * does not use (keep_firing_for, templated labels, NaN values, the formatting functions): where a
 * rule fires, where it stays pending, where it never starts; `for` edges to the evaluation; gaps that
 * restart an alert; absent data (samples that stop, the 5-minute lookback); NaN (0/0, a NaN gauge);
 * counter resets. The series carry the target labels a ServiceMonitor scrape adds.
 */
import { counter, during, type RuleScenario, type SeriesSpec, samples, type Value } from './rules-oracle.js';

const TARGET = {
  job: 'tenant-operator-controller-manager-metrics-service',
  instance: '10.0.1.23:8443',
  pod: 'tenant-operator-controller-manager-7d9f8b6c5d-x7k2p',
};
const TARGET_B = {
  ...TARGET,
  instance: '10.0.2.41:8443',
  pod: 'tenant-operator-controller-manager-7d9f8b6c5d-q9rtz',
};

const tenant = (name: string, extra: Record<string, string> = {}) => ({
  ...TARGET,
  tenant: name,
  namespace: 'tenants',
  ...extra,
});
const registry = (name: string) => ({ ...TARGET, registry: name, namespace: 'tenants' });

const s = (name: string, labels: Record<string, string>, values: Value[]): SeriesSpec => ({
  name,
  labels,
  values,
});

/** One gauge per registry: failed, desired, ready. */
function registrySeries(
  minutes: number,
  name: string,
  f: (m: number) => [Value, Value, Value],
): SeriesSpec[] {
  return [
    s(
      'registry_failed',
      registry(name),
      samples(minutes, (m) => f(m)[0]),
    ),
    s(
      'registry_desired',
      registry(name),
      samples(minutes, (m) => f(m)[1]),
    ),
    s(
      'registry_ready',
      registry(name),
      samples(minutes, (m) => f(m)[2]),
    ),
  ];
}

function resourceSeries(
  minutes: number,
  name: string,
  f: (m: number) => [Value, Value, Value],
): SeriesSpec[] {
  return [
    s(
      'tenant_resources_ready',
      tenant(name),
      samples(minutes, (m) => f(m)[0]),
    ),
    s(
      'tenant_resources_desired',
      tenant(name),
      samples(minutes, (m) => f(m)[1]),
    ),
    s(
      'tenant_resources_failed',
      tenant(name),
      samples(minutes, (m) => f(m)[2]),
    ),
  ];
}

/** Reconciles per second by result, over phases. */
function reconcileCounts(
  minutes: number,
  rates: (m: number) => Partial<Record<string, number>> | null,
): SeriesSpec[] {
  return ['success', 'error', 'partial_failure'].map((result) =>
    s(
      'tenant_reconcile_duration_seconds_count',
      { ...TARGET, result },
      counter(minutes, (m) => {
        const r = rates(m);
        return r === null ? null : (r[result] ?? 0);
      }),
    ),
  );
}

const LE = ['0.1', '0.5', '1', '2', '5', '10', '30', '60', '+Inf'];

/** The reconcile histogram's buckets for result="success": `observations(m)` gives per-second counts by upper bound. */
function reconcileBuckets(
  minutes: number,
  observations: (m: number) => Partial<Record<string, number>>,
): SeriesSpec[] {
  return LE.map((le) =>
    s(
      'tenant_reconcile_duration_seconds_bucket',
      { ...TARGET, result: 'success', le },
      counter(minutes, (m) => {
        const perBound = observations(m);
        const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
        return Object.entries(perBound)
          .filter(([upper]) => Number(upper) <= bound)
          .reduce((sum, [, n]) => sum + (n ?? 0), 0);
      }),
    ),
  );
}

export const OPERATOR_SCENARIOS: RuleScenario[] = [
  {
    name: 'TenantDegraded: fires after 5m, not before; a gap restarts it; NaN and stale data',
    rule: 'TenantDegraded',
    file: 'operator',
    minutes: 40,
    series: [
      s(
        'tenant_degraded_status',
        tenant('acme', { reason: 'TemplateRenderError' }),
        samples(40, during(2, 30, 1)),
      ),
      // The second replica reports the same tenant: max by (tenant, namespace, reason) makes one alert.
      s(
        'tenant_degraded_status',
        { ...tenant('acme', { reason: 'TemplateRenderError' }), ...TARGET_B },
        samples(40, during(2, 30, 1)),
      ),
      s(
        'tenant_degraded_status',
        tenant('globex', { reason: 'ResourceFailures' }),
        samples(40, during(4, 8.5, 1)),
      ),
      s(
        'tenant_degraded_status',
        tenant('initech', { reason: 'ResourceConflicts' }),
        samples(40, () => Number.NaN),
      ),
      // The operator stops being scraped at 15m: the last sample counts for 5 more minutes.
      s(
        'tenant_degraded_status',
        tenant('umbrella', { reason: 'ResourcesNotReady' }),
        samples(40, (m) => (m > 15 ? null : m >= 5 ? 1 : 0)),
      ),
      // Degraded for exactly 5m of evaluations (10:00 … 15:00).
      s(
        'tenant_degraded_status',
        tenant('hooli', { reason: 'DependencyCycle' }),
        samples(40, during(10, 15.5, 1)),
      ),
      // One healthy evaluation at 6:00 restarts the clock.
      s(
        'tenant_degraded_status',
        tenant('stark', { reason: 'VariablesBuildError' }),
        samples(40, (m) => (m >= 2 && m < 20 && m !== 6 ? 1 : 0)),
      ),
    ],
    expect: {
      fires: [{ tenant: 'acme' }, { tenant: 'umbrella' }, { tenant: 'hooli' }, { tenant: 'stark' }],
      pendingOnly: [{ tenant: 'globex' }],
      never: [{ tenant: 'initech' }],
      at: [
        { labels: { tenant: 'acme' }, minute: 6.5, state: 'pending' },
        { labels: { tenant: 'acme' }, minute: 7, state: 'firing' },
        { labels: { tenant: 'hooli' }, minute: 14.5, state: 'pending' },
        { labels: { tenant: 'hooli' }, minute: 15, state: 'firing' },
        { labels: { tenant: 'hooli' }, minute: 15.5, state: 'inactive' },
        { labels: { tenant: 'stark' }, minute: 11, state: 'pending' },
        { labels: { tenant: 'stark' }, minute: 11.5, state: 'firing' },
        { labels: { tenant: 'umbrella' }, minute: 19.5, state: 'firing' },
        { labels: { tenant: 'umbrella' }, minute: 20.5, state: 'inactive' },
      ],
    },
  },
  {
    name: 'TenantResourcesFailed: the count in the summary follows the gauge',
    rule: 'TenantResourcesFailed',
    file: 'operator',
    minutes: 30,
    series: [
      s(
        'tenant_resources_failed',
        tenant('acme'),
        samples(30, (m) => (m >= 1 && m < 12 ? 3 : m >= 12 && m < 25 ? 4 : 0)),
      ),
      s(
        'tenant_resources_failed',
        tenant('globex'),
        samples(30, () => 0),
      ),
      s('tenant_resources_failed', tenant('initech'), samples(30, during(3, 7, 2))),
      s(
        'tenant_resources_failed',
        tenant('umbrella'),
        samples(30, () => Number.NaN),
      ),
      s(
        'tenant_resources_failed',
        tenant('hooli'),
        samples(30, () => 1.5),
      ),
    ],
    expect: {
      fires: [{ tenant: 'acme' }, { tenant: 'hooli' }],
      pendingOnly: [{ tenant: 'initech' }],
      never: [{ tenant: 'globex' }, { tenant: 'umbrella' }],
      at: [
        { labels: { tenant: 'acme' }, minute: 6, state: 'firing' },
        { labels: { tenant: 'acme' }, minute: 25, state: 'inactive' },
      ],
    },
  },
  {
    name: 'TenantNotReady: 15 minutes, not 14; flapping never fires; other conditions are not Ready',
    rule: 'TenantNotReady',
    file: 'operator',
    minutes: 45,
    series: [
      s(
        'tenant_condition_status',
        tenant('acme', { type: 'Ready' }),
        samples(45, (m) => (m >= 2 && m < 40 ? 0 : 1)),
      ),
      s(
        'tenant_condition_status',
        tenant('globex', { type: 'Ready' }),
        samples(45, (m) => (m >= 5 && m < 19.5 ? 0 : 1)),
      ),
      s(
        'tenant_condition_status',
        tenant('initech', { type: 'Ready' }),
        samples(45, () => 1),
      ),
      s(
        'tenant_condition_status',
        tenant('initech', { type: 'Progressing' }),
        samples(45, () => 0),
      ),
      s(
        'tenant_condition_status',
        tenant('umbrella', { type: 'Ready' }),
        samples(45, (m) => (m % 10 === 9.5 ? 1 : 0)),
      ),
      s(
        'tenant_condition_status',
        tenant('hooli', { type: 'Ready' }),
        samples(45, (m) => (m >= 20 ? 0 : 1)),
      ),
    ],
    expect: {
      fires: [{ tenant: 'acme' }, { tenant: 'hooli' }],
      pendingOnly: [{ tenant: 'globex' }, { tenant: 'umbrella' }],
      never: [{ tenant: 'initech' }],
      at: [
        { labels: { tenant: 'acme' }, minute: 16.5, state: 'pending' },
        { labels: { tenant: 'acme' }, minute: 17, state: 'firing' },
        { labels: { tenant: 'hooli' }, minute: 35, state: 'firing' },
      ],
    },
  },
  {
    name: 'TenantStatusUnknown: Ready=2 for 10 minutes',
    rule: 'TenantStatusUnknown',
    file: 'operator',
    minutes: 30,
    series: [
      s(
        'tenant_condition_status',
        tenant('acme', { type: 'Ready' }),
        samples(30, (m) => (m >= 5 ? 2 : 1)),
      ),
      s(
        'tenant_condition_status',
        tenant('globex', { type: 'Ready' }),
        samples(30, () => 0),
      ),
      s(
        'tenant_condition_status',
        tenant('initech', { type: 'Ready' }),
        samples(30, (m) => (m < 9.5 ? 2 : 1)),
      ),
    ],
    expect: {
      fires: [{ tenant: 'acme' }],
      pendingOnly: [{ tenant: 'initech' }],
      never: [{ tenant: 'globex' }],
      at: [{ labels: { tenant: 'acme' }, minute: 15, state: 'firing' }],
    },
  },
  {
    name: 'RegistryManyTenantsFailure: more than 5 failed, or more than half; 0/0 and x/0 are not',
    rule: 'RegistryManyTenantsFailure',
    file: 'operator',
    minutes: 30,
    series: [
      ...registrySeries(30, 'billing', (m) => [m >= 1 && m < 20 ? 8 : 0, 100, 92]),
      ...registrySeries(30, 'search', (m) => [m >= 3 && m < 12 ? 3 : 1, 4, 1]),
      ...registrySeries(30, 'mail', () => [2, 10, 8]),
      ...registrySeries(30, 'empty', () => [0, 0, 0]),
      ...registrySeries(30, 'orphans', () => [3, 0, 0]),
    ],
    expect: {
      fires: [{ registry: 'billing' }, { registry: 'search' }],
      never: [{ registry: 'mail' }, { registry: 'empty' }, { registry: 'orphans' }],
      at: [
        { labels: { registry: 'billing' }, minute: 6, state: 'firing' },
        { labels: { registry: 'search' }, minute: 8, state: 'firing' },
      ],
    },
  },
  {
    name: 'TenantResourcesMismatch: stuck with no failures for 15 minutes',
    rule: 'TenantResourcesMismatch',
    file: 'operator',
    minutes: 40,
    series: [
      ...resourceSeries(40, 'acme', () => [2, 5, 0]),
      ...resourceSeries(40, 'globex', () => [2, 5, 1]),
      ...resourceSeries(40, 'initech', () => [5, 5, 0]),
      ...resourceSeries(40, 'umbrella', () => [0, 0, 0]),
      ...resourceSeries(40, 'hooli', (m) => [m < 14 ? 3 : 5, 5, 0]),
    ],
    expect: {
      fires: [{ tenant: 'acme' }],
      pendingOnly: [{ tenant: 'hooli' }],
      never: [{ tenant: 'globex' }, { tenant: 'initech' }, { tenant: 'umbrella' }],
      at: [{ labels: { tenant: 'acme' }, minute: 15, state: 'firing' }],
    },
  },
  {
    name: 'TenantResourcesConflicted: 10 minutes of conflicts',
    rule: 'TenantResourcesConflicted',
    file: 'operator',
    minutes: 30,
    series: [
      s('tenant_resources_conflicted', tenant('acme'), samples(30, during(0, 25, 1))),
      s(
        'tenant_resources_conflicted',
        tenant('globex'),
        samples(30, () => 0),
      ),
      s('tenant_resources_conflicted', tenant('initech'), samples(30, during(5, 14.5, 2))),
    ],
    expect: {
      fires: [{ tenant: 'acme' }],
      pendingOnly: [{ tenant: 'initech' }],
      never: [{ tenant: 'globex' }],
    },
  },
  {
    name: 'TenantHighConflictRate: a rate over 0.1/s for 10 minutes, across a counter reset',
    rule: 'TenantHighConflictRate',
    file: 'operator',
    minutes: 40,
    series: [
      s(
        'tenant_conflicts_total',
        tenant('acme', { resource_kind: 'Deployment', conflict_policy: 'Stuck' }),
        counter(40, (m) => (m < 30 ? 4 / 30 : 0)),
      ),
      s(
        'tenant_conflicts_total',
        tenant('globex', { resource_kind: 'Service', conflict_policy: 'Force' }),
        counter(40, () => 1 / 30),
      ),
      s(
        'tenant_conflicts_total',
        tenant('initech', { resource_kind: 'ConfigMap', conflict_policy: 'Stuck' }),
        counter(40, () => 0.2, 15),
      ),
      s(
        'tenant_conflicts_total',
        tenant('umbrella', { resource_kind: 'Ingress', conflict_policy: 'Stuck' }),
        counter(40, (m) => (m > 20 ? null : 0.3)),
      ),
    ],
    expect: {
      fires: [{ tenant: 'acme' }, { tenant: 'initech' }, { tenant: 'umbrella' }],
      never: [{ tenant: 'globex' }],
    },
  },
  {
    name: 'RegistryTenantsFailure: one to five failed tenants for 10 minutes',
    rule: 'RegistryTenantsFailure',
    file: 'operator',
    minutes: 40,
    series: [
      ...registrySeries(40, 'billing', (m) => [m < 30 ? 3 : 0, 50, 47]),
      ...registrySeries(40, 'search', () => [8, 50, 42]),
      // Six failed for one evaluation: out of this rule's range, and back: the clock restarts.
      ...registrySeries(40, 'mail', (m) => [m === 8 ? 6 : 3, 50, 47]),
    ],
    expect: {
      fires: [{ registry: 'billing' }, { registry: 'mail' }],
      never: [{ registry: 'search' }],
      at: [
        { labels: { registry: 'mail' }, minute: 18, state: 'pending' },
        { labels: { registry: 'mail' }, minute: 18.5, state: 'firing' },
      ],
    },
  },
  {
    name: 'RegistryDesiredCountMismatch: ready short of desired with no failures for 20 minutes',
    rule: 'RegistryDesiredCountMismatch',
    file: 'operator',
    minutes: 50,
    series: [
      ...registrySeries(50, 'billing', (m) => [0, 10, m < 45 ? 8 : 10]),
      ...registrySeries(50, 'search', () => [1, 10, 8]),
    ],
    expect: {
      fires: [{ registry: 'billing' }],
      never: [{ registry: 'search' }],
      at: [{ labels: { registry: 'billing' }, minute: 20, state: 'firing' }],
    },
  },
  {
    name: 'TenantReconciliationErrors: 20% errors fire; 5% resolve; no traffic is 0/0; absent is absent',
    rule: 'TenantReconciliationErrors',
    file: 'operator',
    minutes: 70,
    series: reconcileCounts(70, (m) => {
      if (m < 20) return { success: 5, error: 2, partial_failure: 3 };
      if (m < 30) return { success: 9.5, error: 0.5 };
      if (m < 45) return { success: 8, error: 2 };
      if (m < 55) return { success: 0, error: 0 };
      return null;
    }),
    expect: {
      fires: [{}],
      at: [
        { labels: {}, minute: 19, state: 'firing' },
        { labels: {}, minute: 30, state: 'inactive' },
        { labels: {}, minute: 52, state: 'inactive' },
        { labels: {}, minute: 65, state: 'inactive' },
      ],
    },
  },
  {
    name: 'TenantReconciliationSlow: p95 of successful reconciles over 30s for 15 minutes',
    rule: 'TenantReconciliationSlow',
    file: 'operator',
    minutes: 45,
    series: reconcileBuckets(45, (m) => (m < 25 ? { '60': 2, '1': 0.1 } : { '0.5': 2 })),
    expect: {
      fires: [{}],
      at: [
        { labels: {}, minute: 20, state: 'firing' },
        { labels: {}, minute: 40, state: 'inactive' },
      ],
    },
  },
  {
    name: 'HighApplyFailureRate: the operator records result="error", the rule selects "failure"',
    rule: 'HighApplyFailureRate',
    file: 'operator',
    minutes: 30,
    series: [
      // What the operator really records: half the Deployment applies fail, as result="error".
      s(
        'apply_attempts_total',
        { ...TARGET, kind: 'Deployment', result: 'success', conflict_policy: 'Stuck' },
        counter(30, () => 1),
      ),
      s(
        'apply_attempts_total',
        { ...TARGET, kind: 'Deployment', result: 'error', conflict_policy: 'Stuck' },
        counter(30, () => 1),
      ),
      // What the rule expects to see: it would fire on this.
      s(
        'apply_attempts_total',
        { ...TARGET, kind: 'Service', result: 'success', conflict_policy: 'Stuck' },
        counter(30, () => 1),
      ),
      s(
        'apply_attempts_total',
        { ...TARGET, kind: 'Service', result: 'failure', conflict_policy: 'Stuck' },
        counter(30, () => 1),
      ),
    ],
    expect: { fires: [{ kind: 'Service' }], never: [{ kind: 'Deployment' }] },
  },
  {
    name: 'TenantNewConflictsDetected: any new conflict in 5 minutes, held 2 minutes, on a 1-minute group',
    rule: 'TenantNewConflictsDetected',
    file: 'operator',
    minutes: 30,
    series: [
      s(
        'tenant_conflicts_total',
        tenant('acme', { resource_kind: 'Deployment', conflict_policy: 'Stuck' }),
        samples(30, (m) => (m < 3 ? 4 : 5)),
      ),
      s(
        'tenant_conflicts_total',
        tenant('globex', { resource_kind: 'Service', conflict_policy: 'Force' }),
        samples(30, () => 7),
      ),
      s(
        'tenant_conflicts_total',
        tenant('initech', { resource_kind: 'ConfigMap', conflict_policy: 'Stuck' }),
        samples(30, (m) => (m < 10 ? 0 : Math.floor(Math.min(m, 20) - 9))),
      ),
    ],
    expect: {
      fires: [{ tenant: 'acme' }, { tenant: 'initech' }],
      never: [{ tenant: 'globex' }],
    },
  },
];

/** Rule features the operator's file does not use, in a rule file of our own. */
export const CUSTOM_RULES = `groups:
  - name: checker.features
    interval: 30s
    rules:
      - alert: KeepFiring
        expr: flappy_gauge > 0
        for: 1m
        keep_firing_for: 2m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.instance }} flaps ({{ $value }})"
      - alert: TemplatedLabel
        expr: load_gauge > 0
        for: 1m
        labels:
          severity: '{{ if gt $value 5.0 }}critical{{ else }}warning{{ end }}'
          level: '{{ if gt $value 5.0 }}high{{ else }}low{{ end }}'
        annotations:
          summary: "load {{ $value }} on {{ $labels.instance }}"
      - alert: NaNValue
        expr: nan_gauge
        annotations:
          summary: "value={{ $value }} humanize={{ humanize $value }} pct={{ humanizePercentage $value }}"
      - alert: Formatting
        expr: big_gauge
        labels:
          severity: info
        annotations:
          humanize: "{{ humanize $value }} {{ humanize1024 $value }} {{ $value | humanizeDuration }} {{ humanizePercentage $value }}"
          printf: '{{ printf "%.2f|%.0f|%e|%g|%08.3f|%-9s|%q|%5.1f%%" $value $value $value $value $value $labels.case $labels.case $value }}'
          mismatch: '{{ printf "%d %s" $value }}'
          value: "{{ $value }} {{ .Value }} {{ print $value 1 }} {{ .Labels.case | toUpper }} {{ title $labels.case }}"
          timestamp: "{{ humanizeTimestamp $value }}"
          control: "{{ if ge $value 1000.0 }}big{{ else if ge $value 1.0 }}medium{{ else }}small{{ end }}{{- /* trimmed */ -}} !"
          missing: "[{{ $labels.nope }}]"
          regex: '{{ reReplaceAll "(\\\\w+)-(\\\\d+)" "$2:$1" $labels.case }} {{ match "^[a-z]" $labels.case }}'
      - alert: ExecError
        expr: big_gauge{case="small-3"}
        annotations:
          summary: "{{ humanize $labels.case }}"
          second: "ok {{ toUpper $value }}"
`;

/** Values that exercise Go's float formatting: exponents, halves to even, tiny and huge. */
const FORMATTING_VALUES: Record<string, number> = {
  'huge-1': 1234567.0,
  'small-3': 0.000123,
  'days-2': 2 * 86_400 + 3723.5,
  'half-4': 0.125,
  'round-5': 2.675,
  'neg-6': -42.5,
  'exp-7': 1e21,
  'int-8': 100,
};

export const CUSTOM_SCENARIOS: RuleScenario[] = [
  {
    name: 'keep_firing_for bridges a short gap and holds the alert 2 minutes after it ends',
    rule: 'KeepFiring',
    file: 'custom',
    minutes: 20,
    series: [
      s(
        'flappy_gauge',
        { ...TARGET },
        samples(20, (m) => (m < 5 || (m >= 6 && m < 8) ? 1 : 0)),
      ),
      s('flappy_gauge', { ...TARGET_B }, samples(20, during(12, 12.5, 1))),
    ],
    expect: {
      fires: [{ instance: TARGET.instance }],
      pendingOnly: [{ instance: TARGET_B.instance }],
      at: [
        { labels: { instance: TARGET.instance }, minute: 5.5, state: 'firing' },
        { labels: { instance: TARGET.instance }, minute: 9.5, state: 'firing' },
        { labels: { instance: TARGET.instance }, minute: 10, state: 'inactive' },
      ],
    },
  },
  {
    name: 'templated labels: a new value makes a new alert',
    rule: 'TemplatedLabel',
    file: 'custom',
    minutes: 15,
    series: [
      s(
        'load_gauge',
        { ...TARGET },
        samples(15, (m) => (m < 5 ? 3 : m < 10 ? 8 : 0)),
      ),
    ],
    expect: {
      fires: [{ level: 'low' }, { level: 'high' }],
      at: [
        { labels: { level: 'high' }, minute: 5.5, state: 'pending' },
        { labels: { level: 'high' }, minute: 6, state: 'firing' },
      ],
    },
  },
  {
    name: 'a NaN result is an alert: only comparisons drop NaN',
    rule: 'NaNValue',
    file: 'custom',
    minutes: 5,
    series: [
      s(
        'nan_gauge',
        { ...TARGET },
        samples(5, () => Number.NaN),
      ),
    ],
    expect: { fires: [{ instance: TARGET.instance }] },
  },
  {
    name: "Go's formatting: humanize, printf, %v of floats, halves to even, missing labels",
    rule: 'Formatting',
    file: 'custom',
    minutes: 3,
    series: Object.entries(FORMATTING_VALUES).map(([name, value]) =>
      s(
        'big_gauge',
        { ...TARGET, case: name },
        samples(3, () => value),
      ),
    ),
    expect: { fires: Object.keys(FORMATTING_VALUES).map((name) => ({ case: name })) },
  },
  {
    name: "a template that fails while it runs renders Prometheus's error",
    rule: 'ExecError',
    file: 'custom',
    minutes: 2,
    series: [
      s(
        'big_gauge',
        { ...TARGET, case: 'small-3' },
        samples(2, () => 0.000123),
      ),
    ],
    expect: { fires: [{ case: 'small-3' }] },
  },
];
