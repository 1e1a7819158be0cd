/**
 * The command's own errors, as a newcomer meets them: no kubeconfig at all, a Prometheus URL that is
 * not one, an instant in the future, `history` that finds nothing (and says where it looked), a
 * `--debug` stack trace that names our sources, and the scratch directories of the simulator and
 * Prometheus removed when they stop.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../cli/cli.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { prometheusInstalled, startPrometheus } from '../sim/prometheus.js';
import { describeNeeding } from './helpers/requirements.js';
import { scratchDir } from './helpers/scratch.js';

const describe = describeNeeding('openssl');

/** `tenant-check` in this process, with these variables in process.env for the call (then restored). */
async function tenantCheck(args: string[], options: { env?: NodeJS.ProcessEnv; isTty?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  // Set and restored key by key: replacing process.env would cut it off from the real environment.
  const changed = Object.keys(options.env ?? {});
  const saved = Object.fromEntries(changed.map((key) => [key, process.env[key]]));
  const put = (values: NodeJS.ProcessEnv) => {
    for (const key of changed)
      if (values[key] === undefined) delete process.env[key];
      else process.env[key] = values[key];
  };
  put(options.env ?? {});
  try {
    const code = await main(args, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      isTty: options.isTty ?? false,
      env: process.env,
    });
    return { code, stdout, stderr };
  } finally {
    put(saved);
  }
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator(healthyCluster());
});
afterAll(() => sim?.close());

describe('run refuses what it cannot use, with exit 2 and one line naming the flag', () => {
  it('no kubeconfig at all ($KUBECONFIG unset, no ~/.kube/config): nothing is read and nothing stored', async () => {
    const home = scratchDir('home-');
    const state = join(scratchDir('cli-state-'), 'state');
    const { code, stdout, stderr } = await tenantCheck(['run', '--state-dir', state, '--metrics', 'scrape'], {
      env: { HOME: home, KUBECONFIG: undefined, XDG_STATE_HOME: join(home, '.local', 'state') },
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^tenant-check: no kubeconfig found \(\$KUBECONFIG, ~\/\.kube\/config\)/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(state)).toBe(false);
  });

  it('the kubeconfig in ~/.kube/config is still found, as kubectl finds it', async () => {
    const home = scratchDir('home-');
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), readFileSync(sim.kubeconfigPath, 'utf8'));
    const { code, stderr } = await tenantCheck(
      ['run', '--state-dir', scratchDir('cli-state-'), '--metrics', 'scrape', '--format', 'json'],
      { env: { HOME: home, KUBECONFIG: undefined } },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('no config file and no metrics choice: none is made for the user (the operator refuses the old default)', async () => {
    const state = join(scratchDir('cli-state-'), 'state');
    const { code, stdout, stderr } = await tenantCheck([
      'run',
      '--kubeconfig',
      sim.kubeconfigPath,
      '--state-dir',
      state,
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^tenant-check: --metrics or --prometheus-url: without a config file, choose where the operator's metrics are read: --prometheus-url URL .*--metrics pods .*--metrics scrape \(through the API server's proxy: only an operator run with --metrics-secure=false\)\n$/,
    );
    expect(existsSync(state)).toBe(false);
  });

  it.each([
    ['not a URL', 'notaurl'],
    ['another scheme', 'ftp://prometheus:9090'],
    ['a host missing', 'http://'],
  ])('--prometheus-url: %s', async (_what, value) => {
    const state = join(scratchDir('cli-state-'), 'state');
    const { code, stderr } = await tenantCheck([
      'run',
      '--kubeconfig',
      sim.kubeconfigPath,
      '--state-dir',
      state,
      '--prometheus-url',
      value,
    ]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `tenant-check: --prometheus-url: expected an http(s) URL such as http://localhost:9090 (after kubectl -n monitoring port-forward svc/prometheus-operated 9090), got "${value}"\n`,
    );
    expect(existsSync(state)).toBe(false);
  });

  it('--at in the future is refused, beyond a few minutes of clock skew', async () => {
    const state = join(scratchDir('cli-state-'), 'state');
    const future = new Date(Date.now() + 3600_000).toISOString();
    const refused = await tenantCheck([
      'run',
      '--kubeconfig',
      sim.kubeconfigPath,
      '--metrics',
      'scrape',
      '--state-dir',
      state,
      '--at',
      future,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^tenant-check: --at: ${future} is in the future \\(now is \\d{4}-\\d{2}-\\d{2}T.*\\): give a past instant`,
      ),
    );
    expect(existsSync(state)).toBe(false);
    // Another machine's clock two minutes ahead: accepted.
    const skewed = await tenantCheck([
      'run',
      '--kubeconfig',
      sim.kubeconfigPath,
      '--metrics',
      'scrape',
      '--state-dir',
      state,
      '--at',
      new Date(Date.now() + 120_000).toISOString(),
      '--format',
      'json',
    ]);
    expect(skewed.stderr).toBe('');
    expect(skewed.code).toBe(0);
  });
});

describe('history says which cluster and state directory it read, a table on a terminal and JSON otherwise', () => {
  let state: string;
  beforeAll(async () => {
    state = scratchDir('cli-state-');
    const ran = await tenantCheck([
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
    expect(ran.code).toBe(0);
  });
  // Without --cluster, the cluster is the kubeconfig's current one, as for run.
  const kubeconfigEnv = () => ({ KUBECONFIG: sim.kubeconfigPath });

  it('on a terminal: a table headed by the cluster and the directory', async () => {
    const { code, stdout } = await tenantCheck(['history', '--state-dir', state], {
      env: kubeconfigEnv(),
      isTty: true,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        `^Runs of simulator in ${state}, newest first\nTIME\\s+ALERT\\s+ERROR RATE\\s+TOP CAUSE\n\\S+Z\\s+inactive`,
      ),
    );
  });

  it('otherwise: JSON on stdout', async () => {
    const { code, stdout, stderr } = await tenantCheck(['history', '--state-dir', state], {
      env: kubeconfigEnv(),
    });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ alert: expect.any(Object) })]);
  });

  it('no runs: says where it looked and which clusters have runs there', async () => {
    const json = await tenantCheck(['history', '--state-dir', state, '--cluster', 'prod-eks-1']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(json.stderr).toBe(
      `tenant-check: no runs of prod-eks-1 in ${state} (runs there are of: simulator; pass --cluster NAME)\n`,
    );
    const empty = scratchDir('cli-state-');
    const text = await tenantCheck(['history', '--state-dir', empty], { env: kubeconfigEnv(), isTty: true });
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      `No runs of simulator in ${empty} (pass --cluster NAME, or --state-dir DIR as given to run)\n`,
    );
  });
});

describe('--debug: stack traces name our source files and lines', () => {
  beforeAll(async () => {
    const built = await node([join('bin', 'build-cli.mjs')]);
    expect(built.code, built.stderr).toBe(0);
  });

  it('the packaged command maps a failure in its bundle back to lambda/…/*.ts', async () => {
    // A run file that is not JSON (a disk that filled up mid-write): reading history fails inside the store.
    const state = scratchDir('cli-state-');
    mkdirSync(join(state, 'clusters', 'x', 'runs'), { recursive: true });
    writeFileSync(join(state, 'clusters', 'x', 'runs', '2026-11-26T10-00-00.000Z_r.json'), '{');
    const args = [join('dist', 'tenant-check.mjs'), 'history', '--cluster', 'x', '--state-dir', state];
    const debug = await node([...args, '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^tenant-check: the check could not run: .*JSON/);
    expect(debug.stderr).toMatch(/\(\S*lambda\/sinks\/file-store\.ts:\d+:\d+\)/);
    expect(debug.stderr).not.toMatch(/cli-lib\.mjs:\d+/);
    const plain = await node(args);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/\(--debug shows the stack trace\)\n$/);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describeNeeding('openssl', 'prometheus')('scratch directories', () => {
  it('the simulator and Prometheus remove theirs when they stop', async () => {
    const tmp = scratchDir('tmp-');
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const cluster = await startSimulator(healthyCluster());
      expect(prometheusInstalled()).toBe(true);
      const prometheus = await startPrometheus(
        `# TYPE up gauge\nup 1 ${Math.floor(Date.now() / 1000) - 3600}\n# EOF\n`,
      );
      expect(
        readdirSync(tmp)
          .map((d) => d.replace(/-[^-]+$/, '-*'))
          .sort(),
      ).toEqual(['kube-sim-*', 'prometheus-*']);
      await prometheus.stop();
      await cluster.close();
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      process.env.TMPDIR = saved;
      if (saved === undefined) delete process.env.TMPDIR;
    }
  });
});

function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
