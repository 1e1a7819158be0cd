/**
 * The simulator is faithful enough for the real kubectl: the runbook's own commands (with the
 * operator's real names) run against it and print what an engineer would see.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { healthyCluster, operatorNames } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { describeNeeding } from './helpers/requirements.js';

const describe = describeNeeding('openssl', 'kubectl');

const names = operatorNames('tenant-operator');
const NS = names.namespace;
const SELECTOR = names.podSelector;
const SA = `system:serviceaccount:${NS}:${names.serviceAccount}`;

let sim: Simulator;
/** kubectl in a child process, awaited (a synchronous spawn would block the simulator in this process). */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      args,
      { encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: '/nonexistent-home-for-kubectl' } },
      (error, stdout, stderr) =>
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const kubectl = (...args: string[]) => run(['--kubeconfig', sim.kubeconfigPath, ...args]);

beforeAll(async () => {
  expect((await run(['version', '--client'])).status, 'kubectl must be installed').toBe(0);
  const fixture = healthyCluster({ tenants: 12 });
  fixture.objects = fixture.objects.map((o) =>
    o.kind === 'Tenant' && o.metadata.name === 'customer-00003'
      ? {
          ...o,
          status: {
            ...(o.status as object),
            conditions: [{ type: 'Ready', status: 'False', reason: 'ReconcileError' }],
          },
        }
      : o,
  );
  // The status subresource is denied while plain update is allowed: the runbook's literal can-i misleads.
  fixture.accessRules = (fixture.accessRules ?? []).map((r) =>
    r.subresource === 'status' ? { ...r, allowed: false } : r,
  );
  sim = await startSimulator(fixture);
});
afterAll(() => sim?.close());

describe("the runbook's commands, by the real kubectl, against the simulator", () => {
  it('step 3: get pods with the real selector, and nothing with the runbook selector', async () => {
    const real = await kubectl('get', 'pods', '-n', NS, '-l', SELECTOR);
    expect(real.stderr).toBe('');
    expect(real.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    expect(real.stdout).toMatch(
      /tenant-operator-controller-manager-7d9f8b6c5d-x7k2p\s+1\/1\s+Running\s+0\s+2d/,
    );
    const runbook = await kubectl('get', 'pods', '-n', NS, '-l', 'app=tenant-operator');
    expect(runbook.stdout).toBe('');
    expect(runbook.stderr).toContain(`No resources found in ${NS} namespace.`);
  });

  it('step 3: restart counts and last termination reasons by jsonpath', async () => {
    const out = await kubectl(
      'get',
      'pods',
      '-n',
      NS,
      '-l',
      SELECTOR,
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.containerStatuses[0].restartCount}{"\\n"}{end}',
    );
    expect(out.stdout).toBe('tenant-operator-controller-manager-7d9f8b6c5d-x7k2p\t0\n');
  });

  it('steps 1, 2 and 4: operator logs by selector with a tail', async () => {
    const out = await kubectl('logs', '-n', NS, '-l', SELECTOR, '--tail=20');
    expect(out.stderr).toBe('');
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines.at(-1)).toMatch(/\tINFO\tReconciling Tenant\t\{"controller": "tenant"/);
  });

  it('step 4: API server health by raw path', async () => {
    expect((await kubectl('get', '--raw', '/healthz')).stdout).toBe('ok');
    expect((await kubectl('get', '--raw', '/readyz?verbose')).stdout).toContain('readyz check passed');
  });

  it('step 3: kubectl top pods reads metrics.k8s.io', async () => {
    const out = await kubectl('top', 'pods', '-n', NS, '-l', SELECTOR);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(
      /NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\ntenant-operator-controller-manager-7d9f8b6c5d-x7k2p\s+42m\s+71Mi/,
    );
  });

  it('step 6: tenants by Ready status with the runbook jsonpath, across namespaces', async () => {
    const out = await kubectl(
      'get',
      'tenants',
      '--all-namespaces',
      '-o',
      'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
    );
    expect(out.stderr).toBe('');
    const counts: Record<string, number> = {};
    for (const ready of out.stdout.trimEnd().split('\n')) counts[ready] = (counts[ready] ?? 0) + 1;
    expect(counts).toEqual({ True: 11, False: 1 });
  });

  it('step 7: auth can-i as the operator, and the status subresource trap', async () => {
    expect(
      (
        await kubectl('auth', 'can-i', 'list', 'tenants.operator.kubernetes-tenants.org', `--as=${SA}`)
      ).stdout.trim(),
    ).toBe('yes');
    // The runbook's literal command asks about a tenant named "status" and says yes...
    expect((await kubectl('auth', 'can-i', 'update', 'tenants/status', `--as=${SA}`)).stdout.trim()).toBe(
      'yes',
    );
    // ...while the status subresource, which the operator really writes, is denied.
    const real = await kubectl('auth', 'can-i', 'update', 'tenants', '--subresource=status', `--as=${SA}`);
    expect(real.stdout.trim()).toBe('no');
    for (const resource of ['deployments', 'services', 'configmaps', 'secrets']) {
      expect((await kubectl('auth', 'can-i', 'create', resource, `--as=${SA}`)).stdout.trim(), resource).toBe(
        'yes',
      );
    }
  });

  it('refuses a wrong token as the API server does', async () => {
    const out = await run([
      '--server',
      sim.url,
      '--certificate-authority',
      sim.caFile,
      '--token',
      'wrong',
      'get',
      'pods',
      '-n',
      NS,
    ]);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('Unauthorized');
  });
});
