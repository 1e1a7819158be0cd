/**
 * `tenant-check`: the same check cycle as the Lambda, from a laptop, against whatever cluster the
 * kubeconfig reaches, on embedded defaults (no AWS account needed): state in a local directory,
 * bundles on disk, the notification printed. Exit status: 0 the cycle ran (whatever it found),
 * 1 the cycle could not run, 2 bad usage or config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { withRuleFile } from '../lambda/alert/rules/rule-file.js';
import { KubeconfigConnector } from '../lambda/collect/connectors.js';
import { loadLocalKubeConfig } from '../lambda/collect/kubeconfig.js';
import { type CheckerConfig, type ClusterConfig, parseConfig, parseConfigText } from '../lambda/config.js';
import { runCycle } from '../lambda/cycle.js';
import { ConfigError } from '../lambda/errors.js';
import type { RunRecord } from '../lambda/model/run.js';
import { buildPorts } from '../lambda/ports.js';
import { type CheckReport, toReport } from '../lambda/report.js';
import { FileRunStore } from '../lambda/sinks/file-store.js';
import { renderText } from './text-report.js';

/** An error the user can act on: one line, and the exit status it deserves. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
  env: NodeJS.ProcessEnv;
}

function defaultStateDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'tenant-check');
}

/** The config file given, else ./checker.config.json when present, else defaults for the kubeconfig's cluster. */
function loadCliConfig(
  path: string | undefined,
  clusterName: string | undefined,
  kubeContextCluster: string | undefined,
  /** The embedded defaults' metrics source, from the command line; none is chosen for the user. */
  embeddedMetrics: { source: string } | undefined,
): { config: CheckerConfig; cluster: ClusterConfig } {
  let config: CheckerConfig;
  const file = path ?? (existsSync('checker.config.json') ? 'checker.config.json' : undefined);
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new CliError(
        `--config: cannot read ${file} (copy checker.config.example.json, or leave --config out to use the defaults)`,
        2,
      );
    }
    config = parseConfigText(text, file);
    // The rule file the config names, read beside it and validated (its problems name the rule).
    if (config.rules.file) config = parseConfig(withRuleFile(JSON.parse(text), file), file);
  } else {
    const name =
      (clusterName ?? kubeContextCluster ?? 'local')
        .replace(/[^A-Za-z0-9_-]/g, '-')
        .replace(/^[^0-9A-Za-z]+/, '')
        .slice(0, 100) || 'local';
    if (!embeddedMetrics)
      throw new CliError(
        "--metrics or --prometheus-url: without a config file, choose where the operator's metrics are read: --prometheus-url URL (a Prometheus, e.g. after kubectl -n monitoring port-forward svc/prometheus-operated 9090), --metrics pods (the operator pods' addresses with your token, from inside the cluster's network) or --metrics scrape (through the API server's proxy: only an operator run with --metrics-secure=false)",
        2,
      );
    config = parseConfig(
      { clusters: [{ name, region: 'us-east-1', createAccessEntry: false, metrics: embeddedMetrics }] },
      'the embedded defaults',
    );
  }
  const cluster = clusterName ? config.clusters.find((c) => c.name === clusterName) : config.clusters[0];
  if (!cluster)
    throw new CliError(
      `--cluster: "${clusterName}" is not in ${file} (clusters: ${config.clusters.map((c) => c.name).join(', ')})`,
      2,
    );
  return { config, cluster };
}

interface RunOptions {
  config?: string;
  cluster?: string;
  kubeconfig?: string;
  context?: string;
  prometheusUrl?: string;
  metrics?: 'scrape' | 'pods';
  stateDir?: string;
  bundleDir?: string;
  at?: string;
  format?: 'text' | 'json';
  color?: boolean;
}

/** How far ahead of this machine's clock `--at` may be: another machine's clock may run a little fast. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The flags' own values, checked before anything is read: one line naming the flag and a good value. */
function checkRunFlags(o: RunOptions, now = Date.now()): { at?: Date } {
  if (o.prometheusUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(o.prometheusUrl);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname)
      throw new CliError(
        `--prometheus-url: expected an http(s) URL such as http://localhost:9090 (after kubectl -n monitoring port-forward svc/prometheus-operated 9090), got "${o.prometheusUrl}"`,
        2,
      );
  }
  if (o.at === undefined) return {};
  const at = new Date(o.at);
  if (Number.isNaN(at.getTime()))
    throw new CliError(`--at: expected an ISO 8601 time such as 2026-11-26T14:05:00Z, got "${o.at}"`, 2);
  if (at.getTime() > now + CLOCK_SKEW_MS)
    throw new CliError(
      `--at: ${o.at} is in the future (now is ${new Date(now).toISOString()}): give a past instant, or leave --at out for now`,
      2,
    );
  return { at };
}

async function runCommand(o: RunOptions, io: Io): Promise<number> {
  const { at } = checkRunFlags(o);
  let kubeConfig: ReturnType<typeof loadLocalKubeConfig>;
  try {
    kubeConfig = loadLocalKubeConfig({
      ...(o.kubeconfig ? { path: o.kubeconfig } : {}),
      ...(o.context ? { context: o.context } : {}),
    });
  } catch (error) {
    throw new CliError(
      `${(error as Error).message} (pass --kubeconfig FILE and --context NAME, as with kubectl)`,
      2,
    );
  }
  const { config, cluster } = loadCliConfig(
    o.config,
    o.cluster,
    kubeConfig.getCurrentCluster()?.name,
    o.prometheusUrl ? { source: 'prometheus' } : o.metrics ? { source: o.metrics } : undefined,
  );
  const stateDir = resolve(o.stateDir ?? defaultStateDir(io.env));
  const bundleDir = resolve(o.bundleDir ?? join(stateDir, 'bundles'));
  try {
    await mkdir(stateDir, { recursive: true });
    await mkdir(bundleDir, { recursive: true });
  } catch (error) {
    throw new CliError(`--state-dir/--bundle-dir: cannot write there: ${(error as Error).message}`, 1);
  }
  const format = o.format ?? (io.isTty ? 'text' : 'json');
  const progress = io.isTty && format === 'text';
  if (progress)
    io.stderr(
      `Reading ${kubeConfig.getCurrentCluster()?.server ?? 'the cluster'} (operator in ${config.operator.namespace}) ...\n`,
    );
  // AWS credentials only for Amazon Managed Prometheus: a laptop run against a kubeconfig needs none.
  const usesAmp = !o.prometheusUrl && o.metrics === undefined && cluster.metrics.source === 'amp';
  const ports = await buildPorts(config, cluster, {
    kind: 'local',
    connector: new KubeconfigConnector({ kubeConfig }),
    stateDir,
    bundleDir,
    ...(o.prometheusUrl ? { prometheusUrl: o.prometheusUrl } : {}),
    ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(usesAmp
      ? { credentials: (await import('@aws-sdk/credential-providers')).fromNodeProviderChain() }
      : {}),
  });
  const result = await runCycle(ports, {
    config,
    cluster: cluster.name,
    budgetMs: 60_000,
    ...(at ? { at } : {}),
  });
  const report: CheckReport & { notificationText?: { subject: string; body: string } } = toReport(result);
  const sent = ports.notifier.sent[0];
  if (format === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          ...report,
          notification: report.notification
            ? {
                ...report.notification,
                ...(sent ? { subject: sent.subject, body: sent.body, attributes: sent.attributes } : {}),
              }
            : null,
          // Every message the cycle would publish: the runbook alert's and the rules' groups'.
          notifications: ports.notifier.sent.map((n) => ({
            kind: n.kind,
            subject: n.subject,
            body: n.body,
            attributes: n.attributes,
          })),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(
      renderText(result, {
        color: o.color !== false && io.isTty && !io.env.NO_COLOR,
        notifications: ports.notifier.sent,
        stateDir,
        alertName: config.alert.name,
      }),
    );
  }
  // Nothing of the cluster could be read: the cycle ran and stored that, but nothing was checked.
  const clusterSources = Object.entries(report.sources).filter(([name]) => name !== 'metrics');
  const connection = ['unreachable', 'tls', 'unauthorized', 'timeout'];
  if (clusterSources.every(([, state]) => connection.includes(state))) {
    const kind = clusterSources[0]?.[1];
    const first = result.snapshot.operatorPods;
    throw new CliError(
      `could not reach the cluster (${kind}): ${first.ok ? '' : first.error.message} (check the kubeconfig context, VPN and credentials)`,
      1,
    );
  }
  return 0;
}

async function historyCommand(
  o: {
    cluster?: string;
    stateDir?: string;
    table?: string;
    region?: string;
    limit: string;
    format?: 'text' | 'json';
    config?: string;
  },
  io: Io,
): Promise<number> {
  const limit = Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new CliError(`--limit: expected a whole number above 0, got "${o.limit}"`, 2);
  let runs: RunRecord[];
  let cluster = o.cluster;
  let where: string;
  let others: string[] = [];
  if (o.table) {
    if (!cluster) throw new CliError('--cluster: name the cluster whose runs to list', 2);
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDbRunStore } = await import('../lambda/sinks/dynamodb-store.js');
    runs = await new DynamoDbRunStore(
      new DynamoDBClient(o.region ? { region: o.region } : {}),
      o.table,
    ).listRuns(cluster, limit);
    where = `table ${o.table}`;
  } else {
    const stateDir = resolve(o.stateDir ?? defaultStateDir(io.env));
    // Only the cluster's name is needed here: no metrics are read.
    cluster ??= loadCliConfig(o.config, undefined, safeContextCluster(), { source: 'scrape' })?.cluster.name;
    runs = await new FileRunStore(stateDir).listRuns(cluster, limit);
    where = stateDir;
    if (runs.length === 0) others = await clustersWithRuns(stateDir);
  }
  const format = o.format ?? (io.isTty ? 'text' : 'json');
  if (runs.length === 0) {
    // Say where we looked, and what is there: a default cluster name that matches nothing is the usual cause.
    const hint = others.length
      ? ` (runs there are of: ${others.join(', ')}; pass --cluster NAME)`
      : o.cluster
        ? ''
        : ' (pass --cluster NAME, or --state-dir DIR as given to run)';
    const line = `no runs of ${cluster} in ${where}${hint}`;
    if (format === 'json') {
      io.stdout('[]\n');
      io.stderr(`tenant-check: ${line}\n`);
    } else io.stdout(`${line[0]?.toUpperCase()}${line.slice(1)}\n`);
    return 0;
  }
  if (format === 'json') {
    io.stdout(
      `${JSON.stringify(
        runs.map((r) => ({
          runId: r.runId,
          at: r.at,
          errorRate: r.errorRate,
          sustained: r.sustained,
          alert: r.alert,
          causes: r.causes.map((c) => ({ id: c.id, confidence: c.confidence })),
          bundleKey: r.bundleKey ?? null,
        })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  io.stdout(
    `${[`Runs of ${cluster} in ${where}, newest first`, 'TIME                      ALERT     ERROR RATE  TOP CAUSE', ...runs.map((r) => `${r.at.padEnd(26)}${r.alert.state.padEnd(10)}${(r.errorRate === null ? 'unknown' : `${(r.errorRate * 100).toFixed(1)}%`).padEnd(12)}${r.causes[0] ? `${r.causes[0].id} (${Math.round(r.causes[0].confidence * 100)}%)` : '-'}   ${r.runId}`)].join('\n')}\n`,
  );
  return 0;
}

/** The clusters that have runs in a state directory (its `clusters/<name>/runs/`). */
async function clustersWithRuns(stateDir: string): Promise<string[]> {
  try {
    const names = await readdir(join(stateDir, 'clusters'));
    return names.filter((n) => existsSync(join(stateDir, 'clusters', n, 'runs'))).sort();
  } catch {
    return [];
  }
}

function safeContextCluster(): string | undefined {
  try {
    return loadLocalKubeConfig().getCurrentCluster()?.name;
  } catch {
    return undefined;
  }
}

async function linkCommand(
  runId: string,
  o: { cluster: string; table: string; bucket: string; region?: string; expires?: string },
  io: Io,
): Promise<number> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { S3Client } = await import('@aws-sdk/client-s3');
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  const { DynamoDbRunStore } = await import('../lambda/sinks/dynamodb-store.js');
  const { S3BundleStore } = await import('../lambda/sinks/s3-bundle-store.js');
  const { parseDuration } = await import('../lambda/durations.js');
  const seconds = parseDuration(o.expires ?? '24h');
  if (!seconds || seconds > 7 * 86_400)
    throw new CliError(`--expires: expected a duration up to 7d such as 24h, got "${o.expires}"`, 2);
  const clientConfig = o.region ? { region: o.region } : {};
  // By key (the run id holds the second it ran at), not by reading the newest runs.
  const run = await new DynamoDbRunStore(new DynamoDBClient(clientConfig), o.table).findRun(o.cluster, runId);
  if (!run)
    throw new CliError(
      `run ${runId} of ${o.cluster} is not in ${o.table} (see tenant-check history --table ${o.table} --cluster ${o.cluster})`,
      2,
    );
  if (!run.bundleKey)
    throw new CliError(
      `run ${runId} has no bundle${run.bundleError ? `: ${run.bundleError}` : ' (bundles are written when the alert fires)'}`,
      1,
    );
  const link = await new S3BundleStore(new S3Client(clientConfig), o.bucket, {
    linkExpirySeconds: seconds,
    credentials: fromNodeProviderChain(),
  }).link(run.bundleKey);
  io.stdout(
    `${link.link}\nvalid until ${link.expiresAt}${link.linkNote ? ` (${link.linkNote})` : ''}\nin S3: ${link.location}\n`,
  );
  return 0;
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('tenant-check')
    .description(
      'Runs the TenantReconciliationErrors runbook against a cluster: collects, diagnoses, stores, and prints what it found.',
    )
    .option('--debug', 'print stack traces')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      // One line, in the command's voice: `tenant-check: unknown option '--kubeconfg' (Did you mean --kubeconfig?)`.
      outputError: (message, write) =>
        write(
          `tenant-check: ${message
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (see --help)\n`,
        ),
    });
  const format = () =>
    new Option('--format <format>', 'text (default on a terminal) or json').choices(['text', 'json']);
  program
    .command('run')
    .description('one check cycle against the cluster of the current (or named) kubeconfig context')
    .option(
      '--config <file>',
      'checker config (default: ./checker.config.json if present, else built-in defaults)',
    )
    .option('--cluster <name>', 'which cluster of the config to take settings from (default: the first)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .addOption(
      new Option(
        '--prometheus-url <url>',
        "a Prometheus to evaluate the runbook's PromQL on (e.g. a port-forward)",
      ).conflicts('metrics'),
    )
    .addOption(
      new Option(
        '--metrics <source>',
        "pods: the operator pods' HTTPS endpoint at their addresses, with your token (from inside the cluster's network); scrape: through the API server's proxy (only an operator run with --metrics-secure=false)",
      ).choices(['pods', 'scrape']),
    )
    .option(
      '--state-dir <dir>',
      'alert state, previous samples and run history (default: $XDG_STATE_HOME/tenant-check)',
    )
    .option('--bundle-dir <dir>', 'where escalation bundles are written (default: <state-dir>/bundles)')
    .option('--at <iso-time>', 'evaluate the metrics at a past instant, to investigate an incident')
    .addOption(format())
    .option('--no-color', 'no colour, even on a terminal')
    .action(async (o: RunOptions) => setExit(await runCommand(o, io)));
  program
    .command('history')
    .description(
      'recent runs of a cluster, newest first, from the local state or the deployed DynamoDB table',
    )
    .option('--cluster <name>', 'the cluster (default: the one the config or kubeconfig names)')
    .option('--config <file>', 'checker config')
    .option('--state-dir <dir>', 'the local state directory')
    .option('--table <name>', "the deployed stack's DynamoDB table (uses your AWS credentials)")
    .option('--region <region>', 'AWS region of the table')
    .option('--limit <n>', 'how many runs', '20')
    .addOption(format())
    .action(async (o) => setExit(await historyCommand(o, io)));
  program
    .command('link')
    .description("a fresh presigned link to a deployed run's escalation bundle")
    .argument('<run-id>', 'the run id, as the notification or `history` shows it')
    .requiredOption('--cluster <name>', 'the cluster the run belongs to')
    .requiredOption('--table <name>', "the deployed stack's DynamoDB table")
    .requiredOption('--bucket <name>', "the deployed stack's bundle bucket")
    .option('--region <region>', 'AWS region of the stack')
    .option(
      '--expires <duration>',
      'how long the link lives (at most 7d; less if your credentials expire first)',
      '24h',
    )
    .action(async (runId: string, o) => setExit(await linkCommand(runId, o, io)));
  return program;
}

/** Runs the command line; returns the exit status. Stack traces only with --debug. */
export async function main(argv: string[], io: Io): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help' ||
        error.code === 'commander.version'
      )
        return 0;
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(`tenant-check: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CliError) {
      io.stderr(`tenant-check: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(
      `tenant-check: the check could not run: ${(error as Error).message}${debug ? `\n${(error as Error).stack}` : ' (--debug shows the stack trace)'}\n`,
    );
    return 1;
  }
}
