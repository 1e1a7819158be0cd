/** The notification's words: what state, how bad, since when, why, what to do, where the evidence is. */
import { heldLines } from '../alert/maintenance.js';
import type { AlertGroup } from '../alert/rules/grouping.js';
import type { AlertState, Notice } from '../model/alert.js';
import { CAUSES } from '../model/causes.js';
import type { Finding } from '../model/finding.js';
import type { Verdict } from '../model/verdict.js';
import { type BundleReach, bundleLines } from './bundle-lines.js';
import { withProtocols } from './chat-message.js';
import type { Notification } from './notifier.js';
import { instanceLines, ruleLead, ruleRunbook } from './rule-lines.js';

const MAX_SUBJECT = 99;
/** SNS takes 256 KB; the body stays well inside it with room for the attributes. */
export const MAX_BODY_BYTES = 240 * 1024;

export interface MessageInput {
  cluster: string;
  alertName: string;
  notice: Notice;
  alert: AlertState;
  verdict: Verdict;
  findings: Finding[];
  runId: string;
  at: string;
  threshold: number;
  runbookUrl: string;
  bundle?: BundleReach;
  /** Set when the message is about an alerting rule's group rather than the runbook's alert. */
  rule?: AlertGroup;
}

const percent = (r: number | null) => (r === null ? 'unknown' : `${Math.round(r * 1000) / 10}%`);

export function renderNotification(m: MessageInput): Notification {
  const top = m.verdict.causes[0];
  const topTitle = top && top.id !== 'none' ? CAUSES[top.id].title : undefined;
  const state = {
    firing: 'FIRING',
    repeat: 'FIRING',
    resolved: 'RESOLVED',
    blind: 'CHECKER BLIND',
    unblind: 'CHECKER SEES AGAIN',
  }[m.notice.kind];
  const alerts = m.rule && m.notice.kind !== 'resolved' ? m.rule.counts.firing : 0;
  const rate = m.rule
    ? [m.rule.severity, alerts > 0 ? `${alerts} alert${alerts === 1 ? '' : 's'}` : '']
        .filter(Boolean)
        .join(', ')
    : m.notice.kind === 'blind'
      ? 'error rate unknown'
      : percent(m.verdict.errorRate);
  let subject =
    `[${state}] ${m.alertName} ${rate}${rate ? ' ' : ''}on ${m.cluster}${topTitle && m.notice.kind !== 'resolved' ? `: ${topTitle}` : ''}`.replace(
      /[\r\n]+/g,
      ' ',
    );
  // SNS takes printable ASCII only in a subject.
  subject = subject.replace(/[^\x20-\x7e]/g, '?');
  if (subject.length > MAX_SUBJECT) subject = `${subject.slice(0, MAX_SUBJECT - 3)}...`;

  const lines: string[] = [];
  lines.push(`${state}: ${m.alertName} on ${m.cluster}`, '');
  // The checker's own trouble first: what is unobserved, and the exact remedy.
  if (m.verdict.checker && m.notice.kind !== 'resolved') {
    lines.push(`The checker's own access: ${m.verdict.checker.summary}`);
    for (const step of m.verdict.checker.remedy) lines.push(`- ${step}`);
    lines.push('');
  }
  if (m.rule) {
    // The rule's own words lead, then its alerts.
    const { summary, description } = ruleLead(m.rule);
    if (summary) lines.push(summary);
    if (description) lines.push(description);
    if (summary || description) lines.push('');
    lines.push(
      `Rule: ${m.rule.alertname}${m.rule.severity ? `, severity ${m.rule.severity}` : ''} (the operator's alerting rule, evaluated by the checker)`,
    );
    lines.push(...instanceLines(m.rule));
    if (m.notice.kind === 'resolved' && m.notice.firingSince)
      lines.push(`This ends the firing that began ${m.notice.firingSince}.`);
    lines.push(
      `The runbook's alert (over ${percent(m.threshold)} errors): error rate ${percent(m.verdict.errorRate)}${m.verdict.sustained ? ', sustained' : ''}`,
    );
  } else if (m.notice.kind === 'resolved') {
    lines.push(`Resolved: the error rate is ${percent(m.verdict.errorRate)}, below ${percent(m.threshold)}.`);
    if (m.notice.firingSince)
      lines.push(
        `This ends the firing that began ${m.notice.firingSince} (run ${m.notice.firingRunId ?? 'unknown'}).`,
      );
  } else if (m.notice.kind === 'blind') {
    lines.push(
      `The checker could not evaluate the error rate for ${m.alert.unknownStreak} cycles in a row: treat the cluster as unobserved.`,
    );
    lines.push(`Sources not read: ${m.verdict.unread.join(', ') || 'none'}`);
  } else {
    lines.push(
      `Error rate: ${percent(m.verdict.errorRate)} (threshold ${percent(m.threshold)})${m.verdict.sustained ? ', sustained' : ''}`,
    );
    if (m.alert.firingSince) lines.push(`Firing since: ${m.alert.firingSince}`);
  }
  if (m.notice.held) lines.push('', ...heldLines(m.notice.held));
  if (m.verdict.causes.length > 0 && m.notice.kind !== 'resolved') {
    lines.push('', 'Probable causes:');
    for (const c of m.verdict.causes.slice(0, 3)) {
      lines.push(
        `- ${c.id}${c.id !== 'none' ? ` (${CAUSES[c.id].title})` : ''}, confidence ${Math.round(c.confidence * 100)}%`,
      );
      for (const e of c.evidence.slice(0, 4)) lines.push(`    ${e}`);
    }
    const steps = m.findings.find((f) => f.cause === top?.id && f.remediation.length > 0)?.remediation ?? [];
    if (steps.length > 0) {
      lines.push('', 'What to do (from the runbook):');
      for (const [i, step] of steps.entries()) lines.push(`${i + 1}. ${step}`);
    }
  }
  lines.push('');
  lines.push(...bundleLines(m.bundle));
  const ruleBook = m.rule ? ruleRunbook(m.rule) : undefined;
  if (ruleBook) lines.push(`Rule's runbook: ${ruleBook}`);
  lines.push(`Runbook: ${m.runbookUrl}`, `Run: ${m.runId} at ${m.at}`);
  let body = lines.join('\n');
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    const note = '\n\n[truncated: the rest is in the escalation bundle]';
    body = `${Buffer.from(body)
      .subarray(0, MAX_BODY_BYTES - note.length)
      .toString('utf8')}${note}`;
  }
  return withProtocols(m, {
    cluster: m.cluster,
    kind: m.notice.kind,
    subject,
    body,
    attributes: {
      cluster: m.cluster,
      state: state.toLowerCase().replace(/ /g, '-'),
      // A rule's severity on every notice of its group, resolved too, so that a subscription
      // filtered on it hears the end of what it heard begin.
      severity: m.rule
        ? (m.rule.severity ?? 'warning')
        : m.notice.kind === 'resolved' || m.notice.kind === 'unblind'
          ? 'info'
          : 'warning',
      topCause: top?.id ?? 'unknown',
      alertname: m.alertName,
    },
  });
}
