import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { heartbeatSeconds, loadConfig, parseConfig, parseConfigText } from '../lambda/config.js';
import { formatDuration, parseDuration, parseSchedule } from '../lambda/durations.js';
import { ConfigError } from '../lambda/errors.js';

const minimal = { clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' } }] };

/** The problems a bad document is refused with. */
function problems(document: unknown): string[] {
  try {
    parseConfig(document, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

const withCluster = (cluster: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' }, ...cluster }],
  ...rest,
});

describe('config: what a user writes', () => {
  it('accepts the shipped example', () => {
    const config = parseConfigText(readFileSync('checker.config.example.json', 'utf8'), 'example');
    expect(config.clusters.map((c) => c.name)).toEqual(['prod-eks-1', 'staging-eks', 'dev-eks']);
    expect(config.clusters[0]?.metrics).toEqual({
      source: 'amp',
      workspaceId: 'ws-12345678-abcd-ef01-2345-6789abcdef01',
    });
    expect(config.clusters[1]?.metrics).toMatchObject({ source: 'prometheus', port: 9090, scheme: 'http' });
    expect(config.clusters[2]?.schedule.kind).toBe('cron');
  });

  it('fills the runbook defaults into a minimal config', () => {
    const config = parseConfig(minimal);
    const cluster = config.clusters[0];
    expect(cluster?.schedule).toEqual({ kind: 'rate', expression: 'rate(5 minutes)', periodSeconds: 300 });
    expect(cluster?.metrics).toEqual({ source: 'scrape' });
    expect(cluster?.createAccessEntry).toBe(true);
    expect(config.alert).toEqual({
      name: 'TenantReconciliationErrors',
      threshold: 0.1,
      for: 600,
      repeatInterval: 14_400,
    });
    // A link in a message works as long as its bundle is kept, unless told otherwise.
    expect(config.bundles).toEqual({ retentionDays: 30, linkExpiry: 30 * 86_400, linkKeyGeneration: 1 });
    expect(cluster?.maintenance).toEqual([]);
    expect(config.notifications.emails).toEqual([]);
    expect(config.checker).toEqual({ memoryMiB: 512, timeoutSeconds: 120 });
    expect(config.kubernetesGroup).toBe('tenant-checker-readers');
  });

  it('uses the real operator names, not the runbook selector', () => {
    const { operator } = parseConfig(minimal);
    expect(operator).toMatchObject({
      preset: 'tenant-operator',
      namespace: 'tenant-operator-system',
      deployment: 'tenant-operator-controller-manager',
      serviceAccount: 'tenant-operator-controller-manager',
      podSelector: 'control-plane=controller-manager,app.kubernetes.io/name=tenant-operator',
      metricsService: 'tenant-operator-controller-manager-metrics-service',
      metricsPort: 8443,
      reconcileMetric: 'tenant_reconcile_duration_seconds',
    });
    expect(operator.crds.group).toBe('operator.kubernetes-tenants.org');
    expect(operator.crds.registry).toEqual({ kind: 'TenantRegistry', plural: 'tenantregistries' });
  });

  it('switches every name with the lynq preset, and lets each be overridden', () => {
    const { operator } = parseConfig({
      ...minimal,
      operator: { preset: 'lynq', namespace: 'platform-lynq', crds: { tenant: { plural: 'nodes' } } },
    });
    expect(operator.namespace).toBe('platform-lynq');
    expect(operator.deployment).toBe('lynq-controller-manager');
    expect(operator.crds.group).toBe('operator.lynq.sh');
    expect(operator.crds.tenant).toEqual({ kind: 'LynqNode', plural: 'nodes' });
    expect(operator.crds.template).toEqual({ kind: 'LynqForm', plural: 'lynqforms' });
    expect(operator.reconcileMetric).toBe('lynqnode_reconcile_duration_seconds');
  });

  it('reads Prometheus durations and AWS rate spellings', () => {
    expect(parseDuration('10m')).toBe(600);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('10 minutes')).toBeUndefined();
    expect(parseDuration('0s')).toBeUndefined();
    expect(formatDuration(5400)).toBe('1h30m');
    expect(parseSchedule('rate(1 minute)')).toMatchObject({ periodSeconds: 60 });
    expect(parseSchedule('rate(2 hours)')).toMatchObject({ periodSeconds: 7200 });
    expect(parseSchedule('rate(1 minutes)')).toEqual({ error: 'write rate(1 minute)' });
    expect(parseSchedule('rate(5 minute)')).toEqual({ error: 'write rate(5 minutes)' });
    expect(parseSchedule('cron(0/5 * * * ? *)')).toEqual({ kind: 'cron', expression: 'cron(0/5 * * * ? *)' });
    expect(parseSchedule('*/5 * * * *')).toHaveProperty('error');
  });

  it('derives the timeout from the shortest rate when none is set: a one-minute cadence works', () => {
    const timeout = (document: unknown) => parseConfig(document).checker.timeoutSeconds;
    expect(timeout(withCluster({ schedule: 'rate(1 minute)' }))).toBe(50);
    expect(timeout(withCluster({ schedule: 'rate(2 minutes)' }))).toBe(110);
    expect(timeout(withCluster({}))).toBe(120);
    expect(timeout(withCluster({ schedule: 'cron(0/10 * * * ? *)', heartbeatAfter: '30m' }))).toBe(120);
    expect(
      timeout({
        clusters: [
          { name: 'a', region: 'eu-west-1', schedule: 'rate(15 minutes)', metrics: { source: 'pods' } },
          { name: 'b', region: 'eu-west-1', schedule: 'rate(1 minute)', metrics: { source: 'pods' } },
        ],
      }),
    ).toBe(50);
    // An explicit timeout is kept as written.
    expect(timeout(withCluster({ schedule: 'rate(1 minute)' }, { checker: { timeoutSeconds: 30 } }))).toBe(
      30,
    );
    // The function re-reads the document without the derived value, and derives the same.
    const loaded = loadConfig(withCluster({ schedule: 'rate(1 minute)' }), 'test');
    expect(parseConfigText(loaded.runtimeDocument, 'asset').checker.timeoutSeconds).toBe(50);
  });

  it('computes the silence alarm window from the schedule', () => {
    const config = parseConfig(withCluster({}, {}) as unknown as Record<string, unknown>);
    expect(heartbeatSeconds(config.clusters[0] as never)).toBe(900);
    const cron = parseConfig(withCluster({ schedule: 'cron(0 * * * ? *)', heartbeatAfter: '3h' }));
    expect(heartbeatSeconds(cron.clusters[0] as never)).toBe(10_800);
    // At one minute, five minutes rather than three: the heartbeat arrives through the logs, late.
    const minute = parseConfig(withCluster({ schedule: 'rate(1 minute)' }));
    expect(heartbeatSeconds(minute.clusters[0] as never)).toBe(300);
  });

  it('keeps what the function re-reads, less the e-mail addresses, and it validates again', () => {
    const document = withCluster(
      {},
      { notifications: { emails: ['oncall@example.com'] }, alert: { for: '15m' } },
    );
    const loaded = loadConfig(document, 'test.json');
    expect(loaded.runtimeDocument).not.toContain('oncall@example.com');
    const again = parseConfigText(loaded.runtimeDocument, 'env');
    expect(again.alert.for).toBe(900);
    expect(again.clusters).toEqual(loaded.config.clusters);
  });
});

describe('config: bad input names the field and what was expected', () => {
  it.each([
    ['no clusters', { clusters: [] }, 'clusters: expected at least one cluster to watch'],
    [
      'a missing region',
      { clusters: [{ name: 'prod' }] },
      'clusters[0].region: Invalid input: expected string, received undefined',
    ],
    [
      'a bad region',
      withCluster({ region: 'europe' }),
      'clusters[0].region: expected an AWS region such as "eu-west-1"',
    ],
    [
      'a bad cluster name',
      withCluster({ name: 'prod eks' }),
      'clusters[0].name: expected an EKS cluster name such as "prod-eks-1"',
    ],
    [
      'a bad account',
      withCluster({ account: '1234' }),
      'clusters[0].account: expected a 12-digit AWS account id such as "123456789012"',
    ],
    [
      'a misspelt rate',
      withCluster({ schedule: 'rate(1 minutes)' }),
      'clusters[0].schedule: write rate(1 minute), got "rate(1 minutes)"',
    ],
    [
      'a crontab line',
      withCluster({ schedule: '*/5 * * * *' }),
      'clusters[0].schedule: expected rate(N minutes|hours|days) or cron(',
    ],
    [
      'cron without heartbeatAfter',
      withCluster({ schedule: 'cron(0 * * * ? *)' }),
      'clusters[0].heartbeatAfter: expected a duration such as "1h" with a cron schedule',
    ],
    [
      'a rate shorter than an explicit timeout',
      withCluster({ schedule: 'rate(1 minute)' }, { checker: { timeoutSeconds: 120 } }),
      'clusters[0].schedule: expected a period longer than checker.timeoutSeconds (120s) so that cycles never overlap: set checker.timeoutSeconds below 60, or leave it out (it then defaults to 50s for "rate(1 minute)")',
    ],
    [
      'an unknown metrics source',
      withCluster({ metrics: { source: 'datadog' } }),
      'clusters[0].metrics.source: expected metrics.source to be "pods" (the operator pods\' HTTPS endpoint, from the cluster\'s VPC), "prometheus" (an in-cluster Prometheus), "amp" (Amazon Managed Service for Prometheus, with workspaceId) or "scrape" (through the API server\'s pod proxy: only an operator run with --metrics-secure=false)',
    ],
    [
      "no metrics source: a choice, with the choices (the operator's default refuses the old proxy scrape)",
      { clusters: [{ name: 'prod-eks-1', region: 'eu-west-1' }] },
      'clusters[0].metrics: required: choose where the operator\'s metrics are read, with source "pods" (the operator pods\' HTTPS endpoint, from the cluster\'s VPC), "prometheus" (an in-cluster Prometheus), "amp" (Amazon Managed Service for Prometheus, with workspaceId) or "scrape" (through the API server\'s pod proxy: only an operator run with --metrics-secure=false); the operator\'s default (--metrics-secure) refuses "scrape", so there is no default',
    ],
    [
      "a CA for the pods' endpoint that is not a PEM certificate",
      withCluster({ metrics: { source: 'pods', ca: 'my-ca' } }),
      'clusters[0].metrics.ca: expected a PEM certificate',
    ],
    [
      'a bad AMP workspace',
      withCluster({ metrics: { source: 'amp', workspaceId: 'prod' } }),
      'clusters[0].metrics.workspaceId: expected an Amazon Managed Prometheus workspace id',
    ],
    [
      'a bad Prometheus port',
      withCluster({ metrics: { source: 'prometheus', port: 70000 } }),
      'clusters[0].metrics.port:',
    ],
    [
      'a duplicate cluster',
      {
        clusters: [
          { name: 'a', region: 'eu-west-1', metrics: { source: 'scrape' } },
          { name: 'a', region: 'us-east-1', metrics: { source: 'scrape' } },
        ],
      },
      'clusters[1].name: expected a unique name: "a" is already watched by clusters[0]',
    ],
    [
      'an unknown preset',
      { ...minimal, operator: { preset: 'flux' } },
      'operator.preset: Invalid option: expected one of "tenant-operator"|"lynq"',
    ],
    [
      'a bad selector',
      { ...minimal, operator: { podSelector: 'app in (x' } },
      'operator.podSelector: expected a label selector',
    ],
    [
      'a threshold as a percentage',
      { ...minimal, alert: { threshold: 10 } },
      'alert.threshold: expected a ratio below 1, such as 0.1 for 10%',
    ],
    [
      'a duration without unit',
      { ...minimal, alert: { for: '10' } },
      'alert.for: expected a duration such as "10m", got "10"',
    ],
    [
      'a repeat interval too short',
      { ...minimal, alert: { repeatInterval: '1m' } },
      'alert.repeatInterval: expected a duration from 300s to 604800s, got "1m" (60s)',
    ],
    [
      'a link that outlives its bundle',
      { ...minimal, bundles: { retentionDays: 7, linkExpiry: '8d' } },
      'bundles.linkExpiry: expected at most the retention (retentionDays 7, 7d)',
    ],
    [
      'maintenance days that are not days',
      withCluster({ maintenance: [{ days: 'mon-fry', start: '22:00', duration: '2h', timeZone: 'UTC' }] }),
      'clusters[0].maintenance[0].days: expected days such as "mon-fri"',
    ],
    [
      'a maintenance start that is not a time',
      withCluster({ maintenance: [{ days: '*', start: '24:00', duration: '2h', timeZone: 'UTC' }] }),
      'clusters[0].maintenance[0].start: expected a 24-hour time such as "22:00"',
    ],
    [
      'a maintenance window longer than a week',
      withCluster({ maintenance: [{ start: '22:00', duration: '8d', timeZone: 'UTC' }] }),
      'clusters[0].maintenance[0].duration: expected a duration from 1m to 7d',
    ],
    [
      'a time zone that is not in the IANA database',
      withCluster({ maintenance: [{ start: '22:00', duration: '2h', timeZone: 'Europe/Atlantis' }] }),
      'clusters[0].maintenance[0].timeZone: expected an IANA time zone such as "Europe/Berlin" or "UTC", got "Europe/Atlantis"',
    ],
    [
      'a maintenance window without a time zone',
      withCluster({ maintenance: [{ start: '22:00', duration: '2h' }] }),
      'clusters[0].maintenance[0].timeZone:',
    ],
    [
      'a bad e-mail',
      { ...minimal, notifications: { emails: ['oncall'] } },
      'notifications.emails[0]: expected an e-mail address such as "oncall@example.com"',
    ],
    [
      'a system: group',
      { ...minimal, kubernetesGroup: 'system:masters' },
      'kubernetesGroup: EKS refuses groups that start with "system:"',
    ],
    [
      'a bad subnet',
      { ...minimal, vpc: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['sub-1'] } },
      'vpc.subnetIds[0]: expected a subnet id',
    ],
    ['a misspelt field', withCluster({ regoin: 'eu-west-1' }), 'clusters[0].regoin: unknown field'],
    ['a misspelt top-level field', { ...minimal, alerts: {} }, 'alerts: unknown field'],
  ])('refuses %s', (_what, document, expected) => {
    expect(problems(document).join('\n')).toContain(expected);
  });

  it('reads a maintenance window: cron days, a local start, an elapsed duration, a time zone', () => {
    const config = parseConfig(
      withCluster({
        maintenance: [
          {
            days: 'Mon-Fri',
            start: '22:00',
            duration: '2h30m',
            timeZone: 'Europe/Berlin',
            reason: 'upgrades',
          },
          { days: 'fri-mon,3', start: '06:00', duration: '1h', timeZone: 'America/New_York' },
        ],
      }),
    );
    expect(config.clusters[0]?.maintenance).toEqual([
      {
        days: [1, 2, 3, 4, 5],
        daysText: 'Mon-Fri',
        start: '22:00',
        durationSeconds: 9000,
        timeZone: 'Europe/Berlin',
        reason: 'upgrades',
      },
      {
        days: [0, 1, 3, 5, 6],
        daysText: 'fri-mon,3',
        start: '06:00',
        durationSeconds: 3600,
        timeZone: 'America/New_York',
      },
    ]);
  });

  it('lists every bad field at once', () => {
    const found = problems({
      clusters: [{ name: 'x', region: 'nowhere', schedule: 'hourly', metrics: { source: 'scrape' } }],
      alert: { threshold: 2 },
    });
    expect(found).toHaveLength(3);
    expect(found.map((p) => p.split(':')[0])).toEqual([
      'clusters[0].region',
      'clusters[0].schedule',
      'alert.threshold',
    ]);
  });

  it('refuses a file that is not JSON, naming the file', () => {
    expect(() => parseConfigText('{ clusters: ', 'checker.config.json')).toThrow(
      /checker.config.json is not a valid checker configuration:\n {2}- \(the whole file\): expected JSON/,
    );
  });
});
