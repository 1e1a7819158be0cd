/**
 * The Prometheus text exposition format (version 0.0.4, what controller-runtime serves), read line by
 * line into samples. Owned rather than taken from npm: `prom2javascript` (one release) throws on
 * metric names with a colon, on NaN and -Inf values, on a histogram whose +Inf bucket and count
 * differ, and on label values ending in a backslash, so one odd series made the whole scrape
 * unreadable; `parse-prometheus-text-format` merges a labelled histogram's series into one and loses
 * their labels, counts and sums. What the checker needs is small (samples: name, labels, value), and
 * the format is specified line by line, so a bad line is skipped and reported, never the whole text.
 * Property-tested against a renderer (test/exposition.test.ts).
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface Malformed {
  line: number;
  reason: string;
  /** The metric name the line starts with, when one can be read: a wanted metric's bad line matters. */
  name?: string;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` lines: counter, gauge, histogram, summary, untyped. */
  types: Record<string, string>;
  /** The first bad lines (bounded), and how many there were in all. */
  malformed: Malformed[];
  malformedLines: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const MAX_REPORTED = 50;

/** A sample value: a Go float as Prometheus writes it, with NaN and ±Inf. */
export function parseValue(text: string): number | undefined {
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** One sample line, or why it is not one. */
export function parseSampleLine(line: string): Sample | { error: string; name?: string } {
  const nameMatch = NAME.exec(line);
  if (!nameMatch) return { error: 'no metric name' };
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const labelMatch = LABEL_NAME.exec(line.slice(i, i + 1024));
      if (!labelMatch) return { error: 'bad label name', name };
      const label = labelMatch[0];
      i += label.length;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '=') return { error: `no = after label ${label}`, name };
      i++;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '"') return { error: `label ${label} has no quoted value`, name };
      i++;
      let value = '';
      let closed = false;
      while (i < line.length) {
        const c = line[i] as string;
        if (c === '\\') {
          const next = line[i + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else return { error: `bad escape in label ${label}`, name };
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return { error: `label ${label} is not closed`, name };
      if (Object.hasOwn(labels, label)) return { error: `label ${label} twice`, name };
      labels[label] = value;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      return { error: 'labels not closed', name };
    }
  }
  const rest = line.slice(i);
  if (!/^[ \t]/.test(rest)) return { error: 'no value', name };
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2)
    return { error: 'expected a value and an optional timestamp', name };
  const value = parseValue(fields[0] as string);
  if (value === undefined) return { error: `bad value ${JSON.stringify(fields[0]?.slice(0, 40))}`, name };
  if (fields[1] !== undefined) {
    if (!/^-?\d+$/.test(fields[1])) return { error: 'bad timestamp', name };
    return { name, labels, value, timestampMs: Number(fields[1]) };
  }
  return { name, labels, value };
}

/** Reads the whole text; a bad line is skipped and listed, the rest is read. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  const malformed: Malformed[] = [];
  let malformedLines = 0;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^#[ \t]+TYPE[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)[ \t]+(\w+)/.exec(line);
      if (type) types[type[1] as string] = type[2] as string;
      continue;
    }
    const parsed = parseSampleLine(line.trimStart());
    if ('error' in parsed) {
      malformedLines++;
      if (malformed.length < MAX_REPORTED)
        malformed.push({ line: lineNo, reason: parsed.error, ...(parsed.name ? { name: parsed.name } : {}) });
      continue;
    }
    samples.push(parsed);
  }
  return { samples, types, malformed, malformedLines };
}
