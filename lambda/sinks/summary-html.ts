/**
 * `summary.html`: the summary, the chart and the findings as one page that opens from the unpacked
 * bundle on any machine: everything inline (CSS, the SVG), no script, no request to the network
 * (a Content-Security-Policy forbids both). Every text from the cluster is escaped.
 */
import type { Notice } from '../model/alert.js';
import { CAUSES } from '../model/causes.js';
import type { Finding } from '../model/finding.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { Verdict } from '../model/verdict.js';
import { escapeXml } from './chart.js';
import { timelineOf } from './timeline.js';

export interface SummaryPage {
  snapshot: ClusterSnapshot;
  findings: Finding[];
  verdict: Verdict;
  runId: string;
  at: string;
  alertName: string;
  notice?: Notice;
  alertSince?: string;
  threshold: number;
  chartSvg: string;
  runbookUrl?: string;
  checkerVersion: string;
  /** The other files of the bundle, to point at. */
  files: string[];
}

const e = escapeXml;
const percent = (r: number | null | undefined) =>
  r === null || r === undefined ? 'unknown' : `${(r * 100).toFixed(1)}%`;

const STATE = {
  firing: ['FIRING', 'firing'],
  repeat: ['FIRING', 'firing'],
  resolved: ['RESOLVED', 'resolved'],
  blind: ['CHECKER BLIND', 'blind'],
  unblind: ['CHECKER SEES AGAIN', 'resolved'],
} as const;

const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa;
  --fail: #cf222e; --warn: #9a6700; --unknown: #8250df; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1000px; margin: 0 auto; padding: 0 24px 48px; }
header.banner { padding: 20px 24px; color: #fff; }
header.banner .inner { max-width: 1000px; margin: 0 auto; padding: 0 24px; }
header.firing { background: linear-gradient(90deg, #a40e26, #cf222e); }
header.blind { background: linear-gradient(90deg, #6e4b00, #9a6700); }
header.resolved, header.none { background: linear-gradient(90deg, #116329, #1a7f37); }
header .state { display: inline-block; font-weight: 700; letter-spacing: .06em; font-size: 12px; padding: 2px 10px; border: 1px solid rgba(255,255,255,.7); border-radius: 999px; }
header h1 { margin: 6px 0 2px; font-size: 26px; }
header p { margin: 0; opacity: .92; }
.facts { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 20px 0 8px; }
.fact { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.fact .k { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.fact .v { font-size: 22px; font-weight: 650; line-height: 1.25; }
.fact .n { font-size: 12.5px; color: var(--muted); }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; padding: 4px 8px 0; }
.cause { border: 1px solid var(--line); border-left: 4px solid var(--fail); border-radius: 6px; padding: 10px 16px; margin: 10px 0; }
.cause.none { border-left-color: var(--ok); }
.cause h3 { margin: 0 0 4px; font-size: 16px; }
.cause code { background: var(--bg); padding: 1px 5px; border-radius: 4px; }
.bar { height: 6px; background: var(--bg); border-radius: 3px; overflow: hidden; margin: 4px 0 8px; max-width: 320px; }
.bar span { display: block; height: 100%; background: var(--fail); }
.cause.none .bar span { background: var(--ok); }
ul.evidence { margin: 4px 0; padding-left: 20px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
ol.steps { margin: 6px 0; padding-left: 22px; }
ol.steps li { margin: 2px 0; }
table { width: 100%; border-collapse: collapse; font-size: 13.5px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--bg); font-weight: 600; }
td.t { white-space: nowrap; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; color: var(--muted); }
.badge { display: inline-block; min-width: 58px; text-align: center; font-size: 11px; font-weight: 700; padding: 1px 6px; border-radius: 999px; color: #fff; }
.badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); }
.badge.unknown { background: var(--unknown); } .badge.ok { background: var(--ok); }
footer { margin-top: 32px; color: var(--muted); font-size: 13px; }
.files { columns: 3; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
@media print { header.banner { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
`;

export function renderSummaryHtml(p: SummaryPage): string {
  const s = p.snapshot;
  const v = p.verdict;
  const m = s.metrics.ok ? s.metrics.data : undefined;
  const [stateText, stateClass] = p.notice ? STATE[p.notice.kind] : (['CHECK', 'none'] as const);
  const title = `${stateText}: ${p.alertName} on ${s.cluster}`;
  const order = { fail: 0, warn: 1, unknown: 2, ok: 3 } as const;
  const findings = [...p.findings].sort((a, b) => order[a.status] - order[b.status]);
  const forText = m ? `for ${Math.round(m.forSeconds / 60)}m` : '';
  const onsetAgo = m?.startedAt
    ? Math.round((Date.parse(p.at) - Date.parse(m.startedAt)) / 60_000)
    : undefined;
  const facts: [string, string, string][] = [
    [
      'Error rate',
      percent(v.errorRate),
      v.errorRate === null ? '' : v.sustained ? `sustained ${forText}` : 'not sustained',
    ],
    ['Threshold', percent(p.threshold), forText ? `above it ${forText} fires` : ''],
    [
      'Onset',
      m?.startedAt ? `${m.startedAt.slice(11, 16)} UTC` : '-',
      onsetAgo !== undefined ? `${onsetAgo} min before this run` : 'not above the threshold now',
    ],
    [
      'Sources read',
      `${Math.round(v.coverage * 100)}%`,
      v.unread.length > 0 ? `${v.unread.length} not read` : 'all of them',
    ],
  ];
  const causes = v.causes.map((c) => {
    const steps = p.findings.find((f) => f.cause === c.id && f.remediation.length > 0)?.remediation ?? [];
    return `<div class="cause${c.id === 'none' ? ' none' : ''}">
<h3><code>${e(c.id)}</code> ${c.id !== 'none' ? e(CAUSES[c.id].title) : 'nothing found'}</h3>
<div>confidence ${Math.round(c.confidence * 100)}%</div><div class="bar"><span style="width:${Math.round(c.confidence * 100)}%"></span></div>
<ul class="evidence">${c.evidence.map((x) => `<li>${e(x)}</li>`).join('')}</ul>
${steps.length > 0 ? `<div><strong>Resolution</strong> (the runbook, with this cluster's names):</div><ol class="steps">${steps.map((x) => `<li>${e(x)}</li>`).join('')}</ol>` : ''}
</div>`;
  });
  const timeline = timelineOf(s, p.alertSince);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(title)} (run ${e(p.runId)})</title>
<style>${CSS}</style>
</head>
<body>
<header class="banner ${stateClass}"><div class="inner">
<span class="state">${e(stateText)}</span>
<h1>${e(p.alertName)} on ${e(s.cluster)}</h1>
<p>Run ${e(p.runId)} at ${e(p.at)}${p.alertSince ? ` · alert in this state since ${e(p.alertSince)}` : ''}</p>
</div></header>
<main>
<section class="facts">${facts.map(([k, val, note]) => `<div class="fact"><div class="k">${e(k)}</div><div class="v">${e(val)}</div><div class="n">${e(note)}</div></div>`).join('')}</section>
${m?.alertBlind ? `<p><strong>The runbook's alert is blind here:</strong> ${m.alertBlind.reasons.map(e).join('; ')}</p>` : ''}
${v.unread.length > 0 ? `<p>Not read: ${v.unread.map(e).join(', ')} (see manifest.json for why).</p>` : ''}
<h2>Error rate</h2>
<figure>
${p.chartSvg.trim()}
<figcaption>The runbook's expression at a ${m?.errorRateSeries ? `${Math.round(m.errorRateSeries.stepSeconds / 60) || 1}-minute` : ''} step; the shaded band is the alert's <code>for</code> window; marks below the axis are the operator's rollouts and the warning events. Data: error-rate.csv.</figcaption>
</figure>
<h2>Probable causes</h2>
${causes.length > 0 ? causes.join('\n') : '<p>None named: the evidence is not strong enough, or the error rate is unknown.</p>'}
<h2>Timeline (UTC)</h2>
<table><thead><tr><th>Time</th><th>What happened</th></tr></thead><tbody>
${timeline.map(([t, what]) => `<tr><td class="t">${e(t)}</td><td>${e(what)}</td></tr>`).join('\n')}
</tbody></table>
<h2>Findings</h2>
<table><thead><tr><th>Status</th><th>Check</th><th>Summary</th><th>Cause</th></tr></thead><tbody>
${findings
  .map(
    (f) =>
      `<tr><td><span class="badge ${f.status}">${f.status.toUpperCase()}</span></td><td>${e(f.check)}</td><td>${e(f.summary)}${
        f.evidence.length > 0
          ? `<ul class="evidence">${f.evidence
              .slice(0, 3)
              .map((x) => `<li>${e(x)}</li>`)
              .join('')}</ul>`
          : ''
      }</td><td>${f.cause ? `<code>${e(f.cause)}</code>` : ''}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<h2>In this bundle</h2>
<div class="files">${p.files.map((f) => `<div>${e(f)}</div>`).join('')}</div>
<footer>
${p.runbookUrl ? `<p>Runbook: <a href="${e(p.runbookUrl)}">${e(p.runbookUrl)}</a></p>` : ''}
<p>Made by tenant-check ${e(p.checkerVersion)} from what one check cycle read; secrets are redacted. Every file's SHA-256 is in manifest.json.</p>
</footer>
</main>
</body>
</html>
`;
}
