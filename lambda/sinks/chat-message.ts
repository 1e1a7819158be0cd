/**
 * One message that every kind of subscriber can read: SNS `MessageStructure: "json"` gives each
 * protocol its own body.
 *   - `email`: the plain text (subject and body as before);
 *   - `https` and `default`: the custom notification schema of Amazon Q Developer in chat
 *     applications (formerly AWS Chatbot), which renders it in Slack, Teams or Chime and drops any
 *     other payload; `metadata.threadId` is the alert's fingerprint, so that firing, repeats and
 *     resolved of one alert thread together;
 *   - `sqs` and `lambda`: a JSON document of the run for programs;
 *   - `sms`: the subject alone.
 * The whole structure, with the attributes, stays inside SNS's 256 KB.
 */

import { heldLines } from '../alert/maintenance.js';
import type { HeldNotices } from '../model/alert.js';
import { CAUSES } from '../model/causes.js';
import type { MessageInput } from './message.js';
import type { Notification } from './notifier.js';
import { instanceLines, ruleLead, ruleRunbook } from './rule-lines.js';

/** Amazon Q Developer in chat applications, custom notification (version 1.0). */
export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id?: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata: {
    threadId: string;
    summary: string;
    eventType: string;
    relatedResources: string[];
    additionalContext: Record<string, string>;
  };
}

/**
 * The bounds we keep each field within (see test/chat-message.test.ts for the schema they are
 * checked against). Long text is cut with a note: the whole story is in the e-mail and the bundle.
 */
export const CHAT_LIMITS = {
  title: 250,
  description: 8000,
  nextSteps: 5,
  nextStep: 350,
  keywords: 10,
  keyword: 75,
  threadId: 128,
  summary: 250,
  eventType: 128,
  relatedResources: 5,
  relatedResource: 1024,
  additionalContext: 10,
  contextValue: 1024,
} as const;

/** The bodies by protocol, each a string as SNS requires. */
export interface ProtocolBodies {
  default: string;
  email: string;
  https: string;
  sqs: string;
  lambda: string;
  sms: string;
}

/** SNS's limit on one published message, attributes included. */
export const SNS_MAX_BYTES = 256 * 1024;

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const percent = (r: number | null) => (r === null ? 'unknown' : `${Math.round(r * 1000) / 10}%`);

const EMOJI = {
  firing: ':rotating_light:',
  repeat: ':rotating_light:',
  resolved: ':white_check_mark:',
  blind: ':warning:',
  unblind: ':eyes:',
} as const;

/** The chat payload: the subject as title, the story in Slack markdown, the runbook's steps as next steps. */
export function chatPayload(m: MessageInput, n: Notification, held?: HeldNotices): ChatNotification {
  const top = m.verdict.causes[0];
  const description: string[] = [];
  if (m.rule) {
    const { summary, description: text } = ruleLead(m.rule);
    if (summary) description.push(`*${summary}*`);
    if (text) description.push(text);
    description.push(...instanceLines(m.rule));
  } else if (m.notice.kind === 'resolved') {
    description.push(
      `*Resolved:* the error rate is ${percent(m.verdict.errorRate)}, below ${percent(m.threshold)}.`,
    );
    if (m.notice.firingSince) description.push(`It had been firing since ${m.notice.firingSince}.`);
  } else if (m.notice.kind === 'blind') {
    description.push(
      `*The checker cannot evaluate the error rate* (${m.alert.unknownStreak} cycles in a row): treat the cluster as unobserved.`,
      `Sources not read: ${m.verdict.unread.join(', ') || 'none'}`,
    );
  } else {
    description.push(
      `*Error rate* ${percent(m.verdict.errorRate)} (threshold ${percent(m.threshold)})${m.verdict.sustained ? ', sustained' : ''}${m.alert.firingSince ? ` · firing since ${m.alert.firingSince}` : ''}`,
    );
  }
  if (m.notice.kind !== 'resolved' && top) {
    description.push(
      '',
      `*Probable cause:* \`${top.id}\`${top.id !== 'none' ? ` ${CAUSES[top.id].title}` : ''}, confidence ${Math.round(top.confidence * 100)}%`,
      ...top.evidence.slice(0, 3).map((e) => `> ${cut(e.replace(/\s+/g, ' '), 300)}`),
    );
    const others = m.verdict.causes.slice(1, 3);
    if (others.length > 0)
      description.push(
        `Also: ${others.map((c) => `\`${c.id}\` ${Math.round(c.confidence * 100)}%`).join(', ')}`,
      );
  }
  if (held) description.push('', ...heldLines(held).map((l) => `_${l}_`));
  const b = m.bundle;
  if (b?.error) description.push('', `*No escalation bundle:* ${b.error}`);
  else if (b?.link || b?.location) {
    const consoleLink = b.consoleUrl ? ` (<${b.consoleUrl}|S3 console>)` : '';
    description.push(
      '',
      b.link
        ? `*Escalation bundle:* <${b.link}|open the bundle>${b.expiresAt ? ` (works until ${b.expiresAt}${b.note ? `; ${b.note}` : ''})` : ''}`
        : `*Escalation bundle:* \`${b.location}\`${consoleLink}${b.note ? `: ${b.note}` : ''}`,
      ...(b.link && b.location?.startsWith('s3://') ? [`In S3: \`${b.location}\`${consoleLink}`] : []),
    );
  }
  description.push('', `Run \`${m.runId}\` at ${m.at}`);

  const steps =
    m.notice.kind === 'resolved'
      ? []
      : (m.findings.find((f) => f.cause === top?.id && f.remediation.length > 0)?.remediation ?? []);
  const nextSteps = [
    ...steps.slice(0, CHAT_LIMITS.nextSteps - 2),
    ...(m.rule && ruleRunbook(m.rule) ? [`Rule's runbook: <${ruleRunbook(m.rule)}|${m.alertName}>`] : []),
    `Runbook: <${m.runbookUrl}|${m.rule ? "the checker's runbook" : m.alertName}>`,
    ...(b?.command ? [`Fresh bundle link: \`${b.command}\``] : []),
  ].map((s) => cut(s, CHAT_LIMITS.nextStep));

  const context: Record<string, string> = {
    cluster: m.cluster,
    alert: m.alertName,
    state: n.attributes.state ?? m.notice.kind,
    errorRate: percent(m.verdict.errorRate),
    topCause: top?.id ?? 'unknown',
    runId: m.runId,
    ...(b?.location ? { bundle: b.location } : {}),
    ...(held ? { held: `${held.windowStart}/${held.windowEnd}` } : {}),
  };
  return {
    version: '1.0',
    source: 'custom',
    id: `${m.runId}-${m.notice.kind}`,
    content: {
      textType: 'client-markdown',
      title: cut(`${EMOJI[m.notice.kind]} ${n.subject}`, CHAT_LIMITS.title),
      description: cut(description.join('\n'), CHAT_LIMITS.description),
      nextSteps,
      keywords: [m.cluster, n.attributes.state ?? m.notice.kind, ...(top ? [top.id] : [])].map((k) =>
        cut(k, CHAT_LIMITS.keyword),
      ),
    },
    metadata: {
      threadId: m.alert.fingerprint,
      summary: cut(n.subject, CHAT_LIMITS.summary),
      eventType: `tenant-check-${m.notice.kind}`,
      relatedResources: [`eks:cluster/${m.cluster}`, ...(b?.location ? [b.location] : [])].map((r) =>
        cut(r, CHAT_LIMITS.relatedResource),
      ),
      additionalContext: Object.fromEntries(
        Object.entries(context).map(([k, v]) => [k, cut(v, CHAT_LIMITS.contextValue)]),
      ),
    },
  };
}

/** What a program subscribed by SQS or Lambda receives: the run, as data. */
export function runDocument(m: MessageInput, n: Notification, held?: HeldNotices) {
  return {
    schema: 'tenant-check.notification/v1',
    kind: m.notice.kind,
    state: n.attributes.state,
    subject: n.subject,
    cluster: m.cluster,
    alertName: m.alertName,
    fingerprint: m.alert.fingerprint,
    runId: m.runId,
    at: m.at,
    errorRate: m.verdict.errorRate,
    threshold: m.threshold,
    sustained: m.verdict.sustained,
    firingSince: m.notice.firingSince ?? m.alert.firingSince ?? null,
    coverage: m.verdict.coverage,
    unread: m.verdict.unread,
    causes: m.verdict.causes.map((c) => ({
      id: c.id,
      title: c.id === 'none' ? null : CAUSES[c.id].title,
      confidence: c.confidence,
      evidence: c.evidence,
    })),
    findings: m.findings
      .filter((f) => f.status !== 'ok')
      .map(({ check, status, cause, summary, evidence, remediation }) => ({
        check,
        status,
        cause,
        summary,
        evidence,
        remediation,
      })),
    bundle: m.bundle ?? null,
    held: held ?? null,
    rule: m.rule
      ? {
          name: m.rule.alertname,
          severity: m.rule.severity ?? null,
          state: m.rule.state,
          instances: m.rule.instances,
          counts: m.rule.counts,
          activeAt: m.rule.activeAt ?? null,
          fingerprint: m.rule.fingerprint,
          annotations: { ...m.rule.commonAnnotations, ...ruleLead(m.rule) },
          top: m.rule.top,
          more: m.rule.more,
        }
      : null,
    runbookUrl: m.runbookUrl,
  };
}

function structureOf(email: string, chat: ChatNotification, doc: object, sms: string): ProtocolBodies {
  const chatText = JSON.stringify(chat);
  const docText = JSON.stringify(doc);
  return { default: chatText, email, https: chatText, sqs: docText, lambda: docText, sms };
}

const attributesBytes = (attributes: Record<string, string>) =>
  Object.entries(attributes).reduce(
    (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v) + 'String'.length,
    0,
  );

/**
 * The notification with its body for each protocol, made to fit: the document for programs loses
 * evidence first, then its findings; the e-mail text is cut last, with a note.
 */
export function withProtocols(m: MessageInput, n: Notification): Notification {
  const held = m.notice.held;
  const chat = chatPayload(m, n, held);
  const budget = SNS_MAX_BYTES - attributesBytes(n.attributes) - 1024;
  const size = (p: ProtocolBodies) => Buffer.byteLength(JSON.stringify(p));
  const full = runDocument(m, n, held);
  const trimmed = {
    ...full,
    causes: full.causes.map((c) => ({ ...c, evidence: c.evidence.slice(0, 4).map((e) => cut(e, 300)) })),
    findings: full.findings.map((f) => ({
      ...f,
      evidence: f.evidence.slice(0, 3).map((e) => cut(e, 300)),
      remediation: f.remediation.map((r) => cut(r, 500)),
    })),
  };
  const bare = { ...trimmed, findings: [], findingsOmitted: full.findings.length };
  let body = n.body;
  let protocols = structureOf(body, chat, full, n.subject);
  for (const doc of [trimmed, bare]) {
    if (size(protocols) <= budget) break;
    protocols = structureOf(body, chat, doc, n.subject);
  }
  const note = '\n\n[truncated: the rest is in the escalation bundle]';
  for (let i = 0; i < 5 && size(protocols) > budget; i++) {
    const over = size(protocols) - budget;
    const keep = Math.max(0, Buffer.byteLength(body) - over - note.length - 256);
    body = `${Buffer.from(body.replace(note, ''))
      .subarray(0, keep)
      .toString('utf8')
      .replace(/\uFFFD$/, '')}${note}`;
    protocols = { ...protocols, email: body };
  }
  return { ...n, body, protocols };
}
