/**
 * The words of an alerting rule's group in a message: its own summary and description (as the rule
 * renders them), how many alerts, and the first few. A group of thousands stays a few lines.
 */
import type { AlertGroup, GroupedAlert } from '../alert/rules/grouping.js';

/** Alerts listed in a message; the rest are counted. */
const LISTED = 5;

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

function alertLine(a: GroupedAlert): string {
  const what = a.summary ?? (labelText(a.labels) || 'one alert');
  const since = a.state === 'resolved' ? `resolved ${a.resolvedAt ?? ''}` : `${a.state} since ${a.activeAt}`;
  return `${what} (${since.trim()})`;
}

/** The rule's own words: the group's common summary, else the first alert's, with its description. */
export function ruleLead(group: AlertGroup): { summary?: string; description?: string } {
  const summary = group.commonAnnotations.summary ?? group.leadAnnotations.summary;
  const description = group.commonAnnotations.description ?? group.leadAnnotations.description;
  return {
    ...(summary ? { summary } : {}),
    ...(description ? { description } : {}),
  };
}

/** `12 alerts firing, 3 pending` and the first few alerts, firing first. */
export function instanceLines(group: AlertGroup): string[] {
  const { firing, pending, resolved } = group.counts;
  const counts = [
    firing > 0 ? `${firing} firing` : '',
    pending > 0 ? `${pending} pending` : '',
    resolved > 0 ? `${resolved} resolved` : '',
  ].filter(Boolean);
  const lines = [
    `Alerts: ${counts.join(', ') || 'none'}${group.activeAt ? ` (active since ${group.activeAt})` : ''}`,
  ];
  const listed = group.top.slice(0, LISTED);
  for (const a of listed) lines.push(`- ${alertLine(a)}`);
  const more = group.top.length - listed.length + group.more;
  if (more > 0) lines.push(`- and ${more} more`);
  return lines;
}

/** The rule's runbook link, when its annotations give one. */
export function ruleRunbook(group: AlertGroup): string | undefined {
  return group.commonAnnotations.runbook_url ?? group.leadAnnotations.runbook_url;
}
