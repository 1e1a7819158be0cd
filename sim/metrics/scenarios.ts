/**
 * Metric scenarios for the runbook's alert, as per-second rates in phases before the evaluation time
 * T. From one definition come both the OpenMetrics backfill for the real Prometheus (every series
 * sampled every 15 s, with the labels a ServiceMonitor adds) and the operator's own /metrics text at
 * any instant (for the scrape source), so all sources see the same data.
 */

export interface Rates {
  success?: number;
  error?: number;
  partial_failure?: number;
  /** controller-runtime's reconciles per second and errors per second (controller "tenant"). */
  crTotal?: number;
  crErrors?: number;
  rest200?: number;
  rest429?: number;
  workqueueDepth?: number;
  /** workqueue_longest_running_processor_seconds (a stuck worker). */
  longestRunning?: number;
  /** Tenants (the first ones of `MetricScenario.tenants`) with failed resources, degraded, not Ready. */
  failingTenants?: number;
}

export interface Phase {
  /** Seconds before T at which this phase begins (negative). */
  from: number;
  rates: Rates;
}

export interface MetricScenario {
  name: string;
  phases: Phase[];
  /** Seconds before T at which the operator restarted (its counters went back to 0). */
  resetAt?: number;
  /** The operator exposes no reconcile histogram at all. */
  absent?: boolean;
  /** Seconds before T after which no sample was taken any more (Prometheus lost the target). */
  stopsAt?: number;
  /** Seconds after T to which the backfill runs (default 0: it ends at T), for cycles after T. */
  until?: number;
  /** The operator's pod restarts once every this many seconds (kube-state-metrics' counter). */
  restartEvery?: number;
  /** The API server answers slowly (p95 about 2.9 s instead of 0.25 s). */
  apiServerSlow?: boolean;
  /**
   * The operator's tenant and registry gauges for this many tenants, named as the simulator's
   * healthy cluster names them (customer-00000 in tenants-0, …; registry customers in tenants-0):
   * what the operator's own alerting rules read. Absent: no such gauges (the runbook needs none).
   */
  tenants?: number;
  expected: { verdict: 'firing' | 'pending' | 'ok' | 'unknown'; blind: boolean };
}

/** 30% partial failures and 25% controller-runtime errors while result="error" stays at 0.5%. */
export const ALERT_BLIND_RATES: Rates = {
  success: 6.95,
  error: 0.05,
  partial_failure: 3,
  crTotal: 10,
  crErrors: 2.5,
  rest200: 20,
  workqueueDepth: 30,
};

/** Everyday traffic: 10 reconciles a second, 1% of them errors. */
export const BASELINE_RATES: Rates = {
  success: 9.9,
  error: 0.1,
  crTotal: 10,
  crErrors: 0.1,
  rest200: 20,
  workqueueDepth: 2,
};
const HOURS4 = -4 * 3600;

export const SCENARIOS: MetricScenario[] = [
  {
    name: 'sustained-firing',
    phases: [
      { from: HOURS4, rates: BASELINE_RATES },
      {
        from: -40 * 60,
        rates: {
          success: 8,
          error: 2,
          crTotal: 10,
          crErrors: 2,
          rest200: 15,
          rest429: 5,
          workqueueDepth: 180,
        },
      },
    ],
    restartEvery: 600,
    expected: { verdict: 'firing', blind: false },
  },
  {
    name: 'short-spike',
    phases: [
      { from: HOURS4, rates: BASELINE_RATES },
      {
        from: -4 * 60,
        rates: { success: 6, error: 4, crTotal: 10, crErrors: 4, rest200: 20, workqueueDepth: 40 },
      },
    ],
    expected: { verdict: 'pending', blind: false },
  },
  {
    name: 'recovery',
    phases: [
      { from: HOURS4, rates: BASELINE_RATES },
      {
        from: -60 * 60,
        rates: { success: 7.5, error: 2.5, crTotal: 10, crErrors: 2.5, rest200: 20, workqueueDepth: 90 },
      },
      { from: -15 * 60, rates: BASELINE_RATES },
    ],
    expected: { verdict: 'ok', blind: false },
  },
  {
    name: 'no-traffic',
    phases: [
      { from: HOURS4, rates: BASELINE_RATES },
      {
        from: -30 * 60,
        rates: { success: 0, error: 0, crTotal: 0, crErrors: 0, rest200: 1, workqueueDepth: 0 },
      },
    ],
    expected: { verdict: 'unknown', blind: false },
  },
  {
    name: 'counter-reset',
    phases: [
      {
        from: HOURS4,
        rates: { success: 8, error: 2, crTotal: 10, crErrors: 2, rest200: 20, workqueueDepth: 60 },
      },
    ],
    resetAt: -7 * 60,
    expected: { verdict: 'firing', blind: false },
  },
  {
    name: 'alert-blind',
    phases: [
      { from: HOURS4, rates: BASELINE_RATES },
      {
        from: -50 * 60,
        rates: ALERT_BLIND_RATES,
      },
    ],
    expected: { verdict: 'ok', blind: true },
  },
  {
    name: 'stale',
    phases: [
      {
        from: HOURS4,
        rates: { success: 8, error: 2, crTotal: 10, crErrors: 2, rest200: 20, workqueueDepth: 5 },
      },
    ],
    stopsAt: -20 * 60,
    expected: { verdict: 'unknown', blind: false },
  },
  {
    name: 'absent',
    phases: [{ from: HOURS4, rates: BASELINE_RATES }],
    absent: true,
    expected: { verdict: 'unknown', blind: false },
  },
];

/** How far apart scenarios sit in the one TSDB, so that no look-back reaches the previous one. */
export const SCENARIO_SPACING_SECONDS = 8 * 3600;
export const STEP_SECONDS = 15;

type CounterName = 'success' | 'error' | 'partial_failure' | 'crTotal' | 'crErrors' | 'rest200' | 'rest429';

/** A counter's value `offset` seconds from T: the integral of its rate since the start or the last reset. */
export function counterAt(scenario: MetricScenario, name: CounterName, offset: number): number {
  if (scenario.stopsAt !== undefined && offset > scenario.stopsAt)
    return counterAt(scenario, name, scenario.stopsAt);
  const start =
    scenario.resetAt !== undefined && offset >= scenario.resetAt
      ? scenario.resetAt
      : (scenario.phases[0]?.from ?? HOURS4);
  let total = 0;
  scenario.phases.forEach((phase, i) => {
    const phaseEnd = scenario.phases[i + 1]?.from ?? Math.max(0, offset);
    const from = Math.max(phase.from, start);
    const to = Math.min(phaseEnd, offset);
    if (to > from) total += (phase.rates[name] ?? 0) * (to - from);
  });
  return Math.round(total);
}

export function gaugeAt(
  scenario: MetricScenario,
  offset: number,
  name: 'workqueueDepth' | 'longestRunning' = 'workqueueDepth',
): number {
  let value = 0;
  for (const phase of scenario.phases) if (offset >= phase.from) value = phase.rates[name] ?? 0;
  return value;
}

const OPERATOR_LABELS =
  'namespace="tenant-operator-system",pod="tenant-operator-controller-manager-7d9f8b6c5d-x7k2p",job="tenant-operator-controller-manager-metrics-service"';

/** The OpenMetrics backfill for every scenario, each ending at its own T. */
export function openMetricsBackfill(
  scenarios: { scenario: MetricScenario; t: number }[],
  metric = 'tenant_reconcile_duration_seconds',
): string {
  const lines: string[] = [];
  const family: Family = (name, type, series) => {
    lines.push(`# TYPE ${name} ${type}`);
    for (const { labels, value } of series) {
      for (const { scenario, t } of scenarios) {
        for (
          let offset = scenario.phases[0]?.from ?? HOURS4;
          offset <= (scenario.stopsAt ?? scenario.until ?? 0);
          offset += STEP_SECONDS
        ) {
          const v = value(scenario, offset);
          if (v !== undefined) lines.push(`${name}{${labels}} ${v} ${t + offset}`);
        }
      }
    }
  };
  const counter = (name: CounterName) => (s: MetricScenario, offset: number) => counterAt(s, name, offset);
  family(
    `${metric}_count`,
    'counter',
    (['success', 'error', 'partial_failure'] as const).map((r) => ({
      labels: `${OPERATOR_LABELS},result="${r}"`,
      value: (s: MetricScenario, o: number) => (s.absent ? undefined : counterAt(s, r, o)),
    })),
  );
  family('controller_runtime_reconcile_total', 'counter', [
    {
      labels: `${OPERATOR_LABELS},controller="tenant",result="success"`,
      value: (s, o) => counterAt(s, 'crTotal', o) - counterAt(s, 'crErrors', o),
    },
    { labels: `${OPERATOR_LABELS},controller="tenant",result="error"`, value: counter('crErrors') },
  ]);
  family('controller_runtime_reconcile_errors_total', 'counter', [
    { labels: `${OPERATOR_LABELS},controller="tenant"`, value: counter('crErrors') },
  ]);
  family('rest_client_requests_total', 'counter', [
    { labels: `${OPERATOR_LABELS},code="200",host="172.20.0.1:443",method="GET"`, value: counter('rest200') },
    { labels: `${OPERATOR_LABELS},code="429",host="172.20.0.1:443",method="GET"`, value: counter('rest429') },
  ]);
  family('workqueue_depth', 'gauge', [{ labels: `${OPERATOR_LABELS},name="tenant"`, value: gaugeAt }]);
  family('go_goroutines', 'gauge', [{ labels: OPERATOR_LABELS, value: (s, o) => 140 + gaugeAt(s, o) }]);
  family('workqueue_longest_running_processor_seconds', 'gauge', [
    { labels: `${OPERATOR_LABELS},name="tenant"`, value: (s, o) => gaugeAt(s, o, 'longestRunning') },
  ]);
  // kube-state-metrics' view of the operator's pod, and the API server's own latency histogram:
  // per second, 80 requests under 0.1 s, 15 more under 0.25 s, 4 under 0.5 s, 1 under 1 s (p95 = 0.25 s).
  family('kube_pod_container_status_restarts_total', 'counter', [
    {
      labels: `${OPERATOR_LABELS},container="manager"`,
      value: (s, o) =>
        s.restartEvery ? Math.floor((o - (s.phases[0]?.from ?? HOURS4)) / s.restartEvery) : 0,
    },
  ]);
  const normal: [string, number][] = [
    ['0.1', 80],
    ['0.25', 95],
    ['0.5', 99],
    ['1', 100],
    ['+Inf', 100],
  ];
  const slow: [string, number][] = [
    ['0.1', 40],
    ['0.25', 50],
    ['0.5', 60],
    ['1', 70],
    ['2.5', 94],
    ['5', 100],
    ['+Inf', 100],
  ];
  const les = ['0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];
  family(
    'apiserver_request_duration_seconds_bucket',
    'counter',
    les.map((le) => ({
      labels: `job="apiserver",verb="GET",resource="tenants",le="${le}"`,
      value: (s: MetricScenario, o: number) => {
        const perSecond = (s.apiServerSlow ? slow : normal).find(([b]) => b === le)?.[1];
        return perSecond === undefined
          ? undefined
          : Math.round(perSecond * (o - (s.phases[0]?.from ?? HOURS4)));
      },
    })),
  );
  tenantFamilies(scenarios, family);
  lines.push('# EOF', '');
  return lines.join('\n');
}

type Family = (
  name: string,
  type: 'counter' | 'gauge',
  series: { labels: string; value: (s: MetricScenario, offset: number) => number | undefined }[],
) => void;

/** Tenants failing at `offset`: the phase's `failingTenants`. */
function failingAt(scenario: MetricScenario, offset: number): number {
  let failing = 0;
  for (const phase of scenario.phases) if (offset >= phase.from) failing = phase.rates.failingTenants ?? 0;
  return failing;
}

/**
 * The operator's per-tenant and per-registry gauges (internal/metrics: tenant_condition_status,
 * tenant_degraded_status, tenant_resources_{desired,ready,failed}, registry_{desired,ready,failed}),
 * for the scenarios that declare tenants.
 */
function tenantFamilies(scenarios: { scenario: MetricScenario; t: number }[], family: Family): void {
  const count = Math.max(0, ...scenarios.map(({ scenario }) => scenario.tenants ?? 0));
  if (count === 0) return;
  const tenants = Array.from({ length: count }, (_, i) => ({
    i,
    labels: `${OPERATOR_LABELS.replace('namespace="tenant-operator-system"', `namespace="tenants-${i % 4}"`)},tenant="customer-${String(i).padStart(5, '0')}"`,
  }));
  const has = (s: MetricScenario, i: number) => s.tenants !== undefined && i < s.tenants;
  const fails = (s: MetricScenario, o: number, i: number) => i < failingAt(s, o);
  const per = (value: (s: MetricScenario, o: number, i: number) => number) =>
    tenants.map(({ i, labels }) => ({
      labels,
      value: (s: MetricScenario, o: number) => (has(s, i) ? value(s, o, i) : undefined),
    }));
  family(
    'tenant_condition_status',
    'gauge',
    tenants.map(({ i, labels }) => ({
      labels: `${labels},type="Ready"`,
      value: (s: MetricScenario, o: number) => (has(s, i) ? (fails(s, o, i) ? 0 : 1) : undefined),
    })),
  );
  family(
    'tenant_degraded_status',
    'gauge',
    tenants.map(({ i, labels }) => ({
      labels: `${labels},reason="ResourcesFailed"`,
      value: (s: MetricScenario, o: number) => (has(s, i) ? (fails(s, o, i) ? 1 : 0) : undefined),
    })),
  );
  family(
    'tenant_resources_desired',
    'gauge',
    per(() => 5),
  );
  family(
    'tenant_resources_ready',
    'gauge',
    per((s, o, i) => (fails(s, o, i) ? 3 : 5)),
  );
  family(
    'tenant_resources_failed',
    'gauge',
    per((s, o, i) => (fails(s, o, i) ? 2 : 0)),
  );
  const registry = `${OPERATOR_LABELS.replace('namespace="tenant-operator-system"', 'namespace="tenants-0"')},registry="customers"`;
  const registryGauge = (value: (s: MetricScenario, o: number) => number) => [
    {
      labels: registry,
      value: (s: MetricScenario, o: number) => (s.tenants !== undefined ? value(s, o) : undefined),
    },
  ];
  family(
    'registry_desired',
    'gauge',
    registryGauge((s) => s.tenants ?? 0),
  );
  family(
    'registry_ready',
    'gauge',
    registryGauge((s, o) => (s.tenants ?? 0) - failingAt(s, o)),
  );
  family(
    'registry_failed',
    'gauge',
    registryGauge((s, o) => failingAt(s, o)),
  );
}

/** The operator's /metrics at `offset` seconds from T, as controller-runtime serves it (no target labels). */
export function exposition(
  scenario: MetricScenario,
  offset: number,
  metric = 'tenant_reconcile_duration_seconds',
): string {
  const lines: string[] = [];
  if (!scenario.absent) {
    lines.push(`# HELP ${metric} Duration of tenant reconciliation`, `# TYPE ${metric} histogram`);
    for (const r of ['success', 'error', 'partial_failure'] as const) {
      const n = counterAt(scenario, r, offset);
      lines.push(
        `${metric}_bucket{result="${r}",le="0.5"} ${Math.floor(n * 0.9)}`,
        `${metric}_bucket{result="${r}",le="+Inf"} ${n}`,
        `${metric}_sum{result="${r}"} ${(n * 0.21).toFixed(3)}`,
        `${metric}_count{result="${r}"} ${n}`,
      );
    }
  }
  const crErrors = counterAt(scenario, 'crErrors', offset);
  lines.push(
    '# TYPE controller_runtime_reconcile_total counter',
    `controller_runtime_reconcile_total{controller="tenant",result="success"} ${counterAt(scenario, 'crTotal', offset) - crErrors}`,
    `controller_runtime_reconcile_total{controller="tenant",result="error"} ${crErrors}`,
    '# TYPE controller_runtime_reconcile_errors_total counter',
    `controller_runtime_reconcile_errors_total{controller="tenant"} ${crErrors}`,
    '# TYPE rest_client_requests_total counter',
    `rest_client_requests_total{code="200",host="172.20.0.1:443",method="GET"} ${counterAt(scenario, 'rest200', offset)}`,
    `rest_client_requests_total{code="429",host="172.20.0.1:443",method="GET"} ${counterAt(scenario, 'rest429', offset)}`,
    '# TYPE workqueue_depth gauge',
    `workqueue_depth{name="tenant"} ${gaugeAt(scenario, offset)}`,
    '# TYPE go_goroutines gauge',
    `go_goroutines ${140 + gaugeAt(scenario, offset)}`,
    '# TYPE process_resident_memory_bytes gauge',
    'process_resident_memory_bytes 8.1264640e+07',
    '',
  );
  return lines.join('\n');
}
