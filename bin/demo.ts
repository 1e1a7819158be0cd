/**
 * `npm run demo [-- --scenario NAME | --list]`: a newcomer's first five minutes. Starts the
 * Kubernetes API simulator with an incident from the scenario library, the real Prometheus with the
 * incident's metrics backfilled when it is installed (otherwise the scrape source), runs
 * `tenant-check run` against them as a user would, prints its report and where the bundle is, and
 * stops everything it started, removing its temporary files (the state and bundle stay in .demo/).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INCIDENTS, incidentFixture } from '../sim/incidents/library.js';
import { insecureMetrics } from '../sim/kube/fixtures.js';
import { startSimulator } from '../sim/kube/server.js';
import { exposition, openMetricsBackfill } from '../sim/metrics/scenarios.js';
import { type PrometheusServer, prometheusInstalled, startPrometheus } from '../sim/prometheus.js';

const DEFAULT_SCENARIO = 'datasource-unavailable';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0
    ? process.argv[i + 1]
    : process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

function cli(args: string[], quiet = false): Promise<number> {
  const built = join(root, 'dist', 'tenant-check.mjs');
  const command = existsSync(built) ? [built] : ['--import', 'tsx', join(root, 'bin', 'tenant-check.ts')];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...command, ...args], {
      stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  if (process.argv.includes('--list')) {
    for (const i of INCIDENTS) process.stdout.write(`${i.name.padEnd(32)}${i.description}\n`);
    return 0;
  }
  const name = argValue('--scenario') ?? DEFAULT_SCENARIO;
  const index = INCIDENTS.findIndex((i) => i.name === name);
  const incident = INCIDENTS[index];
  if (!incident) {
    process.stderr.write(`demo: --scenario: no scenario "${name}" (npm run demo -- --list shows them)\n`);
    return 2;
  }
  // The state and the bundle stay for the user to look at, in one place that the next demo replaces;
  // the simulator's and Prometheus's scratch directories go when they stop.
  const work = join(root, '.demo');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const configFile = join(work, 'checker.config.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        clusters: [
          { name: 'demo-eks', region: 'eu-west-1', createAccessEntry: false, metrics: { source: 'scrape' } },
        ],
      },
      null,
      2,
    ),
  );
  // The incident began 40 minutes before T; T is two hours ago so that the backfilled data is history.
  const t = Math.floor(Date.now() / 60_000) * 60 - 2 * 3600;
  const at = (offset: number) => new Date((t + offset) * 1000).toISOString();
  const fixture = incidentFixture(incident, t * 1000);
  const sim = await startSimulator(fixture);
  let prometheus: PrometheusServer | undefined;
  try {
    process.stdout.write(`Scenario ${incident.name}: ${incident.description}\n`);
    process.stdout.write(`Kubernetes API simulator at ${sim.url} (kubeconfig ${sim.kubeconfigPath})\n`);
    const common = [
      '--config',
      configFile,
      '--kubeconfig',
      sim.kubeconfigPath,
      '--state-dir',
      join(work, 'state'),
      '--bundle-dir',
      join(work, 'bundles'),
    ];
    const metric = {
      name: incident.name,
      expected: { verdict: 'ok' as const, blind: false },
      ...incident.metrics,
    };
    // DEMO_METRICS=scrape shows the path a machine without Prometheus takes.
    if (process.env.DEMO_METRICS !== 'scrape' && prometheusInstalled()) {
      prometheus = await startPrometheus(openMetricsBackfill([{ scenario: metric, t }]));
      process.stdout.write(
        `Prometheus at ${prometheus.url}, with the incident's metrics backfilled by promtool\n\n`,
      );
      return await cli([
        'run',
        ...common,
        '--prometheus-url',
        prometheus.url,
        '--at',
        at(0),
        '--format',
        'text',
      ]);
    }
    // No Prometheus here: scrape the operator's endpoint, as a 5-minute schedule would have, three times.
    process.stdout.write(
      "No Prometheus (not installed, or DEMO_METRICS=scrape): scraping the operator's metrics endpoint instead, three scrapes five minutes apart\n",
    );
    // Through the API server's proxy the operator's default (--metrics-secure) refuses every scrape: the
    // demo's operator runs with --metrics-secure=false, and says so.
    insecureMetrics(sim.fixture);
    process.stdout.write(
      'The simulated operator runs with --metrics-secure=false so that the API server\'s proxy can read it; a real operator (secure by default) needs metrics.source "pods", "prometheus" or "amp"\n\n',
    );
    const path = Object.keys(fixture.raw ?? {}).find((p) => p.endsWith('/proxy/metrics')) as string;
    for (const offset of [-600, -300]) {
      sim.fixture.raw = { ...sim.fixture.raw, [path]: { body: exposition(metric, offset) } };
      await cli(['run', ...common, '--metrics', 'scrape', '--at', at(offset), '--format', 'json'], true);
    }
    sim.fixture.raw = { ...sim.fixture.raw, [path]: { body: exposition(metric, 0) } };
    return await cli(['run', ...common, '--metrics', 'scrape', '--at', at(0), '--format', 'text']);
  } finally {
    await prometheus?.stop();
    await sim.close();
    process.stdout.write(
      `\nEverything the demo started is stopped and its temporary files removed. Its state and bundle stay in ${work} until the next demo.\n`,
    );
  }
}

process.exitCode = await main();
