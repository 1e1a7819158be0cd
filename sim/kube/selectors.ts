/** Label and field selectors as the API server reads them. */

type Labels = Record<string, string> | undefined;
type Requirement = (labels: Labels) => boolean;

/** Splits on commas that are not inside `in (a,b)`. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function requirement(term: string): Requirement {
  let m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l?.[key] !== value : (l) => l?.[key] === value;
  }
  m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = list.split(',').map((v) => v.trim());
    return op === 'in'
      ? (l) => values.includes(l?.[key] ?? '\u0000')
      : (l) => !values.includes(l?.[key] ?? '\u0000');
  }
  if (term.startsWith('!')) return (l) => l?.[term.slice(1)] === undefined;
  if (/^[A-Za-z0-9./_-]+$/.test(term)) return (l) => l?.[term] !== undefined;
  throw new Error(`unable to parse requirement: ${term}`);
}

export function labelMatcher(selector: string | null): (labels: Labels) => boolean {
  if (!selector) return () => true;
  const requirements = terms(selector).map(requirement);
  return (labels) => requirements.every((r) => r(labels));
}

function valueAt(object: unknown, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    current = current && typeof current === 'object' ? (current as Record<string, unknown>)[part] : undefined;
  }
  return current === undefined || current === null ? '' : String(current);
}

export function fieldMatcher(selector: string | null): (object: unknown) => boolean {
  if (!selector) return () => true;
  const checks = terms(selector).map((term) => {
    const m = /^([A-Za-z0-9._]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new Error(`invalid field selector: ${term}`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    return (o: unknown) => (op === '!=' ? valueAt(o, path) !== value : valueAt(o, path) === value);
  });
  return (object) => checks.every((c) => c(object));
}
