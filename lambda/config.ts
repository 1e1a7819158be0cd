/**
 * The one configuration schema. The CDK app validates the user's file with it at synth time; the
 * Lambda validates the same document again at run time (it travels in the function's code asset,
 * as checker-config.json); the CLI reads it from a file. A bad value fails with a message that names
 * the field and says what was expected.
 */
import * as z from 'zod';
import { maintenanceWindowSchema } from './alert/maintenance.js';
import { partitionOf } from './aws-partition.js';
import { parseDuration, parseSchedule, type Schedule } from './durations.js';
import { ConfigError } from './errors.js';
import type { OperatorNames } from './model/operator.js';
import { OPERATOR_PRESETS, type OperatorPreset } from './presets.js';

export const DEFAULT_SCHEDULE = 'rate(5 minutes)';
export const DEFAULT_RUNBOOK_URL =
  'https://docs.kubernetes-tenants.org/alert-runbooks#tenantreconciliationerrors';

/** A Prometheus duration within bounds, read into seconds. */
function duration(bounds: { min: number; max: number; hint: string }) {
  return z.string().transform((text, ctx) => {
    const seconds = parseDuration(text);
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as ${bounds.hint}, got "${text}"` });
      return z.NEVER;
    }
    if (seconds < bounds.min || seconds > bounds.max) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration from ${bounds.min}s to ${bounds.max}s, got "${text}" (${seconds}s)`,
      });
      return z.NEVER;
    }
    return seconds;
  });
}

const name = (what: string, pattern: RegExp, example: string) =>
  z.string().regex(pattern, { message: `expected ${what} such as ${example}` });

const kubernetesName = name(
  'a Kubernetes name',
  /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
  '"tenant-operator-system"',
);
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
/** An AWS region in a partition the SDK knows: the STS and AMP hosts are derived from its partition. */
const awsRegion = z.string().superRefine((region, ctx) => {
  if (!AWS_REGION.test(region)) {
    ctx.addIssue({ code: 'custom', message: 'expected an AWS region such as "eu-west-1"' });
  } else if (!partitionOf(region)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${region}" is in no AWS partition the SDK knows (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f): its STS and AMP hosts cannot be derived`,
    });
  }
});

const scheduleExpression = z.string().transform((text, ctx): Schedule => {
  const schedule = parseSchedule(text);
  if ('error' in schedule) {
    ctx.addIssue({ code: 'custom', message: `${schedule.error}, got "${text}"` });
    return z.NEVER;
  }
  return schedule;
});

/** The metrics sources a cluster chooses from, a line each: the message of a missing or unknown `metrics`. */
const METRICS_CHOICES_SHORT =
  'metrics.source to be "pods" (the operator pods\' HTTPS endpoint, from the cluster\'s VPC), "prometheus" (an in-cluster Prometheus), "amp" (Amazon Managed Service for Prometheus, with workspaceId) or "scrape" (through the API server\'s pod proxy: only an operator run with --metrics-secure=false)';
const METRICS_CHOICES = `required: choose where the operator's metrics are read, with ${METRICS_CHOICES_SHORT.replace('metrics.source to be ', 'source ')}; the operator's default (--metrics-secure) refuses "scrape", so there is no default`;

const metricsSource = z.discriminatedUnion(
  'source',
  [
    z.strictObject({
      source: z.literal('amp'),
      workspaceId: name(
        'an Amazon Managed Prometheus workspace id',
        /^ws-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        '"ws-12345678-abcd-ef01-2345-6789abcdef01"',
      ),
      /** Defaults to the cluster's region. */
      region: awsRegion.optional(),
    }),
    z.strictObject({
      source: z.literal('prometheus'),
      namespace: kubernetesName.default('monitoring'),
      service: kubernetesName.default('prometheus-operated'),
      port: z.union([z.number().int().min(1).max(65_535), kubernetesName]).default(9090),
      scheme: z.enum(['http', 'https']).default('http'),
      /** Path under the service where Prometheus serves its API, for a `--web.route-prefix`. */
      pathPrefix: z
        .string()
        .regex(/^(\/[A-Za-z0-9._~-]+)*$/, { message: 'expected a path such as "/prometheus", or ""' })
        .default(''),
    }),
    z.strictObject({ source: z.literal('scrape') }),
    /** The operator pods' addresses on the metrics port, from the cluster's VPC, with the checker's token. */
    z.strictObject({
      source: z.literal('pods'),
      /** PEM of the CA that signed the operator's metrics certificate (--metrics-cert-path); verified when set. */
      ca: z
        .string()
        .regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, {
          message: 'expected a PEM certificate ("-----BEGIN CERTIFICATE-----\\n...")',
        })
        .optional(),
      /** The name the certificate must carry when `ca` is set; default METRICS_SERVICE.NAMESPACE.svc. */
      serverName: name(
        'a DNS name',
        /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
        '"tenant-operator-controller-manager-metrics-service.tenant-operator-system.svc"',
      ).optional(),
    }),
  ],
  { error: (issue) => (issue.input === undefined ? METRICS_CHOICES : `expected ${METRICS_CHOICES_SHORT}`) },
);

const clusterSchema = z.strictObject({
  /** The EKS cluster name, as DescribeCluster takes it. */
  name: name('an EKS cluster name', /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, '"prod-eks-1"'),
  region: awsRegion,
  /** The cluster's account, when it is not the deployment's. */
  account: name('a 12-digit AWS account id', /^\d{12}$/, '"123456789012"').optional(),
  schedule: scheduleExpression.default(parseSchedule(DEFAULT_SCHEDULE) as Schedule),
  /** How long without a completed check cycle before the heartbeat alarm; required with a cron schedule. */
  heartbeatAfter: duration({ min: 60, max: 86_400, hint: '"15m"' }).optional(),
  /** Where the operator's metrics are read: required, since the operator's secure default refuses the old proxy scrape. */
  metrics: metricsSource,
  /** Create the EKS access entry for the checker's role (the cluster must be in the stack's account and region). */
  createAccessEntry: z.boolean().default(true),
  /** Recurring windows in which notifications are held (runs are stored and evaluated as usual). */
  maintenance: z.array(maintenanceWindowSchema).max(20).default([]),
});

const resourceNames = z.strictObject({
  kind: name('a Kubernetes kind', /^[A-Z][A-Za-z0-9]*$/, '"Tenant"').optional(),
  plural: kubernetesName.optional(),
});

const operatorSchema = z
  .strictObject({
    preset: z
      .enum(Object.keys(OPERATOR_PRESETS) as [OperatorPreset, ...OperatorPreset[]])
      .default('tenant-operator'),
    namespace: kubernetesName.optional(),
    deployment: kubernetesName.optional(),
    container: kubernetesName.optional(),
    serviceAccount: kubernetesName.optional(),
    podSelector: z
      .string()
      .regex(
        /^[A-Za-z0-9./_-]+(\s*(=|==|!=)\s*[A-Za-z0-9._-]*)?(\s*,\s*[A-Za-z0-9./_-]+(\s*(=|==|!=)\s*[A-Za-z0-9._-]*)?)*$/,
        {
          message:
            'expected a label selector such as "control-plane=controller-manager,app.kubernetes.io/name=tenant-operator"',
        },
      )
      .optional(),
    metricsService: kubernetesName.optional(),
    metricsPort: z.number().int().min(1).max(65_535).optional(),
    reconcileMetric: name(
      'a Prometheus metric name',
      /^[a-zA-Z_:][a-zA-Z0-9_:]*$/,
      '"tenant_reconcile_duration_seconds"',
    ).optional(),
    crds: z
      .strictObject({
        group: name(
          'an API group',
          /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
          '"operator.kubernetes-tenants.org"',
        ).optional(),
        version: name('an API version', /^v\d+((alpha|beta)\d+)?$/, '"v1"').optional(),
        tenant: resourceNames.optional(),
        registry: resourceNames.optional(),
        template: resourceNames.optional(),
      })
      .optional(),
  })
  .transform(({ preset, crds, ...overrides }): OperatorNames & { preset: OperatorPreset } => {
    const base = OPERATOR_PRESETS[preset];
    const defined = <T extends object>(o: T | undefined) =>
      Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));
    return {
      preset,
      ...base,
      ...defined(overrides),
      crds: {
        group: crds?.group ?? base.crds.group,
        version: crds?.version ?? base.crds.version,
        tenant: { ...base.crds.tenant, ...defined(crds?.tenant) },
        registry: { ...base.crds.registry, ...defined(crds?.registry) },
        template: { ...base.crds.template, ...defined(crds?.template) },
      },
    };
  });

const alertSchema = z.strictObject({
  name: z.string().min(1).default('TenantReconciliationErrors'),
  /** The runbook's ratio of error reconciles to all reconciles, over which the alert is pending. */
  threshold: z
    .number()
    .gt(0, { message: 'expected a ratio above 0' })
    .lt(1, { message: 'expected a ratio below 1, such as 0.1 for 10%' })
    .default(0.1),
  /** The runbook's `for`: how long the ratio stays over the threshold before the alert fires. */
  for: duration({ min: 60, max: 86_400, hint: '"10m"' }).default(600),
  /** How often a still-firing alert notifies again, as Alertmanager's repeat_interval. */
  repeatInterval: duration({ min: 300, max: 7 * 86_400, hint: '"4h"' }).default(4 * 3600),
});

const notificationsSchema = z.strictObject({
  /** Addresses subscribed to the SNS topic (each confirms the subscription by e-mail). */
  emails: z
    .array(z.email({ message: 'expected an e-mail address such as "oncall@example.com"' }))
    .default([]),
  runbookUrl: z.url({ message: 'expected an http(s) URL' }).default(DEFAULT_RUNBOOK_URL),
});

const bundlesSchema = z
  .strictObject({
    /** Days an escalation bundle is kept in S3 before the lifecycle rule deletes it. */
    retentionDays: z.number().int().min(1).max(3650).default(30),
    /**
     * How long a bundle link in a message works (through the link service); at most the retention,
     * which is also the default. Presigned links made without the link service live at most 7 days.
     */
    linkExpiry: duration({ min: 60, max: 3650 * 86_400, hint: '"24h" or "30d"' }).optional(),
    /** Raise by one to replace the key that signs bundle links: every link already sent stops working. */
    linkKeyGeneration: z.number().int().min(1).max(1000).default(1),
  })
  .superRefine((b, ctx) => {
    if (b.linkExpiry !== undefined && b.linkExpiry > b.retentionDays * 86_400)
      ctx.addIssue({
        code: 'custom',
        path: ['linkExpiry'],
        message: `expected at most the retention (retentionDays ${b.retentionDays}, ${b.retentionDays}d): a link cannot outlive its bundle`,
      });
  })
  .transform((b) => ({ ...b, linkExpiry: b.linkExpiry ?? b.retentionDays * 86_400 }));

const collectionSchema = z.strictObject({
  /** Operator log lines read per pod (the runbook reads 500 to 5,000). */
  logTailLines: z.number().int().min(100).max(50_000).default(5000),
});

const checkerSchema = z.strictObject({
  /** Lambda memory: also its CPU share, which decides how fast lists and logs are parsed. */
  memoryMiB: z.number().int().min(128).max(10_240).default(512),
  /** Defaults to 120 s, or 10 s less than the shortest rate schedule when that is shorter (timeoutFor). */
  timeoutSeconds: z.number().int().min(10).max(900).optional(),
});

/** The function timeout when none is configured. */
export const DEFAULT_TIMEOUT_SECONDS = 120;

/**
 * The function timeout: the configured one, else 120 s, or 10 s less than the shortest rate period
 * when that is shorter (50 s at `rate(1 minute)`), so that two cycles of a cluster never overlap.
 */
export function timeoutFor(clusters: readonly { schedule: Schedule }[], configured?: number): number {
  if (configured !== undefined) return configured;
  const periods = clusters.flatMap((c) => (c.schedule.kind === 'rate' ? [c.schedule.periodSeconds] : []));
  return Math.min(DEFAULT_TIMEOUT_SECONDS, ...periods.map((p) => p - 10));
}

/**
 * The alerting rules evaluated beside the runbook's alert: the operator's shipped rules (default),
 * a rule file of the user's, or none. The CDK app and the CLI read `file` and put its text in
 * `inline`, so that the function carries the rules it was deployed with.
 */
const rulesSchema = z
  .strictObject({
    source: z
      .enum(['operator', 'file', 'none'], {
        error: 'expected "operator" (the operator\'s shipped rules), "file" (rules.file) or "none"',
      })
      .default('operator'),
    /** A Prometheus rule file or PrometheusRule resource, relative to the config file. */
    file: z.string().min(1, { message: 'expected the path of a rule file' }).optional(),
    /** The rule file's text (set from `file` when the config is loaded). */
    inline: z.string().optional(),
  })
  .superRefine((rules, ctx) => {
    if (rules.source === 'file' && rules.file === undefined && rules.inline === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['file'],
        message: 'expected the path of a rule file with rules.source "file"',
      });
    if (rules.source !== 'file' && rules.file !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['source'],
        message: `expected "file" when rules.file is set (got "${rules.source}")`,
      });
  });

const accountId = name('a 12-digit AWS account id', /^\d{12}$/, '"123456789012"');

/**
 * The role the checker assumes to read clusters in one member account: DescribeCluster, the EKS token
 * and AMP queries all use the assumed role's credentials (lib/member-account-stack.ts creates it).
 */
/** An IAM role's ARN, with its path. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const accountAccessSchema = z.strictObject({
  roleArn: name('an IAM role ARN', ROLE_ARN, '"arn:aws:iam::111122223333:role/tenant-checker-access"'),
  /** The trust policy's sts:ExternalId condition, when the role has one. */
  externalId: name(
    'an external id (2-1224 of A-Z a-z 0-9 +=,.@:/-)',
    /^[\w+=,.@:/-]{2,1224}$/,
    '"tenant-checker-7f3a"',
  ).optional(),
});

const vpcSchema = z.strictObject({
  vpcId: name('a VPC id', /^vpc-[0-9a-f]{8,17}$/, '"vpc-0123456789abcdef0"'),
  subnetIds: z.array(name('a subnet id', /^subnet-[0-9a-f]{8,17}$/, '"subnet-0123456789abcdef0"')).min(1),
  securityGroupIds: z
    .array(name('a security group id', /^sg-[0-9a-f]{8,17}$/, '"sg-0123456789abcdef0"'))
    .optional(),
});

export const checkerConfigSchema = z
  .strictObject({
    /** The region the checker is deployed to; defaults to that of the deploying AWS profile (CDK_DEFAULT_REGION). */
    region: awsRegion.optional(),
    clusters: z.array(clusterSchema).min(1, { message: 'expected at least one cluster to watch' }),
    operator: operatorSchema.prefault({}),
    alert: alertSchema.prefault({}),
    notifications: notificationsSchema.prefault({}),
    bundles: bundlesSchema.prefault({}),
    collection: collectionSchema.prefault({}),
    checker: checkerSchema.prefault({}),
    rules: rulesSchema.prefault({}),
    /** The Kubernetes group the access entry maps the checker's role to; k8s/checker-rbac.yaml binds it. */
    kubernetesGroup: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9:.]*[a-z0-9])?$/, {
        message: 'expected a group name such as "tenant-checker-readers"',
      })
      .refine((group) => !group.startsWith('system:'), {
        message: 'EKS refuses groups that start with "system:"',
      })
      .default('tenant-checker-readers'),
    vpc: vpcSchema.optional(),
    /** Roles to assume for the clusters of other accounts, by account id (one role per member account). */
    accounts: z.record(z.string(), accountAccessSchema).default({}),
  })
  .superRefine((config, ctx) => {
    for (const [account, access] of Object.entries(config.accounts)) {
      if (!accountId.safeParse(account).success) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', account],
          message: 'expected a 12-digit AWS account id such as "123456789012" as the key',
        });
        continue;
      }
      const roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(access.roleArn)?.[1];
      // A roleArn that is no ARN at all is already refused by its own schema.
      if (roleAccount !== undefined && roleAccount !== account)
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', account, 'roleArn'],
          message: `expected a role in account ${account}, got one in ${roleAccount}`,
        });
    }
    const seen = new Map<string, number>();
    config.clusters.forEach((cluster, i) => {
      // The scheduler's event names a cluster by name alone, so names must be unique in one deployment.
      const first = seen.get(cluster.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'name'],
          message: `expected a unique name: "${cluster.name}" is already watched by clusters[${first}]`,
        });
      }
      seen.set(cluster.name, i);
      const schedule = cluster.schedule;
      if (schedule.kind === 'cron' && cluster.heartbeatAfter === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'heartbeatAfter'],
          message:
            'expected a duration such as "1h" with a cron schedule: the silence alarm needs the longest gap between runs',
        });
      }
      const timeout = config.checker.timeoutSeconds;
      if (schedule.kind === 'rate' && timeout !== undefined && schedule.periodSeconds <= timeout) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'schedule'],
          message:
            `expected a period longer than checker.timeoutSeconds (${timeout}s) so that cycles never overlap: ` +
            `set checker.timeoutSeconds below ${schedule.periodSeconds}, or leave it out (it then defaults to ` +
            `${timeoutFor([{ schedule }])}s for "${schedule.expression}")`,
        });
      }
    });
  })
  .transform((config) => ({
    ...config,
    checker: {
      ...config.checker,
      timeoutSeconds: timeoutFor(config.clusters, config.checker.timeoutSeconds),
    },
  }));

export type CheckerConfig = z.output<typeof checkerConfigSchema>;
export type CheckerConfigInput = z.input<typeof checkerConfigSchema>;
export type ClusterConfig = CheckerConfig['clusters'][number];
export type MetricsSourceConfig = ClusterConfig['metrics'];
export type OperatorConfig = CheckerConfig['operator'];
export type RulesConfig = CheckerConfig['rules'];

/** `clusters[0].region` from zod's path, as a user finds the field in the file. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out || '(the whole file)';
}

/**
 * Validates a config document. Throws ConfigError listing every bad field (not only the first),
 * so one edit fixes them all.
 */
export function parseConfig(document: unknown, source = 'config'): CheckerConfig {
  const result = checkerConfigSchema.safeParse(document);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    if (keys.length > 0) {
      const at = issue.path.length > 0 ? `${fieldPath(issue.path)}.` : '';
      return `${keys.map((k) => `${at}${k}`).join(', ')}: unknown field (check the spelling against the configuration reference)`;
    }
    return `${fieldPath(issue.path)}: ${issue.message}`;
  });
  throw new ConfigError(source, problems);
}

/** Parses the text of a config file (JSON), naming the file in every error. */
export function parseConfigText(text: string, source: string): CheckerConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, [`(the whole file): expected JSON: ${(error as Error).message}`]);
  }
  return parseConfig(document, source);
}

/** The role the checker assumes for a cluster: its account's entry in `accounts`, if any. */
export function assumedRoleFor(
  config: Pick<CheckerConfig, 'accounts'>,
  cluster: ClusterConfig,
): AccountAccess | undefined {
  return cluster.account === undefined ? undefined : config.accounts[cluster.account];
}
export type AccountAccess = CheckerConfig['accounts'][string];

/**
 * Refuses, at synth, a cluster in another account that has no role to assume: with the function's own
 * credentials its DescribeCluster would answer ResourceNotFound and the cluster would page "blind"
 * forever. `deploymentAccount` is the account the stack deploys to (undefined when synth cannot tell,
 * without AWS credentials: then every cluster that names an account needs a role, or no `account`).
 */
export function checkClusterAccounts(
  config: CheckerConfig,
  deploymentAccount: string | undefined,
  source = 'config',
): void {
  const problems = config.clusters.flatMap((cluster, i) => {
    if (cluster.account === undefined || cluster.account === deploymentAccount) return [];
    if (config.accounts[cluster.account]) return [];
    const where = deploymentAccount
      ? `the checker deploys to ${deploymentAccount}`
      : "synth cannot tell the deployment's account (no AWS credentials: CDK_DEFAULT_ACCOUNT is unset)";
    return [
      `clusters[${i}].account: cluster ${cluster.name} is in account ${cluster.account} but ${where}; ` +
        `add accounts["${cluster.account}"] with the roleArn (and externalId) of the role the member account's stack creates ` +
        "(lib/member-account-stack.ts), or remove account if the cluster is in the deployment's account",
    ];
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
}

/**
 * Refuses, at synth, a cluster whose metrics come from the operator pods' own addresses while the
 * function runs in no VPC: from outside the cluster's VPC those addresses cannot be reached, and the
 * cluster would page "checker blind" forever. (The CLI may use "pods" from a machine that reaches
 * the pods: this check is the deployment's.)
 */
export function checkMetricsReach(config: CheckerConfig, source = 'config'): void {
  if (config.vpc) return;
  const problems = config.clusters.flatMap((cluster, i) =>
    cluster.metrics.source === 'pods'
      ? [
          `clusters[${i}].metrics.source: "pods" reads the operator pods' addresses on port ${config.operator.metricsPort}, ` +
            `which a function in no VPC cannot reach: set vpc (the cluster's VPC, its subnets and security groups), ` +
            `or choose "prometheus" or "amp" for cluster ${cluster.name}`,
        ]
      : [],
  );
  if (problems.length > 0) throw new ConfigError(source, problems);
}

export function findCluster(config: CheckerConfig, clusterName: string): ClusterConfig | undefined {
  return config.clusters.find((cluster) => cluster.name === clusterName);
}

/**
 * Seconds without a completed cycle after which the heartbeat alarm goes off: three periods by
 * default, and at least five minutes: the heartbeat reaches CloudWatch through the logs (embedded
 * metric format) a minute or so after its cycle, and a shorter window alarms on late data.
 */
export function heartbeatSeconds(cluster: ClusterConfig): number {
  if (cluster.heartbeatAfter !== undefined) return cluster.heartbeatAfter;
  return cluster.schedule.kind === 'rate' ? Math.max(3 * cluster.schedule.periodSeconds, 300) : 3600;
}

/** A validated config with the document it came from (the function re-reads the document at run time). */
export interface LoadedConfig {
  source: string;
  config: CheckerConfig;
  /** The document the function reads at run time: the user's file less the e-mail addresses. */
  runtimeDocument: string;
}

/** Validates a document and keeps the part of it the function needs at run time. */
export function loadConfig(document: unknown, source: string): LoadedConfig {
  const config = parseConfig(document, source);
  const { notifications, ...rest } = document as Record<string, unknown>;
  // Subscriptions are the stack's business; the function never needs the addresses.
  const runtime = { ...rest, notifications: { ...(notifications as object | undefined), emails: [] } };
  return { source, config, runtimeDocument: JSON.stringify(runtime) };
}
