/**
 * `tenant-check` as a user runs it: every incident of the library through the command (JSON checked
 * against the contract), the real entry point in a child process, the text report, history, errors
 * with the right exit status, and the demo as a newcomer runs it.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { main } from '../cli/cli.js';
import { CAUSE_IDS } from '../lambda/model/causes.js';
import {
  INCIDENTS,
  incidentFixture,
  incidentTimes,
  startIncidentPrometheus,
} from '../sim/incidents/library.js';
import { healthyCluster, insecureMetrics } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import type { PrometheusServer } from '../sim/prometheus.js';
import { describeNeeding, node22 as node22OrNewer } from './helpers/requirements.js';
import { scratchDir } from './helpers/scratch.js';

/** The JSON object of `tenant-check run --format json`, as the design's contract fixes it. */
const contract = z.object({
  cluster: z.string(),
  evaluatedAt: z.iso.datetime(),
  errorRate: z.number().nullable(),
  sustained: z.boolean(),
  alert: z.object({
    state: z.enum(['inactive', 'pending', 'firing', 'resolved', 'blind']),
    fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  }),
  // The runbook's alert and every evaluated rule's group (issue 16: added, nothing renamed).
  alerts: z.array(
    z.object({
      name: z.string(),
      severity: z.string().nullable(),
      state: z.enum(['inactive', 'pending', 'firing', 'resolved', 'unknown']),
      instances: z.number().int().min(0),
      activeAt: z.iso.datetime().nullable(),
      fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
      reason: z.string().optional(),
      source: z.enum(['runbook', 'rule']),
    }),
  ),
  ruleNotices: z.array(z.string()),
  causes: z.array(
    z.object({
      id: z.enum(['none', ...CAUSE_IDS] as [string, ...string[]]),
      confidence: z.number().min(0).max(1),
      evidence: z.array(z.string()),
    }),
  ),
  findings: z.array(
    z.object({
      check: z.string(),
      status: z.enum(['ok', 'warn', 'fail', 'unknown']),
      cause: z.enum(CAUSE_IDS as unknown as [string, ...string[]]).nullable(),
      summary: z.string(),
      evidence: z.array(z.string()),
      remediation: z.array(z.string()),
    }),
  ),
  bundle: z
    .object({ location: z.string(), link: z.string().nullable(), expiresAt: z.string().nullable() })
    .nullable(),
  notification: z.object({}).passthrough().nullable(),
});

const timeOf = incidentTimes();
let prometheus: PrometheusServer;
const withSimulator = describeNeeding('openssl');

async function tenantCheck(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTty: false,
    env: { HOME: scratchDir('home-'), ...env },
  });
  return { code, stdout, stderr };
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describeNeeding('openssl', 'prometheus')('every incident through `tenant-check run --format json`', () => {
  beforeAll(async () => {
    prometheus = await startIncidentPrometheus(timeOf);
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  it.each(INCIDENTS.map((incident, i) => [incident.name, incident, i] as const))(
    '%s',
    async (_name, incident, i) => {
      const sim = await startSimulator(incidentFixture(incident, timeOf(i) * 1000));
      try {
        const state = scratchDir('cli-state-');
        const { code, stdout, stderr } = await tenantCheck([
          'run',
          '--kubeconfig',
          sim.kubeconfigPath,
          '--prometheus-url',
          prometheus.url,
          '--at',
          new Date(timeOf(i) * 1000).toISOString(),
          '--state-dir',
          state,
          '--format',
          'json',
        ]);
        expect(stderr).toBe('');
        expect(code).toBe(0);
        const report = contract.parse(JSON.parse(stdout));
        expect(report.causes[0]?.id).toBe(incident.cause);
        expect(report.alert.state).toBe(incident.alert);
        expect(report.cluster).toBe('simulator');
        if (incident.alert === 'firing') {
          expect(report.bundle?.location).toMatch(
            new RegExp(`^${state}/bundles/simulator/\\d{4}/\\d{2}/\\d{2}/.+\\.tar\\.gz$`),
          );
          expect(report.notification).toMatchObject({
            kind: 'firing',
            status: 'sent',
            subject: expect.stringMatching(/^\[FIRING\]/),
          });
        } else {
          expect(report.notification).toBeNull();
          // The operator's own rules page where the incident makes them (alert-blind), with the bundle.
          if (!incident.pages) expect(report.bundle).toBeNull();
          else expect(report.bundle?.location).toMatch(/\.tar\.gz$/);
        }
        const firing = report.alerts.filter((a) => a.source === 'rule' && a.state === 'firing');
        expect(firing.map((a) => a.name).sort()).toEqual(incident.pages ?? []);
        expect(report.alerts.find((a) => a.source === 'runbook')?.state).toBe(
          incident.alert === 'firing' ? 'firing' : 'inactive',
        );
      } finally {
        await sim.close();
      }
    },
  );
});

withSimulator('the command itself', () => {
  let sim: Simulator;
  beforeAll(async () => {
    // `--metrics scrape` reads through the API server's proxy: an operator run with --metrics-secure=false.
    sim = await startSimulator(insecureMetrics(healthyCluster()));
  });
  afterAll(() => sim?.close());

  it('runs from its real entry point in a child process, and history lists the run', async () => {
    const state = scratchDir('cli-state-');
    const cycle = await run(process.execPath, [
      '--import',
      'tsx',
      'bin/tenant-check.ts',
      'run',
      '--kubeconfig',
      sim.kubeconfigPath,
      '--metrics',
      'scrape',
      '--state-dir',
      state,
      '--format',
      'json',
    ]);
    expect(cycle.stderr).toBe('');
    expect(cycle.code).toBe(0);
    const report = contract.parse(JSON.parse(cycle.stdout));
    // A first scrape has no rate: unknown, and nothing is called healthy.
    expect(report.errorRate).toBeNull();
    const history = await run(process.execPath, [
      '--import',
      'tsx',
      'bin/tenant-check.ts',
      'history',
      '--cluster',
      'simulator',
      '--state-dir',
      state,
      '--format',
      'text',
    ]);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(
      new RegExp(`^Runs of simulator in ${state}, newest first\nTIME\\s+ALERT\\s+ERROR RATE\\s+TOP CAUSE\n`),
    );
    expect(history.stdout).toContain((report as { runId?: string }).runId ?? JSON.parse(cycle.stdout).runId);
  });

  it('prints the compact text report without colour when not on a terminal', async () => {
    const { code, stdout } = await tenantCheck([
      'run',
      '--kubeconfig',
      sim.kubeconfigPath,
      '--metrics',
      'scrape',
      '--state-dir',
      scratchDir('s-'),
      '--format',
      'text',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^simulator: TenantReconciliationErrors is INACTIVE\nError rate unknown \(warming up/,
    );
    expect(stdout).toContain('Checks\n');
    expect(stdout).not.toContain('\u001b[');
  });

  it.each([
    ['an unknown flag', ['run', '--kubeconfg', 'x'], 2, /unknown option '--kubeconfg'/],
    [
      'a missing kubeconfig',
      ['run', '--kubeconfig', '/nonexistent/kubeconfig'],
      2,
      /^tenant-check: cannot read the kubeconfig \/nonexistent\/kubeconfig.*\(pass --kubeconfig FILE and --context NAME, as with kubectl\)\n$/,
    ],
    [
      'a context that is not there',
      ['run', '--context', 'prod'],
      2,
      /^tenant-check: context "prod" is not in the kubeconfig \(contexts: simulator\)/,
    ],
    ['a bad --at', ['run', '--at', 'yesterday'], 2, /^tenant-check: --at: expected an ISO 8601 time/],
    [
      'both metrics flags',
      ['run', '--prometheus-url', 'http://x', '--metrics', 'scrape'],
      2,
      /cannot be used with option/,
    ],
  ])('refuses %s with one line and exit 2', async (_what, args, status, message) => {
    const withKubeconfig = args.includes('--kubeconfig')
      ? args
      : [...args, '--kubeconfig', sim.kubeconfigPath];
    const { code, stderr } = await tenantCheck(withKubeconfig);
    expect(code).toBe(status);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a bad config, naming the field', async () => {
    const file = join(scratchDir('cfg-'), 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ clusters: [{ name: 'x', region: 'mars', metrics: { source: 'scrape' } }] }),
    );
    const { code, stderr } = await tenantCheck(['run', '--kubeconfig', sim.kubeconfigPath, '--config', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('clusters[0].region: expected an AWS region such as "eu-west-1"');
  });

  it('says what to do when the cluster cannot be reached, with exit 1, and stores the run all the same', async () => {
    const kubeconfig = join(scratchDir('kc-'), 'config');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: gone\n  context: {cluster: gone, user: u}\ncurrent-context: gone\n',
    );
    const state = scratchDir('cli-state-');
    const { code, stderr } = await tenantCheck([
      'run',
      '--kubeconfig',
      kubeconfig,
      '--metrics',
      'scrape',
      '--state-dir',
      state,
      '--format',
      'json',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^tenant-check: could not reach the cluster \(unreachable\): .*\(check the kubeconfig context, VPN and credentials\)\n$/,
    );
    const history = await tenantCheck([
      'history',
      '--cluster',
      'gone',
      '--state-dir',
      state,
      '--format',
      'json',
    ]);
    expect(JSON.parse(history.stdout)).toHaveLength(1);
  });

  it.each([['run'], ['history'], ['link']])('has --help for %s', async (command) => {
    const { code, stdout } = await tenantCheck([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: tenant-check ${command}`));
  });
});

withSimulator('the demo, as a newcomer runs it', () => {
  it('lists the scenarios', async () => {
    const { code, stdout } = await run('npm', ['run', '--silent', 'demo', '--', '--list']);
    expect(code).toBe(0);
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(INCIDENTS.length);
  });

  it('without Prometheus, scrapes the simulated operator three times and reaches the same verdict', async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        'npm',
        ['run', '--silent', 'demo'],
        {
          encoding: 'utf8',
          timeout: 120_000,
          env: { ...process.env, NO_COLOR: '1', DEMO_METRICS: 'scrape' },
        },
        (error, out) => resolve({ code: error ? 1 : 0, stdout: out }),
      );
    });
    expect(code).toBe(0);
    expect(stdout).toContain("scraping the operator's metrics endpoint instead");
    expect(stdout).toContain('demo-eks: TenantReconciliationErrors is FIRING');
    expect(stdout).toMatch(/Probable causes\n {2}datasource-unavailable/);
  });

  it('runs a scenario end to end, stops what it started and removes its temporary files', async () => {
    // A temporary directory of the demo's own: whatever the demo leaves there is a leak.
    const tmp = scratchDir('demo-tmp-');
    const { code, stdout } = await run(
      'npm',
      ['run', '--silent', 'demo', '--', '--scenario', 'apiserver-throttling'],
      { TMPDIR: tmp },
    );
    expect(code).toBe(0);
    // tsx (tsx-<uid>) and Node.js 22 (node-compile-cache, which tenant-check enables to start faster)
    // keep one compile cache per user there, reused by every run: caches, not the demo's leftovers.
    expect(readdirSync(tmp).filter((name) => !/^tsx-\d+$|^node-compile-cache$/.test(name))).toEqual([]);
    expect(stdout).toContain('demo-eks: TenantReconciliationErrors is FIRING');
    expect(stdout).toMatch(/Probable causes\n {2}apiserver-throttling/);
    expect(stdout).toContain('Escalation bundle: ');
    expect(stdout).toContain('Everything the demo started is stopped and its temporary files removed.');
  });
});

describe('tenant-check link', () => {
  it("re-issues a presigned link for a deployed run's bundle, found by key among 400 runs (more than one page)", async () => {
    const { startDynamo } = await import('./helpers/dynalite.js');
    const { DynamoDbRunStore } = await import('../lambda/sinks/dynamodb-store.js');
    const dynamo = await startDynamo('deployed-runs');
    try {
      const store = new DynamoDbRunStore(dynamo.client, dynamo.table);
      const run = {
        cluster: 'prod-eks-1',
        runId: '20261126T101500-abcd1234',
        at: '2026-11-26T10:15:00.000Z',
        slot: '2026-11-26T10:15:00.000Z',
        errorRate: 0.2,
        sustained: true,
        alert: { state: 'firing' as const, fingerprint: '0123456789abcdef' },
        causes: [],
        findings: [],
        sources: {},
        coverage: 1,
        expiresAt: 0,
      };
      await store.saveRun(run);
      await store.attachBundle(run, { key: 'bundles/prod-eks-1/2026/11/26/20261126T101500-abcd1234.tar.gz' });
      // 400 newer runs of about 4 KB each: one Query page (1 MB) holds about 250 of them.
      const newer = Array.from({ length: 400 }, (_, i) => {
        const at = new Date(Date.parse(run.at) + (i + 1) * 300_000);
        return {
          ...run,
          runId: `${at.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${String(i).padStart(8, '0')}`,
          at: at.toISOString(),
          slot: at.toISOString(),
          findings: Array.from({ length: 8 }, (_, f) => ({
            check: `check-${f}`,
            status: 'warn' as const,
            cause: null,
            summary: 's'.repeat(200),
            evidence: ['e'.repeat(250)],
            remediation: [],
            weight: 0.1,
          })),
        };
      });
      for (let i = 0; i < newer.length; i += 25)
        await Promise.all(newer.slice(i, i + 25).map((r) => store.saveRun(r)));
      expect((await store.listRuns('prod-eks-1', 1000)).at(-1)?.runId).toBe(run.runId);
      const env = {
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIALOCALTESTONLY001',
        AWS_SECRET_ACCESS_KEY: 'bG9jYWwtdGVzdC1vbmx5',
      };
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        const { code, stdout, stderr } = await tenantCheck([
          'link',
          run.runId,
          '--cluster',
          'prod-eks-1',
          '--table',
          'deployed-runs',
          '--bucket',
          'checker-bundles',
          '--expires',
          '12h',
        ]);
        expect(stderr).toBe('');
        expect(code).toBe(0);
        const [link, validity, location] = stdout.trim().split('\n');
        const url = new URL(link as string);
        expect(url.hostname).toBe('checker-bundles.s3.eu-west-1.amazonaws.com');
        expect(url.pathname).toBe('/bundles/prod-eks-1/2026/11/26/20261126T101500-abcd1234.tar.gz');
        expect(url.searchParams.get('X-Amz-Expires')).toBe('43200');
        expect(validity).toMatch(/^valid until \d{4}-\d{2}-\d{2}T/);
        expect(location).toBe(
          'in S3: s3://checker-bundles/bundles/prod-eks-1/2026/11/26/20261126T101500-abcd1234.tar.gz',
        );
        const missing = await tenantCheck([
          'link',
          'no-such-run',
          '--cluster',
          'prod-eks-1',
          '--table',
          'deployed-runs',
          '--bucket',
          'b',
        ]);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toMatch(
          /^tenant-check: run no-such-run of prod-eks-1 is not in deployed-runs/,
        );
      } finally {
        process.env = saved;
      }
    } finally {
      await dynamo.close();
    }
  });
});

describeNeeding('openssl', 'node22')('the packaged command (dist/tenant-check.mjs)', () => {
  it('runs under Node.js 22 with nothing on stderr (no deprecation warnings) and the same JSON', async () => {
    const built = await run(process.execPath, ['bin/build-cli.mjs']);
    expect(built.code).toBe(0);
    // What every start loads stays small: built-ins by require (no ESM facades), and neither tr46's
    // tables nor client-node's generated models (1.2 MB before, under 0.5 MB since).
    const lib = readFileSync('dist/cli-lib.mjs', 'utf8');
    expect(lib).not.toMatch(/from\s*"node:(?!module")/);
    expect(lib).not.toContain('V1PodSpec');
    expect(Buffer.byteLength(lib)).toBeLessThan(600 * 1024);
    const sim = await startSimulator(healthyCluster());
    try {
      const node22 = node22OrNewer() as string;
      const help = await run(node22, ['dist/tenant-check.mjs', '--help']);
      expect(help.stderr).toBe('');
      const cycle = await run(node22, [
        'dist/tenant-check.mjs',
        'run',
        '--kubeconfig',
        sim.kubeconfigPath,
        '--metrics',
        'scrape',
        '--state-dir',
        scratchDir('pkg-'),
        '--format',
        'json',
      ]);
      expect(cycle.stderr).toBe('');
      expect(cycle.code).toBe(0);
      contract.parse(JSON.parse(cycle.stdout));
    } finally {
      await sim.close();
    }
  });
});
