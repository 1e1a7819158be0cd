/**
 * How a message reaches the escalation bundle, in words that do not promise more than is true: the
 * link and how long it really works (and what can end it sooner), the `s3://` location, the S3
 * console and the command for a fresh link, for readers with AWS access.
 */

export interface BundleReach {
  link?: string;
  expiresAt?: string;
  /** When the link may end sooner than `expiresAt`, or how it behaves. */
  note?: string;
  location?: string;
  consoleUrl?: string;
  command?: string;
  /** Why there is no bundle. */
  error?: string;
}

/** Plain text lines (the e-mail). */
export function bundleLines(b: BundleReach | undefined): string[] {
  if (!b) return [];
  if (b.error) return [`No escalation bundle: ${b.error}`];
  const lines: string[] = [];
  if (b.link) {
    lines.push(`Escalation bundle: ${b.link}`);
    if (b.expiresAt) lines.push(`  The link works until ${b.expiresAt}${b.note ? `; ${b.note}` : ''}.`);
    else if (b.note) lines.push(`  ${b.note}.`);
    if (b.location?.startsWith('s3://')) lines.push(`  In S3: ${b.location}`);
  } else if (b.location) {
    lines.push(`Escalation bundle: ${b.location}`);
    if (b.note) lines.push(`  ${b.note}.`);
  }
  if (b.consoleUrl) lines.push(`  S3 console: ${b.consoleUrl}`);
  if (b.command) lines.push(`  A fresh link from a terminal: ${b.command}`);
  return lines;
}
