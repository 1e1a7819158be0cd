/**
 * The picture of the incident, drawn as SVG text (no browser, no canvas, no dependency): the
 * runbook's error rate over the look-back (the series the checker already read to find the onset),
 * the threshold, the `for` window shaded, the onset, and the operator's rollouts and the warning
 * events as marks on the time axis. Also the series as CSV. Times are UTC.
 */
import type { MetricsEvaluation } from '../model/metrics.js';
import type { ClusterSnapshot } from '../model/snapshot.js';

export interface ChartMark {
  at: string;
  label: string;
  /** Longer text, shown as the mark's tooltip. */
  detail?: string;
}

export interface ChartInput {
  series: { stepSeconds: number; points: [number, number | null][] } | undefined;
  /** Why there is no series, when there is none. */
  missing?: string;
  threshold: number;
  forSeconds: number;
  evaluatedAt: string;
  onset?: string | null;
  rollouts: ChartMark[];
  warnings: ChartMark[];
}

const W = 960;
const H = 372;
const PLOT = { left: 64, right: 928, top: 56, bottom: 296 };
const COLORS = {
  line: '#1f6feb',
  above: '#cf222e',
  area: '#1f6feb',
  threshold: '#cf222e',
  window: '#f0883e',
  onset: '#8250df',
  rollout: '#0a7d3b',
  warning: '#bf8700',
  grid: '#d0d7de',
  axis: '#57606a',
  text: '#24292f',
};
const FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif\"";

/** Text for XML and HTML: markup characters as references, and the control characters XML 1.0 forbids dropped. */
export function escapeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 && ch !== '\t' && ch !== '\n' && ch !== '\r') continue;
    out += ch === '<' || ch === '>' || ch === '&' || ch === '"' || ch === "'" ? `&#${code};` : ch;
  }
  return out;
}

const pct = (ratio: number) => {
  const p = ratio * 100;
  return `${p >= 10 || Number.isInteger(p) ? p.toFixed(0) : p.toFixed(1)}%`;
};
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

/** The chart's input from what the cycle read. */
export function chartInputFrom(s: ClusterSnapshot, threshold: number, forSeconds: number): ChartInput {
  const m: MetricsEvaluation | undefined = s.metrics.ok ? s.metrics.data : undefined;
  const rollouts: ChartMark[] = s.operatorDeployment.ok
    ? s.operatorDeployment.data.replicaSets
        .filter((rs) => rs.createdAt)
        .map((rs) => ({
          at: rs.createdAt as string,
          label: `rev ${rs.revision ?? '?'}`,
          detail: `operator rollout: ReplicaSet ${rs.name} (revision ${rs.revision ?? '?'}${rs.image ? `, ${rs.image}` : ''})`,
        }))
    : [];
  const warnings: ChartMark[] = s.events.ok
    ? s.events.data.recent
        .filter((e) => e.type === 'Warning' && e.lastTime)
        .map((e) => ({
          at: e.lastTime as string,
          label: e.reason ?? 'Warning',
          detail: `${e.reason ?? 'Warning'} ${e.namespace ?? ''}/${e.name ?? ''}: ${e.message ?? ''}`,
        }))
    : [];
  return {
    series: m?.errorRateSeries,
    ...(m
      ? m.errorRateSeries
        ? {}
        : { missing: 'the metrics source kept no history of the error rate yet' }
      : {
          missing: s.metrics.ok ? 'no metrics' : `the metrics could not be read: ${s.metrics.error.message}`,
        }),
    threshold: m?.threshold ?? threshold,
    forSeconds: m?.forSeconds ?? forSeconds,
    evaluatedAt: m?.evaluatedAt ?? s.collectedAt,
    onset: m?.startedAt ?? null,
    rollouts,
    warnings,
  };
}

/** The series as CSV (`time,error_rate`), empty where it was 0/0 or absent. */
export function seriesCsv(input: ChartInput): string {
  const rows = (input.series?.points ?? []).map(
    ([t, v]) => `${new Date(t * 1000).toISOString()},${v === null ? '' : Number(v.toFixed(6))}`,
  );
  return `time,error_rate\n${rows.map((r) => `${r}\n`).join('')}`;
}

function niceMax(value: number): { max: number; step: number } {
  const steps = [0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5];
  for (const step of steps) {
    const max = Math.ceil(value / step) * step;
    if (max / step <= 6) return { max: Math.max(max, step), step };
  }
  return { max: 1, step: 0.2 };
}

/** The SVG document (standalone, and inlined in summary.html). */
export function renderChart(input: ChartInput): string {
  const end = Date.parse(input.evaluatedAt);
  const points = input.series?.points ?? [];
  const firstT = points.length > 0 ? (points[0] as [number, number | null])[0] * 1000 : end - 6 * 3600_000;
  const start = Math.min(firstT, end - input.forSeconds * 1000 * 3);
  const values = points.map(([, v]) => v).filter((v): v is number => v !== null);
  const peak = Math.max(input.threshold * 1.5, ...values.map((v) => v * 1.1));
  const { max, step } = niceMax(Math.min(1, peak));
  const x = (ms: number) => PLOT.left + ((ms - start) / (end - start)) * (PLOT.right - PLOT.left);
  const y = (v: number) => PLOT.bottom - (Math.min(v, max) / max) * (PLOT.bottom - PLOT.top);
  const inRange = (ms: number) => Number.isFinite(ms) && ms >= start && ms <= end;
  const out: string[] = [];
  const label = `Error rate of the runbook's expression from ${new Date(start).toISOString()} to ${input.evaluatedAt}, threshold ${pct(input.threshold)}`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(label)}" ${FONT} font-size="12">`,
    `<title>${escapeXml(label)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="22" font-size="15" font-weight="600" fill="${COLORS.text}">Error rate (runbook expression), UTC ${new Date(start).toISOString().slice(0, 10)}${new Date(start).toISOString().slice(0, 10) !== input.evaluatedAt.slice(0, 10) ? ` to ${input.evaluatedAt.slice(0, 10)}` : ''}</text>`,
  );
  // The `for` window before the evaluation, shaded.
  const wx = x(Math.max(start, end - input.forSeconds * 1000));
  out.push(
    `<rect x="${f1(wx)}" y="${PLOT.top}" width="${f1(PLOT.right - wx)}" height="${PLOT.bottom - PLOT.top}" fill="${COLORS.window}" fill-opacity="0.16"/>`,
    `<text x="${f1((wx + PLOT.right) / 2)}" y="${PLOT.top + 14}" text-anchor="middle" font-size="11" fill="#9a4d00">for ${Math.round(input.forSeconds / 60)}m</text>`,
  );
  // Horizontal grid and the y axis.
  for (let v = 0; v <= max + 1e-9; v += step) {
    out.push(
      `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="${COLORS.grid}" stroke-width="1"/>`,
      `<text x="${PLOT.left - 8}" y="${f1(y(v) + 4)}" text-anchor="end" fill="${COLORS.axis}">${pct(v)}</text>`,
    );
  }
  // Time ticks: every hour over a long span, every 15 or 30 minutes over a short one.
  const span = end - start;
  const tick = span > 4 * 3600_000 ? 3600_000 : span > 90 * 60_000 ? 30 * 60_000 : 15 * 60_000;
  for (let t = Math.ceil(start / tick) * tick; t <= end; t += tick) {
    out.push(
      `<line x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="${COLORS.grid}" stroke-dasharray="2 4"/>`,
      `<text x="${f1(x(t))}" y="${PLOT.bottom + 18}" text-anchor="middle" fill="${COLORS.axis}">${hhmm(t)}</text>`,
    );
  }
  out.push(
    `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}" stroke="${COLORS.axis}" stroke-width="1.2"/>`,
  );

  if (points.length === 0) {
    out.push(
      `<text x="${(PLOT.left + PLOT.right) / 2}" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" font-size="14" fill="${COLORS.axis}">No error-rate series: ${escapeXml(input.missing ?? 'none was read')}</text>`,
    );
  } else {
    // The line in runs without gaps; above the threshold drawn again in red through a clip.
    const runs: string[] = [];
    const areas: string[] = [];
    let run: [number, number][] = [];
    const flush = () => {
      if (run.length === 0) return;
      const d = run.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${f1(x(t))},${f1(y(v))}`).join('');
      runs.push(d);
      const first = run[0] as [number, number];
      const last = run.at(-1) as [number, number];
      areas.push(`${d}L${f1(x(last[0]))},${PLOT.bottom}L${f1(x(first[0]))},${PLOT.bottom}Z`);
      run = [];
    };
    for (const [t, v] of points) {
      if (v === null || !inRange(t * 1000)) flush();
      else run.push([t * 1000, v]);
    }
    flush();
    const clipBottom = y(input.threshold);
    out.push(
      `<defs><clipPath id="above"><rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${f1(clipBottom - PLOT.top)}"/></clipPath></defs>`,
      `<path d="${areas.join('')}" fill="${COLORS.area}" fill-opacity="0.10"/>`,
      `<path d="${runs.join('')}" fill="none" stroke="${COLORS.line}" stroke-width="2" stroke-linejoin="round"/>`,
      `<path d="${runs.join('')}" fill="none" stroke="${COLORS.above}" stroke-width="2.4" stroke-linejoin="round" clip-path="url(#above)"/>`,
    );
  }
  // The threshold.
  const ty = y(input.threshold);
  out.push(
    `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${f1(ty)}" y2="${f1(ty)}" stroke="${COLORS.threshold}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${PLOT.left + 6}" y="${f1(ty - 6)}" font-size="11" fill="${COLORS.threshold}">threshold ${pct(input.threshold)}</text>`,
  );
  // The onset.
  const onset = input.onset ? Date.parse(input.onset) : Number.NaN;
  if (inRange(onset)) {
    out.push(
      `<line x1="${f1(x(onset))}" x2="${f1(x(onset))}" y1="${PLOT.top - 6}" y2="${PLOT.bottom}" stroke="${COLORS.onset}" stroke-width="1.6" stroke-dasharray="4 3"><title>${escapeXml(`onset: the error rate went above the threshold at ${input.onset}`)}</title></line>`,
      `<text x="${f1(x(onset))}" y="${PLOT.top - 10}" text-anchor="middle" font-size="11" font-weight="600" fill="${COLORS.onset}">onset ${hhmm(onset)}</text>`,
    );
  }
  // Marks on the time axis: rollouts (triangles, with a faint line up) and warning events (diamonds).
  const lane = (
    marks: ChartMark[],
    row: number,
    shape: 'triangle' | 'diamond',
    color: string,
    name: string,
  ) => {
    const shown = marks.filter((mk) => inRange(Date.parse(mk.at))).sort((a, b) => a.at.localeCompare(b.at));
    const cy = PLOT.bottom + 34 + row * 22;
    const earlier = marks.filter((mk) => Date.parse(mk.at) < start).length;
    out.push(
      `<text x="${PLOT.left - 8}" y="${cy + 4}" text-anchor="end" font-size="11" fill="${color}">${name}</text>`,
      `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${cy}" y2="${cy}" stroke="${COLORS.grid}" stroke-width="0.8"/>`,
      ...(earlier > 0
        ? [
            `<text x="${PLOT.left + 4}" y="${cy + 4}" font-size="10" fill="${COLORS.axis}">${earlier} earlier</text>`,
          ]
        : []),
    );
    let lastLabel = Number.NEGATIVE_INFINITY;
    for (const [i, mk] of shown.entries()) {
      const cx = x(Date.parse(mk.at));
      const tip = `<title>${escapeXml(`${mk.at} ${mk.detail ?? mk.label}`)}</title>`;
      if (shape === 'triangle') {
        out.push(
          `<line x1="${f1(cx)}" x2="${f1(cx)}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="${color}" stroke-opacity="0.35" stroke-width="1"/>`,
          `<path d="M${f1(cx)},${cy - 6}L${f1(cx + 6)},${cy + 5}L${f1(cx - 6)},${cy + 5}Z" fill="${color}">${tip}</path>`,
        );
      } else {
        out.push(
          `<path d="M${f1(cx)},${cy - 5}L${f1(cx + 5)},${cy}L${f1(cx)},${cy + 5}L${f1(cx - 5)},${cy}Z" fill="${color}" fill-opacity="0.85">${tip}</path>`,
        );
      }
      // A label only where it fits before the next mark; every mark has its tooltip.
      const next = shown[i + 1];
      const room = (next ? x(Date.parse(next.at)) : W) - cx;
      const text = mk.label.slice(0, 18);
      const width = text.length * 6 + 14;
      if (room > width && cx - lastLabel > width && cx + width < W) {
        out.push(
          `<text x="${f1(cx + 8)}" y="${cy + 4}" font-size="10" fill="${color}">${escapeXml(text)}</text>`,
        );
        lastLabel = cx;
      }
    }
  };
  lane(input.rollouts, 0, 'triangle', COLORS.rollout, 'rollouts');
  lane(input.warnings, 1, 'diamond', COLORS.warning, 'warnings');
  // Legend.
  const legend: [string, string][] = [
    [`<line x1="0" x2="18" y1="0" y2="0" stroke="${COLORS.line}" stroke-width="2"/>`, 'error rate'],
    [`<line x1="0" x2="18" y1="0" y2="0" stroke="${COLORS.above}" stroke-width="2.4"/>`, 'above threshold'],
    [`<rect x="0" y="-6" width="18" height="12" fill="${COLORS.window}" fill-opacity="0.3"/>`, 'for window'],
  ];
  let lx = PLOT.right - 330;
  for (const [symbol, text] of legend) {
    out.push(
      `<g transform="translate(${lx},18)">${symbol}<text x="24" y="4" font-size="11" fill="${COLORS.text}">${escapeXml(text)}</text></g>`,
    );
    lx += 24 + text.length * 6.4 + 18;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
