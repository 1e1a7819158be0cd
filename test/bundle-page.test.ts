/**
 * The bundle with the picture: an incident's cycle writes a bundle (on disk), which is unpacked and
 * read as the next level of support would: the chart (SVG drawn without a browser), the series as
 * CSV, the operator's Deployment as read, the configuration (without e-mail addresses), and
 * summary.html, opened in real headless Chromium, which must render the chart from the unpacked
 * files alone.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeconfigConnector } from '../lambda/collect/connectors.js';
import type { MetricsSource } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import { type CycleResult, runCycle } from '../lambda/cycle.js';
import type { MetricsEvaluation } from '../lambda/model/metrics.js';
import type { Measured } from '../lambda/model/source.js';
import { succeeded } from '../lambda/model/source.js';
import { FileBundleStore } from '../lambda/sinks/bundle-store.js';
import { renderChart } from '../lambda/sinks/chart.js';
import { FileRunStore } from '../lambda/sinks/file-store.js';
import { MemoryNotifier } from '../lambda/sinks/notifier.js';
import { CHECKER_VERSION } from '../lambda/version.js';
import { INCIDENTS } from '../sim/incidents/library.js';
import { event, operatorReplicaSets } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { dumpDom, findChromium, isDebian, screenshot } from './helpers/chromium.js';
import { countColor, decodePng } from './helpers/png.js';
import { collectorFor } from './helpers/ports.js';

const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const ONSET_MINUTES_AGO = 42;
const ok = (value: number): Measured => ({ state: 'ok', value });

/**
 * Six hours of the runbook's ratio at a 1-minute step, as Prometheus would answer the range query:
 * a quiet 1-3% with a short spike two hours ago, then 20-26% from the onset on.
 */
function series(): [number, number | null][] {
  const end = NOW.getTime() / 1000;
  return Array.from({ length: 361 }, (_, i) => {
    const t = end - (360 - i) * 60;
    const minutesAgo = 360 - i;
    if (minutesAgo === 200 || minutesAgo === 201) return [t, null]; // a scrape gap: no data
    const wobble = (Math.sin(i * 1.7) + Math.sin(i * 0.37)) / 2;
    if (minutesAgo <= ONSET_MINUTES_AGO) return [t, Number((0.23 + 0.03 * wobble).toFixed(4))];
    if (minutesAgo >= 118 && minutesAgo <= 122) return [t, Number((0.13 + 0.01 * wobble).toFixed(4))];
    return [t, Number((0.02 + 0.01 * wobble).toFixed(4))];
  });
}

const metrics: MetricsSource = {
  kind: 'prometheus',
  async evaluate(when) {
    const evaluation: MetricsEvaluation = {
      source: 'prometheus',
      evaluatedAt: when.toISOString(),
      threshold: 0.1,
      forSeconds: 600,
      errorRate: ok(0.23),
      sustained: true,
      reconcilesPerSecond: ok(10),
      errorsPerMinute: ok(138),
      partialFailureShare: ok(0),
      controllerErrorRatio: ok(0.23),
      byController: [],
      startedAt: new Date(NOW.getTime() - ONSET_MINUTES_AGO * 60_000).toISOString(),
      errorRateSeries: { stepSeconds: 60, points: series() },
    };
    return { result: succeeded(evaluation, 1) };
  },
};

let sim: Simulator;
let result: CycleResult;
let files: Map<string, string>;
let dir: string;

beforeAll(async () => {
  const incident = INCIDENTS.find((i) => i.name === 'datasource-unavailable') as (typeof INCIDENTS)[number];
  const fixture = incident.fixture();
  // A rollout shortly before the onset, and warnings around it: what the chart marks on its time axis.
  fixture.objects.push(
    ...operatorReplicaSets('tenant-operator', [
      { hash: '8e1a2b3c4d', revision: 4, createdSecondsAgo: (ONSET_MINUTES_AGO + 6) * 60, replicas: 0 },
    ]),
    ...[50, 38, 31, 17, 9].map((minutes, i) =>
      event({
        namespace: `tenants-${i % 4}`,
        type: 'Warning',
        reason: i % 2 === 0 ? 'FailedSync' : 'BackOff',
        message: `sync failed for customer-0000${i}: dial tcp 10.0.3.7:3306: connect: connection refused`,
        kind: 'Tenant',
        name: `customer-0000${i}`,
        secondsAgo: minutes * 60,
      }),
    ),
  );
  sim = await startSimulator(fixture);
  const config = parseConfig({
    clusters: [
      { name: 'prod-eks-1', region: 'eu-west-1', createAccessEntry: false, metrics: { source: 'scrape' } },
    ],
    notifications: { emails: ['oncall@example.com', 'sre-lead@example.org'] },
  });
  const bundleDir = mkdtempSync(join(tmpdir(), 'page-bundles-'));
  result = await runCycle(
    {
      collector: collectorFor(
        config,
        config.clusters[0] as (typeof config.clusters)[number],
        new KubeconfigConnector({ path: sim.kubeconfigPath }),
        () => metrics,
      ),
      store: new FileRunStore(mkdtempSync(join(tmpdir(), 'page-state-'))),
      bundles: new FileBundleStore(bundleDir),
      notifier: new MemoryNotifier(),
    },
    { config, cluster: 'prod-eks-1', budgetMs: 20_000, at: NOW },
  );
  // Unpack as `tar xzf` would, into a directory of its own.
  const bundle = result.bundle as { location: string };
  files = new Map();
  const ex = extract();
  dir = mkdtempSync(join(tmpdir(), 'page-unpacked-'));
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      const content = Buffer.concat(chunks);
      const path = join(dir, header.name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      files.set(header.name.replace(/^[^/]+\//, ''), content.toString('utf8'));
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    Readable.from(readFileSync(bundle.location)).pipe(createGunzip()).pipe(ex);
  });
});
afterAll(async () => {
  await sim?.close();
});

const pagePath = () => join(dir, `prod-eks-1-${result.runId}`, 'summary.html');

describe('the bundle with the picture', () => {
  it('has the chart, its data, the Deployment as read, the config without e-mail addresses, and the runbook', () => {
    expect(result.notification).toMatchObject({ kind: 'firing', status: 'sent' });
    const svg = files.get('error-rate.svg') ?? '';
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('threshold 10%');
    expect(svg).toContain('for 10m');
    expect(svg).toContain(
      `onset ${new Date(NOW.getTime() - ONSET_MINUTES_AGO * 60_000).toISOString().slice(11, 16)}`,
    );
    expect(svg).toMatch(
      /<title>[^<]*operator rollout: ReplicaSet tenant-operator-controller-manager-8e1a2b3c4d \(revision 4\)/,
    );
    expect(svg.match(/FailedSync tenants-/g)?.length).toBeGreaterThanOrEqual(3);

    const csv = (files.get('error-rate.csv') ?? '').split('\n');
    expect(csv[0]).toBe('time,error_rate');
    expect(csv).toHaveLength(361 + 2); // header, 361 rows, the final newline
    expect(csv.filter((row) => row.endsWith(','))).toHaveLength(2); // the gap is empty, not zero

    const deployment = files.get('operator-deployment.yaml') ?? '';
    expect(deployment).toContain('image: ');
    expect(deployment).toContain('--tenant-concurrency=10');
    expect(deployment).toMatch(/rolloutHistory:\n {2}- revision: \d/);
    expect(deployment).toContain('replicaSet: tenant-operator-controller-manager-8e1a2b3c4d');

    const config = files.get('config.json') ?? '';
    expect(JSON.parse(config).clusters[0].name).toBe('prod-eks-1');
    expect(config).not.toMatch(/@example\.(com|org)/);

    const manifest = JSON.parse(files.get('manifest.json') ?? '{}');
    expect(manifest.checkerVersion).toBe(CHECKER_VERSION);
    expect(manifest.runbookUrl).toBe(
      'https://docs.kubernetes-tenants.org/alert-runbooks#tenantreconciliationerrors',
    );
    expect(files.get('summary.md')).toContain('Runbook: https://docs.kubernetes-tenants.org/alert-runbooks');
  });

  it('states the version package.json states', () => {
    expect(CHECKER_VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('summary.html needs nothing but itself: no script, no request, everything escaped', () => {
    const html = files.get('summary.html') ?? '';
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|url\((?!#)|@import/i);
    // The only hyperlink is the runbook; it is followed on a click, never loaded.
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'https://docs.kubernetes-tenants.org/alert-runbooks#tenantreconciliationerrors',
    ]);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain('datasource (database) unavailable');
  });

  it('escapes what the cluster wrote, so a page cannot be made to run anything', () => {
    const svg = renderChart({
      series: { stepSeconds: 60, points: [[1, 0.2]] },
      threshold: 0.1,
      forSeconds: 600,
      evaluatedAt: new Date(1000 * 60).toISOString(),
      rollouts: [],
      warnings: [
        { at: new Date(30_000).toISOString(), label: 'x', detail: '<script>alert(1)</script> "><img src=x>' },
      ],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&#60;script&#62;');
  });
});

const chromium = findChromium();
if (!chromium && !isDebian())
  console.warn(
    '\n*** SKIPPED: summary.html in a real browser: no Chromium on this (non-Debian) machine. Install chromium to run it. ***\n',
  );

describe.skipIf(!chromium && !isDebian())('summary.html in headless Chromium', () => {
  it('renders the page with the chart from the unpacked files alone', async () => {
    expect(
      chromium,
      'Debian has the chromium package: apt-get install chromium (.ci/run does)',
    ).toBeDefined();
    const url = pathToFileURL(pagePath()).toString();
    const dom = await dumpDom(chromium as string, url);
    expect(dom.code, dom.stderr.slice(-2000)).toBe(0);
    // The browser built the chart: the SVG and its lines are in the DOM after load.
    expect(dom.stdout).toMatch(/<svg[^>]+role="img"/);
    expect(dom.stdout.match(/<path d="M/g)?.length).toBeGreaterThanOrEqual(3);
    expect(dom.stdout).toContain('Probable causes');

    const png = join(tmpdir(), `tenant-check-summary-${process.pid}.png`);
    const shot = await screenshot(chromium as string, url, png, [1200, 2400]);
    expect(shot.code, shot.stderr.slice(-2000)).toBe(0);
    expect(statSync(png).size).toBeGreaterThan(20_000);
    const image = decodePng(readFileSync(png));
    expect(image.width).toBe(1200);
    // What a person sees: the red banner, the blue line of the error rate, its red part above the
    // threshold, and the shaded `for` window.
    expect(countColor(image, [207, 34, 46]), 'red: banner, threshold and the line above it').toBeGreaterThan(
      2000,
    );
    expect(countColor(image, [31, 111, 235]), 'blue: the error rate below the threshold').toBeGreaterThan(
      150,
    );
    expect(countColor(image, [253, 236, 224], 8), 'orange tint: the for window').toBeGreaterThan(1000);
    console.log(`summary.html screenshot: ${png}`);
  });
});
