/**
 * Reads the operator's logs as controller-runtime writes them: zap console lines (the default,
 * `<time>\tERROR\t[logger\t]Reconciler error\t{"controller": "tenant", ..., "error": "..."}` with a Go
 * stack trace on the following lines), zap JSON lines (`--zap-encoder=json`), and client-go's klog
 * lines (`I1126 14:00:00.000000 1 request.go:697] Waited for 1.2s due to client-side throttling`).
 * What the runbook does with grep, sort and uniq (steps 1, 2 and 4) is done here once: levels,
 * reconcile errors, the most common error messages with numbers and names normalised, and tags for
 * the signals its causes hinge on.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'panic' | 'fatal' | 'unknown';

export interface LogEntry {
  time?: string;
  level: LogLevel;
  message: string;
  logger?: string;
  controller?: string;
  error?: string;
  /** Lines that followed the entry and belong to it (a stack trace). */
  continuation: number;
  tags: LogTag[];
}

export const LOG_TAGS = [
  'timeout',
  'throttling',
  'forbidden',
  'unauthorized',
  'connection-refused',
  'dns',
  'panic',
  'conflict',
  'webhook',
  'quota',
  'tls',
  'etcd',
  'database',
  'oom',
] as const;

export type LogTag = (typeof LOG_TAGS)[number];

export interface ErrorPattern {
  pattern: string;
  count: number;
  level: LogLevel;
  controller?: string;
  tags: LogTag[];
  /** One real occurrence, as logged (cut to 500 characters). */
  example: string;
  /** That occurrence's message and error, not normalised (cut to 1,000 characters): what classifiers read. */
  sample: string;
  firstSeen?: string;
  lastSeen?: string;
  /** How many of the occurrences are controller-runtime's "Reconciler error" (failed reconciles). */
  reconcileErrors: number;
  /** Distinct objects (tenants, registries) the occurrences name, up to 1,000. */
  subjects: number;
}

export interface LogSummary {
  lines: number;
  entries: number;
  byLevel: Record<LogLevel, number>;
  /** controller-runtime's "Reconciler error" entries: failed reconciles. */
  reconcileErrors: number;
  /** Entries that mention a reconcile and are not errors (the runbook's "Reconciling Tenant" count). */
  reconcileOther: number;
  tags: Partial<Record<LogTag, number>>;
  /** The most common error and warning messages, most frequent first (the runbook's top 20). */
  patterns: ErrorPattern[];
  firstTime?: string;
  lastTime?: string;
}
