import type { ErrorPattern, LogEntry, LogLevel, LogSummary, LogTag } from '../model/logs.js';

const TAG_PATTERNS: [LogTag, RegExp][] = [
  ['timeout', /timeout|timed out|deadline exceeded|context canceled/i],
  ['throttling', /\b429\b|too many requests|rate limit|throttl/i],
  ['forbidden', /forbidden|is not allowed to|cannot (get|list|watch|create|update|patch|delete) resource/i],
  ['unauthorized', /unauthorized|\b401\b|authentication required|invalid bearer token/i],
  ['connection-refused', /connection refused/i],
  ['dns', /no such host|server misbehaving|lookup \S+ on \S+:53|dial udp \S+:53|i\/o timeout.*:53\b/i],
  ['panic', /\bpanic\b|observed a panic|invalid memory address|nil pointer dereference|runtime error/i],
  ['conflict', /the object has been modified|operation cannot be fulfilled/i],
  ['webhook', /admission webhook|failed calling webhook|denied the request/i],
  ['quota', /exceeded quota|quota exceeded/i],
  ['tls', /x509:|certificate (has expired|is not valid|signed by unknown)|tls: /i],
  ['etcd', /etcdserver|etcd cluster|request timed out, possibly due to previous leader failure/i],
  ['database', /mysql|mariadb|postgres|:3306\b|:5432\b|database|sql: /i],
  ['oom', /out of memory|oomkilled|cannot allocate memory/i],
];

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

function tagsFor(text: string): LogTag[] {
  return TAG_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([tag]) => tag);
}

function stringField(fields: Record<string, unknown>, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' ? value : undefined;
}

function entryFromFields(fields: Record<string, unknown>, base: Partial<LogEntry>): LogEntry {
  const message = base.message ?? stringField(fields, 'msg') ?? '';
  const error =
    stringField(fields, 'error') ?? (fields.error !== undefined ? JSON.stringify(fields.error) : undefined);
  const controller = stringField(fields, 'controller') ?? stringField(fields, 'reconciler group');
  const entry: LogEntry = {
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
  return entry;
}

const CONSOLE_START =
  /^(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})|\d+(?:\.\d+)?(?:e[+-]?\d+)?)\t([A-Za-z]+|Level\(-?\d+\))\t/;
const KLOG = /^([IWEF])(\d{2})(\d{2}) (\d{2}:\d{2}:\d{2}\.\d+)\s+\d+ ([^\]]+)\] (.*)$/;

/** One line read as the start of an entry, or `undefined` for a continuation (stack trace) line. */
export function parseLogLine(line: string): LogEntry | undefined {
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
    const message = klog[6] ?? '';
    return { level: levelOf(klog[1]), message, logger: klog[5], continuation: 0, tags: tagsFor(message) };
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
  return text
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<ip>')
    .replace(/"[^"]{1,253}"/g, '"<name>"')
    .replace(/'[^']{1,253}'/g, "'<name>'")
    .replace(/\b[0-9a-f]{12,}\b/gi, '<id>')
    .replace(/\b\d+(\.\d+)?(ms|s|m|h|µs|ns)\b/g, '<duration>')
    .replace(/\b\d+(\.\d+)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 400);
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
  private last: LogEntry | undefined;

  constructor(private readonly maxPatterns = 20) {}

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
    const entry = parseLogLine(line.replace(/\r$/, ''));
    if (!entry) {
      if (this.last) this.last.continuation++;
      return;
    }
    this.last = entry;
    this.add(entry, line);
  }

  private add(entry: LogEntry, raw: string): void {
    const s = this.summary;
    s.entries++;
    s.byLevel[entry.level]++;
    if (entry.time) {
      if (!s.firstTime || entry.time < s.firstTime) s.firstTime = entry.time;
      if (!s.lastTime || entry.time > s.lastTime) s.lastTime = entry.time;
    }
    for (const tag of entry.tags) s.tags[tag] = (s.tags[tag] ?? 0) + 1;
    const isError = entry.level === 'error' || entry.level === 'panic' || entry.level === 'fatal';
    if (entry.message === 'Reconciler error') s.reconcileErrors++;
    else if (/reconcil/i.test(entry.message) && !isError) s.reconcileOther++;
    if (!isError && entry.level !== 'warn' && !entry.tags.includes('throttling')) return;
    const pattern = normalizeMessage(entry.error ? `${entry.message}: ${entry.error}` : entry.message);
    const key = `${entry.controller ?? ''}\u0000${pattern}`;
    const found = this.patterns.get(key);
    if (found) {
      found.count++;
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
    };
    if (entry.controller) created.controller = entry.controller;
    if (entry.time) {
      created.firstSeen = entry.time;
      created.lastSeen = entry.time;
    }
    this.patterns.set(key, created);
  }

  result(): LogSummary {
    const patterns = [...this.patterns.values()].sort(
      (a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern),
    );
    return { ...this.summary, patterns: patterns.slice(0, this.maxPatterns) };
  }
}

export function summarizeLogs(texts: string[], maxPatterns = 20): LogSummary {
  const summarizer = new LogSummarizer(maxPatterns);
  for (const text of texts) summarizer.addText(text);
  return summarizer.result();
}
