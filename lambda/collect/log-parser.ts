import { type ErrorSignal, readErrorText } from '../model/error-text.js';
import {
  type ErrorPattern,
  LOG_TAGS,
  type LogEntry,
  type LogLevel,
  type LogSummary,
  type LogTag,
} from '../model/logs.js';

/** The log's tags, from the one reading of error text (model/error-text.ts) the checks use too. */
const TAGS_OF: Record<ErrorSignal, LogTag[]> = {
  conflict: ['conflict'],
  'dns-resolver': ['dns', 'timeout'],
  'dns-servfail': ['dns'],
  'dns-nxdomain': ['dns'],
  refused: ['connection-refused'],
  'dial-timeout': ['timeout'],
  'no-route': [],
  reset: [],
  'slow-response': ['timeout'],
  deadline: ['timeout'],
  tls: ['tls'],
  unauthorized: ['unauthorized'],
  'rbac-forbidden': ['forbidden'],
  quota: ['quota', 'forbidden'],
  webhook: ['webhook'],
  'throttled-server': ['throttling'],
  'throttled-client': ['throttling'],
  'apiserver-unavailable': [],
  etcd: ['etcd'],
  panic: ['panic'],
  oom: ['oom'],
  'db-refused': ['database'],
  'db-connection': ['database'],
  scheduling: [],
  storage: [],
  template: [],
  invalid: [],
  waiting: [],
};

const LEVELS: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  dpanic: 'panic',
  panic: 'panic',
  fatal: 'fatal',
  i: 'info',
  w: 'warn',
  e: 'error',
  f: 'fatal',
};

function levelOf(text: string | undefined): LogLevel {
  if (!text) return 'unknown';
  const lower = text.toLowerCase();
  if (LEVELS[lower]) return LEVELS[lower];
  // zap's verbosity levels: "debug" is -1, higher V-levels print as "Level(-2)" etc.
  if (/^level\(-?\d+\)$/.test(lower) || /^-?\d+$/.test(lower)) return 'debug';
  return 'unknown';
}

function timeOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // zap's production encoder writes epoch seconds with a fraction.
    return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  }
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return undefined;
}

/** An entry as parsed, with the object it names (`namespace/name`), when it names one. */
export interface ParsedEntry extends LogEntry {
  subject?: string;
}

/** How a klog header's time (no year) is placed: near `reference` (the newest time seen, or now). */
export interface ParseOptions {
  /** ISO time the year is taken from (the newest timestamp seen); now by default. */
  reference?: string;
  /** The current time in ms (tests). */
  now?: number;
}

function tagsFor(text: string): LogTag[] {
  const reading = readErrorText(text);
  const tags = new Set(reading.signals.flatMap((signal) => TAGS_OF[signal]));
  if (reading.database) tags.add('database');
  return LOG_TAGS.filter((tag) => tags.has(tag));
}

function stringField(fields: Record<string, unknown>, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' ? value : undefined;
}

function objectName(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  if (value && typeof value === 'object') {
    const { name, namespace } = value as { name?: unknown; namespace?: unknown };
    if (typeof name === 'string' && name)
      return typeof namespace === 'string' && namespace ? `${namespace}/${name}` : name;
  }
  return undefined;
}

/**
 * The object an entry is about: controller-runtime's `<Kind>: {"name", "namespace"}` (Tenant,
 * TenantRegistry, LynqNode...), its `name`/`namespace`, or the operator's own `tenant`/`registry`.
 */
function subjectOf(fields: Record<string, unknown>): string | undefined {
  const kind = stringField(fields, 'controllerKind');
  if (kind && fields[kind] !== undefined) {
    const named = objectName(fields[kind]);
    if (named) return named;
  }
  for (const key of ['Tenant', 'TenantRegistry', 'LynqNode', 'LynqHub']) {
    const named = objectName(fields[key]);
    if (named) return named;
  }
  const name = stringField(fields, 'name');
  if (name) {
    const namespace = stringField(fields, 'namespace');
    return namespace ? `${namespace}/${name}` : name;
  }
  return objectName(fields.tenant) ?? objectName(fields.registry);
}

function entryFromFields(fields: Record<string, unknown>, base: Partial<LogEntry>): ParsedEntry {
  const message = base.message ?? stringField(fields, 'msg') ?? '';
  const error =
    stringField(fields, 'error') ?? (fields.error !== undefined ? JSON.stringify(fields.error) : undefined);
  const controller = stringField(fields, 'controller') ?? stringField(fields, 'reconciler group');
  const entry: ParsedEntry = {
    level: base.level ?? levelOf(stringField(fields, 'level')),
    message,
    continuation: 0,
    tags: tagsFor(`${message} ${error ?? ''}`),
  };
  const time = base.time ?? timeOf(fields.ts ?? fields.time);
  if (time) entry.time = time;
  const logger = base.logger ?? stringField(fields, 'logger');
  if (logger) entry.logger = logger;
  if (controller) entry.controller = controller;
  if (error) entry.error = error;
  const subject = subjectOf(fields);
  if (subject) entry.subject = subject.slice(0, 300);
  return entry;
}

const CONSOLE_START =
  /^(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})|\d+(?:\.\d+)?(?:e[+-]?\d+)?)\t([A-Za-z]+|Level\(-?\d+\))\t/;
const KLOG = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?\s+\d+ ([^\]]+)\] (.*)$/;
/** CoreDNS (and other Go programs' `log`): `[ERROR] plugin/errors: 2 example.org. A: read udp ...`. */
const BRACKETED = /^\[(DEBUG|INFO|WARNING|WARN|ERROR|FATAL|PANIC)\] (.*)$/;

const DAY_MS = 86_400_000;
/** Distinct objects counted per pattern at most. */
export const MAX_SUBJECTS = 1000;

/**
 * A klog header's time (`MMDD hh:mm:ss.uuuuuu`, UTC, no year): in the reference's year, a year
 * earlier when that puts it more than a day after the reference (a log read across New Year), a year
 * later when that puts it almost a year before and the next year is not in the future.
 */
export function placeKlogTime(
  month: number,
  day: number,
  clock: string,
  options: ParseOptions = {},
): string | undefined {
  const now = options.now ?? Date.now();
  const reference = options.reference ? Date.parse(options.reference) : now;
  if (!Number.isFinite(reference) || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const year = new Date(reference).getUTCFullYear();
  const at = (y: number) =>
    Date.parse(
      `${String(y).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${clock}Z`,
    );
  let time = at(year);
  if (!Number.isFinite(time)) return undefined;
  if (time > reference + DAY_MS) time = at(year - 1);
  else if (time < reference - 300 * DAY_MS) {
    const next = at(year + 1);
    if (Number.isFinite(next) && next <= Math.max(now, reference) + DAY_MS) time = next;
  }
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

/** One line read as the start of an entry, or `undefined` for a continuation (stack trace) line. */
export function parseLogLine(line: string, options: ParseOptions = {}): ParsedEntry | undefined {
  if (line.startsWith('{')) {
    try {
      const fields = JSON.parse(line) as Record<string, unknown>;
      if (typeof fields === 'object' && fields !== null && ('msg' in fields || 'level' in fields))
        return entryFromFields(fields, {});
    } catch {
      // not JSON after all: fall through to the other encodings
    }
  }
  const console = CONSOLE_START.exec(line);
  if (console) {
    const rest = line.slice(console[0].length).split('\t');
    let fields: Record<string, unknown> = {};
    const last = rest.at(-1) ?? '';
    if (rest.length > 1 && last.startsWith('{')) {
      try {
        fields = JSON.parse(last) as Record<string, unknown>;
        rest.pop();
      } catch {
        // a message that starts with a brace: keep it as text
      }
    }
    const [first, ...more] = rest;
    const base: Partial<LogEntry> = {
      level: levelOf(console[2]),
      message: more.length > 0 ? more.join('\t') : (first ?? ''),
    };
    const time = timeOf(/^\d+(\.\d+)?(e[+-]?\d+)?$/.test(console[1] ?? '') ? Number(console[1]) : console[1]);
    if (time) base.time = time;
    if (more.length > 0 && first) base.logger = first;
    return entryFromFields(fields, base);
  }
  const klog = KLOG.exec(line);
  if (klog) {
    const message = klog[9] ?? '';
    const entry: ParsedEntry = {
      level: levelOf(klog[1]),
      message,
      logger: klog[8] ?? '',
      continuation: 0,
      tags: tagsFor(message),
    };
    const fraction = (klog[7] ?? '').slice(0, 4);
    const time = placeKlogTime(
      Number(klog[2]),
      Number(klog[3]),
      `${klog[4]}:${klog[5]}:${klog[6]}${fraction.length > 1 ? fraction : ''}`,
      options,
    );
    if (time) entry.time = time;
    return entry;
  }
  const bracketed = BRACKETED.exec(line);
  if (bracketed) {
    const message = bracketed[2] ?? '';
    const entry: ParsedEntry = {
      level: levelOf(bracketed[1]),
      message,
      continuation: 0,
      tags: tagsFor(message),
    };
    const logger = /^(plugin\/[\w.-]+):/.exec(message)?.[1];
    if (logger) entry.logger = logger;
    return entry;
  }
  if (/^(panic|fatal error): /.test(line)) {
    return { level: 'panic', message: line, continuation: 0, tags: tagsFor(line) };
  }
  // A stack trace: tab-indented file lines, `goroutine N [running]:`, and function lines, which are one
  // token naming a package path (`sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).reconcileHandler`).
  if (
    line.trim() === '' ||
    /^\s/.test(line) ||
    /^goroutine \d+ \[/.test(line) ||
    /^\[signal /.test(line) ||
    (/^\S+$/.test(line) && /[/.]/.test(line)) ||
    /^[\w./*()-]+\(.*\)( \+0x[0-9a-f]+)?$/.test(line)
  ) {
    return undefined;
  }
  return { level: 'unknown', message: line, continuation: 0, tags: tagsFor(line) };
}

/** Numbers, names, ids and addresses replaced so that one failure with many objects is one pattern. */
export function normalizeMessage(text: string): string {
  return (
    text
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
      .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<ip>')
      .replace(/"[^"]{1,253}"/g, '"<name>"')
      .replace(/'[^']{1,253}'/g, "'<name>'")
      .replace(/\b[0-9a-f]{12,}\b/gi, '<id>')
      // Go durations (`1.5s`, `100ms`, `5m0s`, `2h`); a lone `250m` is a quantity (millicores), not 250 minutes.
      .replace(/\b(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|h|m|s)){2,}\b/g, '<duration>')
      .replace(/\b\d+(?:\.\d+)?(?:ns|us|µs|ms|h|s)\b/g, '<duration>')
      // Kubernetes quantities keep their suffix: `128Mi` → `<n>Mi`, `250m` → `<n>m`.
      .replace(/\b\d+(?:\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|m|M|G|T|P|E)\b/g, '<n>$1')
      .replace(/\b\d+(\.\d+)?\b/g, '<n>')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 400)
  );
}

function emptyLevels(): Record<LogLevel, number> {
  return { debug: 0, info: 0, warn: 0, error: 0, panic: 0, fatal: 0, unknown: 0 };
}

/** Folds entries into the summary the checks read; `maxPatterns` bounds what is kept. */
export class LogSummarizer {
  private readonly summary: LogSummary = {
    lines: 0,
    entries: 0,
    byLevel: emptyLevels(),
    reconcileErrors: 0,
    reconcileOther: 0,
    tags: {},
    patterns: [],
  };
  private readonly patterns = new Map<string, ErrorPattern>();
  /** The distinct objects each pattern names (bounded to MAX_SUBJECTS). */
  private readonly subjects = new Map<string, Set<string>>();
  private last: LogEntry | undefined;

  /** `now` places klog times without a year (tests set it); the newest time seen is preferred. */
  constructor(
    private readonly maxPatterns = 20,
    private readonly now?: number,
  ) {}

  addText(text: string): void {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      this.addLine(text.slice(start, end));
      start = end + 1;
    }
  }

  addLine(rawLine: string): void {
    // A huge line (a dumped object) is read in part: bounded work and memory per line.
    const line = rawLine.length > 16_384 ? rawLine.slice(0, 16_384) : rawLine;
    this.summary.lines++;
    const entry = parseLogLine(line.replace(/\r$/, ''), {
      ...(this.summary.lastTime ? { reference: this.summary.lastTime } : {}),
      ...(this.now !== undefined ? { now: this.now } : {}),
    });
    if (!entry) {
      if (this.last) this.last.continuation++;
      return;
    }
    this.last = entry;
    this.add(entry, line);
  }

  private add(entry: ParsedEntry, raw: string): void {
    const s = this.summary;
    s.entries++;
    s.byLevel[entry.level]++;
    if (entry.time) {
      if (!s.firstTime || entry.time < s.firstTime) s.firstTime = entry.time;
      if (!s.lastTime || entry.time > s.lastTime) s.lastTime = entry.time;
    }
    for (const tag of entry.tags) s.tags[tag] = (s.tags[tag] ?? 0) + 1;
    const isError = entry.level === 'error' || entry.level === 'panic' || entry.level === 'fatal';
    const reconcileError = entry.message === 'Reconciler error';
    if (reconcileError) s.reconcileErrors++;
    else if (/reconcil/i.test(entry.message) && !isError) s.reconcileOther++;
    if (!isError && entry.level !== 'warn' && !entry.tags.includes('throttling')) return;
    const pattern = normalizeMessage(entry.error ? `${entry.message}: ${entry.error}` : entry.message);
    const key = `${entry.controller ?? ''}\u0000${pattern}`;
    if (entry.subject) {
      let names = this.subjects.get(key);
      if (!names) {
        names = new Set();
        this.subjects.set(key, names);
      }
      if (names.size < MAX_SUBJECTS) names.add(entry.subject);
    }
    const found = this.patterns.get(key);
    if (found) {
      found.count++;
      if (reconcileError) found.reconcileErrors++;
      if (entry.time && (!found.firstSeen || entry.time < found.firstSeen)) found.firstSeen = entry.time;
      if (entry.time && (!found.lastSeen || entry.time > found.lastSeen)) found.lastSeen = entry.time;
      return;
    }
    const created: ErrorPattern = {
      pattern,
      count: 1,
      level: entry.level,
      tags: entry.tags,
      example: raw.slice(0, 500),
      sample: (entry.error ? `${entry.message}: ${entry.error}` : entry.message).slice(0, 1000),
      reconcileErrors: reconcileError ? 1 : 0,
      subjects: 0,
    };
    if (entry.controller) created.controller = entry.controller;
    if (entry.time) {
      created.firstSeen = entry.time;
      created.lastSeen = entry.time;
    }
    this.patterns.set(key, created);
  }

  result(): LogSummary {
    const patterns = [...this.patterns.entries()]
      .map(([key, pattern]) => ({ ...pattern, subjects: this.subjects.get(key)?.size ?? 0 }))
      .sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern));
    return { ...this.summary, patterns: patterns.slice(0, this.maxPatterns) };
  }
}

export function summarizeLogs(texts: string[], maxPatterns = 20, now?: number): LogSummary {
  const summarizer = new LogSummarizer(maxPatterns, now);
  for (const text of texts) summarizer.addText(text);
  return summarizer.result();
}
