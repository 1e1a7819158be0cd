/** The compact report `tenant-check run` prints on a terminal. */

import type { CycleResult } from '../lambda/cycle.js';
import { CAUSES } from '../lambda/model/causes.js';
import { percent } from '../lambda/model/format.js';
import type { Notification } from '../lambda/sinks/notifier.js';
import { redact } from '../lambda/sinks/redact.js';

const STATUS_ORDER = { fail: 0, warn: 1, unknown: 2, ok: 3 } as const;

export function renderText(
  result: CycleResult,
  options: {
    color: boolean;
    notification?: Notification;
    /** Every message the cycle published (the runbook's alert's and the rules' groups'). */
    notifications?: Notification[];
    stateDir: string;
    alertName: string;
  },
): string {
  const c = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const bold = (t: string) => c('1', t);
  const status = {
    fail: c('31', 'FAIL'),
    warn: c('33', 'WARN'),
    unknown: c('35', 'UNKNOWN'),
    ok: c('32', 'OK'),
  };
  const v = result.verdict;
  const metrics = result.snapshot.metrics.ok ? result.snapshot.metrics.data : undefined;
  const lines: string[] = [];
  lines.push(bold(`${result.run.cluster}: ${options.alertName} is ${result.alert.state.toUpperCase()}`));
  const rate =
    v.errorRate === null
      ? `unknown${metrics?.errorRate.state === 'unknown' ? ` (${metrics.errorRate.reason})` : result.snapshot.metrics.ok ? '' : ` (${result.snapshot.metrics.error.message})`}`
      : percent(v.errorRate);
  lines.push(
    `Error rate ${rate}${v.errorRate !== null ? (v.sustained ? ', sustained over the window' : ', not sustained') : ''}${metrics?.startedAt ? `, since ${metrics.startedAt}` : ''}   (evaluated ${result.at}, ${Math.round(v.coverage * 100)}% of sources read)`,
  );
  if (metrics?.alertBlind) {
    lines.push(c('33', "Runbook alert blind: the runbook's expression does not count these failures"));
    for (const r of metrics.alertBlind.reasons) lines.push(`  ${r}`);
  }
  lines.push(...ruleLines(result, { bold, red: (t) => c('31', t), yellow: (t) => c('33', t) }));
  if (v.checker) {
    lines.push('', bold(c('31', "The checker's own access")), `  ${v.checker.summary}`);
    for (const step of v.checker.remedy) lines.push(`  - ${step}`);
  }
  lines.push('');
  lines.push(bold('Probable causes'));
  if (v.causes.length === 0)
    lines.push(
      v.checker
        ? "  none named: too little of the cluster could be read (see the checker's own access above)"
        : '  none named (the evidence is not strong enough, or the error rate is unknown)',
    );
  for (const cause of v.causes.slice(0, 3)) {
    lines.push(
      `  ${bold(cause.id)}${cause.id !== 'none' ? ` (${CAUSES[cause.id].title})` : ''}  confidence ${Math.round(cause.confidence * 100)}%`,
    );
    for (const e of cause.evidence.slice(0, 4)) lines.push(`      ${e}`);
  }
  lines.push('');
  lines.push(bold('Checks'));
  // One line per finding, grouped by check (worst first), the check's name written once.
  const byCheck = new Map<string, typeof result.findings>();
  for (const f of result.findings) byCheck.set(f.check, [...(byCheck.get(f.check) ?? []), f]);
  const worst = (list: typeof result.findings) => Math.min(...list.map((f) => STATUS_ORDER[f.status]));
  for (const [check, list] of [...byCheck.entries()].sort((a, b) => worst(a[1]) - worst(b[1]))) {
    list.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
    list.forEach((f, i) => {
      const label = options.color ? status[f.status] : f.status.toUpperCase();
      const pad = ' '.repeat(Math.max(0, 8 - f.status.length));
      lines.push(`  ${label}${pad}${(i === 0 ? check : '').padEnd(22)} ${f.summary}`);
    });
  }
  const top = v.causes[0];
  const steps =
    top && top.id !== 'none'
      ? (result.findings.find((f) => f.cause === top.id && f.remediation.length > 0)?.remediation ?? [])
      : [];
  if (steps.length > 0) {
    lines.push('');
    lines.push(bold(`What to do (the runbook's resolution for ${top?.id})`));
    steps.forEach((s, i) => {
      lines.push(`  ${i + 1}. ${s}`);
    });
  }
  lines.push('');
  if (result.bundle && !('error' in result.bundle))
    lines.push(`Escalation bundle: ${result.bundle.location}`);
  else if (result.bundle) lines.push(`No escalation bundle: ${result.bundle.error}`);
  if (result.notification?.status === 'held')
    lines.push(
      `Notification held: maintenance window ${result.notification.window}, until ${result.notification.until}`,
    );
  const published = options.notifications ?? (options.notification ? [options.notification] : []);
  if (published.length > 0) {
    lines.push('', bold(`Notification${published.length > 1 ? 's' : ''} (what would be published)`));
    for (const n of published)
      lines.push(
        `  Subject: ${n.subject}${n.attributes.severity ? `  [severity ${n.attributes.severity}]` : ''}`,
      );
  }
  lines.push(`Run ${result.runId}, stored in ${options.stateDir}`);
  // Reasons quote servers' answers: redacted like everything else that is printed.
  return `${redact(lines.join('\n'))}\n`;
}

/**
 * The alerting rules: firing and pending groups first, each with its severity, count and the
 * rule's own summary; the rest counted in one line, and what could not be evaluated said once.
 */
function ruleLines(
  result: CycleResult,
  c: { bold: (t: string) => string; red: (t: string) => string; yellow: (t: string) => string },
): string[] {
  const rules = (result.run.alerts ?? []).filter((a) => a.source === 'rule');
  if (rules.length === 0 && result.ruleNotices.length === 0) return [];
  const lines = ['', c.bold(`Alerting rules (${rules.length} evaluated)`)];
  for (const a of rules.filter((r) => r.state === 'firing' || r.state === 'pending')) {
    const group = result.groups.find((g) => g.group.fingerprint === a.fingerprint)?.group;
    const summary = group?.commonAnnotations.summary ?? group?.leadAnnotations.summary;
    const state = a.state === 'firing' ? c.red('FIRING') : c.yellow('PENDING');
    lines.push(
      `  ${state}${a.state === 'firing' ? ' ' : ''} ${a.name} (${a.severity ?? 'no severity'}): ${a.instances} alert${a.instances === 1 ? '' : 's'}${a.activeAt ? ` since ${a.activeAt}` : ''}`,
    );
    if (summary) lines.push(`      ${summary}${a.instances > 1 ? `, and ${a.instances - 1} more` : ''}`);
  }
  const count = (state: string) => rules.filter((r) => r.state === state).length;
  const rest = ['resolved', 'inactive', 'unknown']
    .map((state) => [state, count(state)] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  if (rest.length > 0) lines.push(`  ${rest.join(', ')}`);
  for (const notice of result.ruleNotices) lines.push(`  ${notice}`);
  return lines;
}
