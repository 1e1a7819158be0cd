/**
 * The escalation bundle: the runbook's "Escalation" list, built from what the cycle already read (the
 * cluster is not asked again), redacted before it leaves memory, as one tar.gz made with tar-stream
 * and zlib, streamed, with a size cap and a note wherever something was cut. The next level of
 * support opens it without touching the cluster.
 */
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import type { CheckerConfig } from '../config.js';
import type { Notice } from '../model/alert.js';
import { CAUSES } from '../model/causes.js';
import type { Finding } from '../model/finding.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { Verdict } from '../model/verdict.js';
import { CHECKER_VERSION } from '../version.js';
import { configJson, notificationJson, notificationText, operatorDeploymentYaml } from './bundle-extras.js';
import { chartInputFrom, renderChart, seriesCsv } from './chart.js';
import type { Notification } from './notifier.js';
import { redact } from './redact.js';
import { renderSummaryHtml } from './summary-html.js';
import { timelineOf } from './timeline.js';

/** The bundle's cap before compression; each file is cut to its share, with a note. */
export const BUNDLE_MAX_BYTES = 48 * 1024 * 1024;
const FILE_MAX_BYTES = 16 * 1024 * 1024;
export const OPERATOR_LOG_LINES = 5000;

export interface BundleInput {
  snapshot: ClusterSnapshot;
  findings: Finding[];
  verdict: Verdict;
  runId: string;
  at: string;
  alertName: string;
  notice?: Notice;
  alertSince?: string;
  /** The configuration the cycle ran with (its e-mail addresses are left out of the bundle). */
  config?: CheckerConfig;
  /** The notification as it is published, carrying this bundle's link. */
  notification?: Notification;
}

export interface BundleFile {
  name: string;
  size: number;
  sha256: string;
  truncated?: string;
}

export interface Bundle {
  body: Buffer;
  files: BundleFile[];
}

/** The caps, BUNDLE_MAX_BYTES and 16 MiB a file unless set (tests set them small). */
export interface BundleLimits {
  bundleMaxBytes?: number;
  fileMaxBytes?: number;
}

/** Files whose newest lines are at the end and matter most: a cut drops their oldest lines. */
const NEWEST_LAST = new Set(['operator.log', 'events.txt']);

/**
 * The newest `room` bytes of a text, from its first whole line: a log cut keeps what is nearest the
 * incident. The note saying what was cut goes first, where a reader starts.
 */
export function keepNewest(text: string, room: number, note: string): string {
  const data = Buffer.from(text, 'utf8');
  const header = `[truncated: ${note}; the oldest lines were cut]\n`;
  const keep = Math.max(0, room - Buffer.byteLength(header));
  let tail = data.subarray(data.length - keep).toString('utf8');
  const newline = tail.indexOf('\n');
  if (keep < data.length && newline >= 0) tail = tail.slice(newline + 1);
  return header + tail;
}

const mi = (b?: number) => (b === undefined ? '-' : `${Math.round(b / 2 ** 20)}Mi`);
const milli = (c?: number) => (c === undefined ? '-' : `${Math.round(c * 1000)}m`);
const unreadNote = (name: string, r: { ok: boolean; error?: { kind: string; message: string } }) =>
  `# ${name} could not be read: ${r.error?.kind}: ${r.error?.message}\n`;

function operatorLog(s: ClusterSnapshot, maxBytes: number): string {
  if (!s.operatorLogs.ok) return unreadNote('operator logs', s.operatorLogs);
  const streams = s.operatorLogs.data.streams;
  // Each stream gets its share of the file, and keeps its newest lines in it: the previous
  // container's crash is not pushed out by the current container's chatter.
  const share = Math.floor(maxBytes / Math.max(1, streams.length)) - 256;
  const parts = streams.map((st) => {
    const lines = st.text.split('\n');
    let kept = lines.slice(Math.max(0, lines.length - OPERATOR_LOG_LINES - 1)).join('\n');
    if (Buffer.byteLength(kept) > share)
      kept = keepNewest(kept, share, `this stream cut to its ${share}-byte share of the file`);
    return `==> ${st.pod}/${st.container}${st.previous ? ' (previous container)' : ''}: last ${Math.min(st.lines, OPERATOR_LOG_LINES)} lines <==\n${kept}`;
  });
  const unread = s.operatorLogs.data.unread.map(
    (u) => `==> ${u.pod}/${u.container}${u.previous ? ' (previous)' : ''}: not read: ${u.error} <==\n`,
  );
  return [...parts, ...unread].join('\n');
}

function operatorPods(s: ClusterSnapshot): string {
  if (!s.operatorPods.ok) return unreadNote('operator pods', s.operatorPods);
  const usage = s.podMetrics.ok ? s.podMetrics.data : [];
  const events = s.events.ok ? s.events.data.recent.filter((e) => e.namespace === s.operator.namespace) : [];
  return s.operatorPods.data.pods
    .map((p) => {
      const lines = [
        `Name:         ${p.name}`,
        `Namespace:    ${s.operator.namespace}`,
        `Node:         ${p.nodeName ?? '-'}`,
        `Start Time:   ${p.startTime ?? '-'}`,
        `Status:       ${p.phase}`,
        `Ready:        ${p.ready}`,
        `Controlled By: ReplicaSet/${p.replicaSet ?? '-'}`,
        'Containers:',
      ];
      for (const c of p.containers) {
        const u = usage.find((x) => x.pod === p.name && x.container === c.name)?.usage;
        lines.push(
          `  ${c.name}:`,
          `    State:          ${c.current.state}${c.current.reason ? ` (${c.current.reason})` : ''}${c.current.startedAt ? ` since ${c.current.startedAt}` : ''}`,
          `    Last State:     ${c.last ? `${c.last.state}${c.last.reason ? ` (${c.last.reason})` : ''}${c.last.exitCode !== undefined ? `, exit code ${c.last.exitCode}` : ''}${c.last.finishedAt ? `, finished ${c.last.finishedAt}` : ''}` : '-'}`,
          `    Ready:          ${c.ready}`,
          `    Restart Count:  ${c.restartCount}`,
          `    Requests:       cpu ${milli(c.requests.cpu)}, memory ${mi(c.requests.memory)}`,
          `    Limits:         cpu ${milli(c.limits.cpu)}, memory ${mi(c.limits.memory)}`,
          `    Usage:          ${u ? `cpu ${milli(u.cpu)}, memory ${mi(u.memory)}` : 'not available'}`,
        );
      }
      lines.push(
        'Events:',
        ...events
          .filter((e) => e.name === p.name)
          .map((e) => `  ${e.type}  ${e.reason}  ${e.lastTime}  ${e.message}`),
      );
      return lines.join('\n');
    })
    .join('\n\n');
}

function operatorMetrics(s: ClusterSnapshot): string {
  if (!s.metrics.ok) return unreadNote('the metrics source', s.metrics);
  return `# The metrics as evaluated by the checker (source: ${s.metrics.data.source}); the runbook's port-forward to :8080 is not where the operator serves them.\n${JSON.stringify(s.metrics.data, null, 2)}\n`;
}

function apiServerHealth(s: ClusterSnapshot): string {
  if (!s.apiServerHealth.ok) return unreadNote('API server health', s.apiServerHealth);
  return s.apiServerHealth.data.probes
    .map((p) =>
      'status' in p
        ? `GET ${p.path}: HTTP ${p.status} in ${p.elapsedMs} ms\n${p.body}`
        : `GET ${p.path}: ${p.kind}: ${p.error}`,
    )
    .join('\n\n');
}

function nodes(s: ClusterSnapshot): { list: string; resources: string } {
  if (!s.nodes.ok) {
    const note = unreadNote('nodes', s.nodes);
    return { list: note, resources: note };
  }
  const n = s.nodes.data.nodes;
  const list = [
    'NAME\tSTATUS\tPRESSURE\tVERSION',
    ...n.map(
      (x) =>
        `${x.name}\t${x.ready === 'True' ? 'Ready' : 'NotReady'}${x.unschedulable ? ',SchedulingDisabled' : ''}\t${x.pressures.join(',') || '-'}\t${x.kubeletVersion ?? '-'}`,
    ),
  ].join('\n');
  const pct = (a?: number, b?: number) => (a !== undefined && b ? `${Math.round((a / b) * 100)}%` : '-');
  const resources = [
    `NAME\tCPU(requested/allocatable)\tMEMORY(requested/allocatable)\tPODS\tCPU(used)\tMEMORY(used)${s.nodes.data.usageUnavailable ? `\t# usage: ${s.nodes.data.usageUnavailable}` : ''}`,
    ...n.map(
      (x) =>
        `${x.name}\t${milli(x.requested.cpu)}/${milli(x.allocatable.cpu)} (${pct(x.requested.cpu, x.allocatable.cpu)})\t${mi(x.requested.memory)}/${mi(x.allocatable.memory)} (${pct(x.requested.memory, x.allocatable.memory)})\t${x.requested.pods}/${x.allocatable.pods ?? '-'}\t${milli(x.usage?.cpu)}\t${mi(x.usage?.memory)}`,
    ),
    ...(s.nodes.data.requestsIncomplete
      ? [`# requests are a lower bound: ${s.nodes.data.requestsIncomplete}`]
      : []),
  ].join('\n');
  return { list, resources };
}

function events(s: ClusterSnapshot): string {
  if (!s.events.ok) return unreadNote('events', s.events);
  const sorted = [...s.events.data.recent].sort((a, b) => (a.lastTime ?? '').localeCompare(b.lastTime ?? ''));
  return [
    'LAST SEEN\tTYPE\tREASON\tOBJECT\tCOUNT\tMESSAGE',
    ...sorted.map(
      (e) =>
        `${e.lastTime ?? '-'}\t${e.type}\t${e.reason ?? '-'}\t${e.namespace ?? ''}/${e.kind ?? ''}/${e.name ?? ''}\t${e.count}\t${e.message ?? ''}`,
    ),
  ].join('\n');
}

function tenantsSample(s: ClusterSnapshot, stringify: (value: unknown) => string): string {
  if (!s.tenants.ok) return unreadNote('tenants', s.tenants);
  const t = s.tenants.data;
  return stringify({
    kind: `${t.kind}Sample`,
    note: `a status-focused sample: counts over all ${t.total}, names of the first ${t.notReady.length} not ready`,
    counts: {
      total: t.total,
      ready: t.byReady,
      degraded: t.degraded,
      conflicted: t.conflicted,
      notReadyByReason: t.notReadyByReason,
    },
    notReady: t.notReady,
    registries: s.registries.ok ? s.registries.data : `not read: ${s.registries.error.message}`,
  });
}

function summary(input: BundleInput): string {
  const { snapshot: s, verdict: v } = input;
  const lines = [
    `# ${input.alertName} on ${s.cluster}`,
    '',
    `Run ${input.runId} at ${input.at}, tenant-check ${CHECKER_VERSION}. The same with the chart: summary.html.`,
    '',
  ];
  lines.push(
    `- Error rate: ${v.errorRate === null ? 'unknown' : `${(v.errorRate * 100).toFixed(1)}%`}${v.sustained ? ', sustained' : ''}`,
  );
  lines.push(
    `- Sources read: ${Math.round(v.coverage * 100)}%${v.unread.length > 0 ? ` (not read: ${v.unread.join(', ')})` : ''}`,
  );
  lines.push('', '## Probable causes', '');
  if (v.causes.length === 0)
    lines.push('None named: the evidence is not strong enough, or the error rate is unknown.');
  for (const c of v.causes) {
    lines.push(
      `### ${c.id}${c.id !== 'none' ? `: ${CAUSES[c.id].title}` : ''} (confidence ${Math.round(c.confidence * 100)}%)`,
      '',
      ...c.evidence.map((e) => `- ${e}`),
      '',
    );
    const steps = input.findings.find((f) => f.cause === c.id && f.remediation.length > 0)?.remediation ?? [];
    if (steps.length > 0)
      lines.push(
        "Resolution (the runbook, with this cluster's names):",
        '',
        ...steps.map((st, i) => `${i + 1}. ${st}`),
        '',
      );
  }
  lines.push('## Timeline', '');
  const timeline = timelineOf(s, input.alertSince);
  lines.push(...timeline.map(([t, what]) => `- ${t}: ${what}`), '');
  lines.push(
    '## Findings',
    '',
    ...input.findings.map((f) => `- [${f.status}] ${f.check}: ${f.summary}${f.cause ? ` (${f.cause})` : ''}`),
    '',
  );
  if (input.config) lines.push(`Runbook: ${input.config.notifications.runbookUrl}`, '');
  return lines.join('\n');
}

/** Builds the files, redacts them, and packs them into one tar.gz within the size cap. */
export async function buildBundle(input: BundleInput, limits: BundleLimits = {}): Promise<Bundle> {
  const bundleMax = limits.bundleMaxBytes ?? BUNDLE_MAX_BYTES;
  const fileMax = limits.fileMaxBytes ?? FILE_MAX_BYTES;
  // Loaded here, not at the module's top: only a firing cycle builds a bundle, and the Lambda's cold
  // start should not pay for parsing them (esbuild keeps them in the one file, evaluated on first use).
  const [tarStream, yaml] = await Promise.all([import('tar-stream'), import('yaml')]);
  // Both load as CommonJS for Node: imported, their functions are named exports (Node, and the Lambda's
  // single-file bundle) or only properties of `default` (the CLI's bundle, split into chunks).
  const pack = tarStream.pack ?? tarStream.default.pack;
  const stringify = yaml.stringify ?? (yaml as unknown as { default: typeof yaml }).default.stringify;
  const s = input.snapshot;
  const node = nodes(s);
  const threshold = input.config?.alert.threshold ?? (s.metrics.ok ? s.metrics.data.threshold : 0.1);
  const chartInput = chartInputFrom(s, threshold, input.config?.alert.for ?? 600);
  const chartSvg = renderChart(chartInput);
  const contents: [string, string][] = [
    ['summary.md', summary(input)],
    ['summary.html', ''],
    ['error-rate.svg', chartSvg],
    ['error-rate.csv', seriesCsv(chartInput)],
    [
      'findings.json',
      JSON.stringify(
        { verdict: input.verdict, findings: input.findings.map(({ weight: _w, ...f }) => f) },
        null,
        2,
      ),
    ],
    ['operator.log', operatorLog(s, fileMax)],
    ['operator-pods.txt', operatorPods(s)],
    ['operator-metrics.txt', operatorMetrics(s)],
    ['apiserver-health.txt', apiServerHealth(s)],
    [
      'apiserver-metrics.txt',
      s.apiServerMetrics.ok
        ? s.apiServerMetrics.data.text
        : unreadNote('API server metrics', s.apiServerMetrics),
    ],
    ['nodes.txt', node.list],
    ['nodes-resources.txt', node.resources],
    ['events.txt', events(s)],
    ['tenants-sample.yaml', tenantsSample(s, stringify)],
    ['operator-deployment.yaml', operatorDeploymentYaml(s)],
    ...(input.config ? ([['config.json', configJson(input.config)]] as [string, string][]) : []),
    ...(input.notification
      ? ([
          ['notification.txt', notificationText(input.notification)],
          ['notification.json', notificationJson(input.notification)],
        ] as [string, string][])
      : []),
  ];
  // The page lists the other files, so it is made once their names are known.
  const page = contents.find(([name]) => name === 'summary.html') as [string, string];
  page[1] = renderSummaryHtml({
    snapshot: s,
    findings: input.findings,
    verdict: input.verdict,
    runId: input.runId,
    at: input.at,
    alertName: input.alertName,
    ...(input.notice ? { notice: input.notice } : {}),
    ...(input.alertSince ? { alertSince: input.alertSince } : {}),
    threshold,
    chartSvg,
    ...(input.config ? { runbookUrl: input.config.notifications.runbookUrl } : {}),
    checkerVersion: CHECKER_VERSION,
    files: [...contents.map(([name]) => name), 'manifest.json'],
  });
  const tar = pack();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('data', (c: Buffer) => chunks.push(c));
    gzip.on('end', () => resolve());
    gzip.on('error', reject);
    tar.on('error', reject);
  });
  tar.pipe(gzip);
  const files: BundleFile[] = [];
  let total = 0;
  const add = (name: string, raw: string, truncated?: string) => {
    // Every file is text, and every text file ends with a newline.
    const text = raw.endsWith('\n') ? raw : `${raw}\n`;
    const data = Buffer.from(text, 'utf8');
    tar.entry(
      { name: `${s.cluster}-${input.runId}/${name}`, size: data.length, mtime: new Date(input.at) },
      data,
    );
    files.push({
      name,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      ...(truncated ? { truncated } : {}),
    });
    total += data.length;
  };
  for (const [name, raw] of contents) {
    let text = redact(raw);
    let truncated: string | undefined;
    const room = Math.max(0, Math.min(fileMax, bundleMax - total - 64 * 1024));
    if (Buffer.byteLength(text) > room) {
      truncated = `cut to ${room} of ${Buffer.byteLength(text)} bytes (bundle cap ${bundleMax}, file cap ${fileMax})`;
      text = NEWEST_LAST.has(name)
        ? keepNewest(text, room, truncated)
        : `${Buffer.from(text).subarray(0, room).toString('utf8')}\n[truncated: ${truncated}]\n`;
    }
    add(name, text, truncated);
  }
  const unread = Object.entries(s)
    .filter(([, v]) => v && typeof v === 'object' && 'ok' in v && !(v as { ok: boolean }).ok)
    .map(([source, v]) => ({ source, ...(v as { error: { kind: string; message: string } }).error }));
  // Sources read only after retries, or whose list was restarted: what the reads went through.
  const recovered = Object.entries(s)
    .filter(([, v]) => v && typeof v === 'object' && 'ok' in v && ('tries' in v || 'notes' in v))
    .map(([source, v]) => {
      const { tries, notes } = v as { tries?: number; notes?: string[] };
      return { source, ...(tries ? { tries } : {}), ...(notes ? { notes } : {}) };
    });
  add(
    'manifest.json',
    redact(
      JSON.stringify(
        {
          cluster: s.cluster,
          runId: input.runId,
          at: input.at,
          checkerVersion: CHECKER_VERSION,
          ...(input.config ? { runbookUrl: input.config.notifications.runbookUrl } : {}),
          files,
          unreadSources: unread,
          ...(recovered.length > 0 ? { readNotes: recovered } : {}),
        },
        null,
        2,
      ),
    ),
  );
  tar.finalize();
  await done;
  return { body: Buffer.concat(chunks), files };
}

export function bundleKey(cluster: string, runId: string, at: string): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `bundles/${cluster}/${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${runId}.tar.gz`;
}
