/**
 * Go's `fmt` as Prometheus's templates print with it: `{{ $value }}` is `fmt.Sprint(float64)`,
 * `printf "%.2f"` is `fmt.Sprintf`, and `humanize` is `%.4g`. JavaScript's own formatting differs
 * (`toFixed` rounds ties away from zero, `String(1e21)` is `1e+21` where Go prints `1e+21` only for
 * `%v`, Go prints `1.234567e+06` where JavaScript prints `1234567`), so the digits come from the
 * double's exact decimal expansion and are rounded as `strconv` rounds: half to even on the exact
 * value. Covered: the verbs v s q d f F e E g G t x X o b c and %%, the flags + - space 0, width
 * and precision (also `*`), `%!v(MISSING)`, `%!(EXTRA …)` and `%!d(float64=1.5)` as Go writes
 * them. Not covered: `#` on floats, `%b`/`%x` of a float, argument indexes (`%[1]d`).
 */

export type GoValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'map'; value: Record<string, string> }
  | { kind: 'nil' };

export const goFloat = (value: number): GoValue => ({ kind: 'float', value });
export const goInt = (value: number): GoValue => ({ kind: 'int', value });
export const goString = (value: string): GoValue => ({ kind: 'string', value });

/** The Go type's name, as `%!d(float64=1.5)` shows it. */
export function goTypeName(v: GoValue): string {
  switch (v.kind) {
    case 'float':
      return 'float64';
    case 'int':
      return 'int';
    case 'string':
      return 'string';
    case 'bool':
      return 'bool';
    case 'map':
      return 'map[string]string';
    case 'nil':
      return '<nil>';
  }
}

/** Decimal digits of a finite, non-negative double: value = 0.d × 10^dp, no trailing zeros. */
interface Digits {
  d: string;
  dp: number;
}

/** The exact decimal expansion of a double (every double is a finite decimal). */
function exactDigits(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let exponent: number;
  if (exponentBits === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = exponentBits - 1075;
  }
  let text: string;
  let dp: number;
  if (exponent >= 0) {
    text = (mantissa << BigInt(exponent)).toString();
    dp = text.length;
  } else {
    text = (mantissa * 5n ** BigInt(-exponent)).toString();
    dp = text.length + exponent;
  }
  return trim({ d: text, dp });
}

function trim(digits: Digits): Digits {
  let end = digits.d.length;
  while (end > 0 && digits.d[end - 1] === '0') end--;
  return end === 0 ? { d: '', dp: 0 } : { d: digits.d.slice(0, end), dp: digits.dp };
}

/** The shortest digits that read back as the same double (what Go's Ryu and JavaScript both find). */
function shortestDigits(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  const [mantissa, exp] = v.toExponential().split('e') as [string, string];
  return trim({ d: mantissa.replace('.', ''), dp: Number(exp) + 1 });
}

/** strconv's decimal.Round: to `nd` digits, half to even on the exact value. */
function round(digits: Digits, nd: number): Digits {
  const { d } = digits;
  if (nd < 0 || nd >= d.length) return digits;
  const next = d[nd] as string;
  const up = next === '5' && nd + 1 === d.length ? nd > 0 && Number(d[nd - 1]) % 2 === 1 : next >= '5';
  if (!up) return trim({ d: d.slice(0, nd), dp: digits.dp });
  let i = nd - 1;
  while (i >= 0 && d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: digits.dp + 1 };
  return { d: d.slice(0, i) + String(Number(d[i]) + 1), dp: digits.dp };
}

function fmtE(neg: boolean, digs: Digits, prec: number, letter: 'e' | 'E'): string {
  let out = neg ? '-' : '';
  out += digs.d.length > 0 ? digs.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const more = digs.d.slice(1, Math.min(digs.d.length, prec + 1));
    out += more + '0'.repeat(prec - more.length);
  }
  let exp = digs.d.length === 0 ? 0 : digs.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${out}${letter}${sign}${exp < 10 ? `0${exp}` : String(exp)}`;
}

function fmtF(neg: boolean, digs: Digits, prec: number): string {
  let out = neg ? '-' : '';
  if (digs.dp > 0) {
    const m = Math.min(digs.d.length, digs.dp);
    out += digs.d.slice(0, m) + '0'.repeat(digs.dp - m);
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = digs.dp + i;
      out += j >= 0 && j < digs.d.length ? digs.d[j] : '0';
    }
  }
  return out;
}

/** strconv.FormatFloat(v, verb, prec, 64) for verbs e E f g G; prec -1 is the shortest form. */
export function formatFloat(v: number, verb: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  const shortest = prec < 0;
  let digs: Digits;
  if (shortest) {
    digs = shortestDigits(abs);
    if (verb === 'e' || verb === 'E') prec = Math.max(digs.d.length - 1, 0);
    else if (verb === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const exact = exactDigits(abs);
    if (verb === 'e' || verb === 'E') digs = round(exact, prec + 1);
    else if (verb === 'f') digs = round(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = round(exact, prec);
    }
  }
  if (verb === 'e' || verb === 'E') return fmtE(neg, digs, prec, verb);
  if (verb === 'f') return fmtF(neg, digs, prec);
  let eprec = prec;
  if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
  if (shortest) eprec = 6;
  const exp = digs.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > digs.d.length) prec = digs.d.length;
    return fmtE(neg, digs, prec - 1, verb === 'g' ? 'e' : 'E');
  }
  if (prec > digs.dp) prec = digs.d.length;
  return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
}

interface Spec {
  plus: boolean;
  minus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width?: number;
  prec?: number;
}

function pad(s: string, spec: Spec, zeroAllowed = true): string {
  const length = [...s].length;
  if (spec.width === undefined || length >= spec.width) return s;
  const fill = spec.width - length;
  if (spec.minus) return s + ' '.repeat(fill);
  return (spec.zero && zeroAllowed ? '0' : ' ').repeat(fill) + s;
}

function formatFloatVerb(v: number, verb: string, spec: Spec): string {
  const goVerb = verb === 'v' ? 'g' : verb === 'F' ? 'f' : verb;
  const defaultPrec = verb === 'v' || verb === 'g' || verb === 'G' ? -1 : 6;
  let num = formatFloat(v, goVerb as 'e' | 'E' | 'f' | 'g' | 'G', spec.prec ?? defaultPrec);
  if (num[0] !== '-' && num[0] !== '+') num = `+${num}`;
  if (spec.space && num[0] === '+' && !spec.plus) num = ` ${num.slice(1)}`;
  if (num[1] === 'I' || num[1] === 'N') {
    if (num[1] === 'N' && !spec.space && !spec.plus) num = num.slice(1);
    return pad(num, spec, false);
  }
  if (spec.plus || num[0] !== '+') {
    if (spec.zero && !spec.minus && spec.width !== undefined && spec.width > num.length) {
      return num[0] + '0'.repeat(spec.width - num.length) + num.slice(1);
    }
    return pad(num, spec);
  }
  return pad(num.slice(1), spec);
}

function formatInteger(v: number, verb: string, spec: Spec): string {
  const neg = v < 0;
  const abs = Math.abs(v);
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'd':
    case 'v':
      digits = abs.toString(10);
      break;
    case 'x':
      digits = abs.toString(16);
      if (spec.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = '0X';
      break;
    case 'o':
      digits = abs.toString(8);
      if (spec.sharp) prefix = '0';
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    default:
      digits = abs.toString(10);
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && abs === 0) digits = '';
    else if (digits.length < spec.prec) digits = '0'.repeat(spec.prec - digits.length) + digits;
  }
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  const body = prefix + digits;
  if (spec.zero && !spec.minus && spec.prec === undefined && spec.width !== undefined) {
    const fill = spec.width - sign.length - body.length;
    if (fill > 0) return sign + prefix + '0'.repeat(fill) + digits;
  }
  return pad(sign + body, { ...spec, zero: false });
}

/** Go's %q: a double-quoted Go string literal. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function hexString(s: string, upper: boolean): string {
  const hex = Buffer.from(s, 'utf8').toString('hex');
  return upper ? hex.toUpperCase() : hex;
}

/** `fmt.Sprint` of one value (`%v`), as a template prints `{{ x }}`. */
export function goPrint(v: GoValue): string {
  switch (v.kind) {
    case 'float':
      return formatFloat(v.value, 'g', -1);
    case 'int':
      return String(v.value);
    case 'string':
      return v.value;
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'map':
      return `map[${Object.keys(v.value)
        .sort()
        .map((k) => `${k}:${v.value[k]}`)
        .join(' ')}]`;
    case 'nil':
      return '<nil>';
  }
}

function badVerb(verb: string, v: GoValue): string {
  if (v.kind === 'nil') return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${goPrint(v)})`;
}

function formatOne(v: GoValue, verb: string, spec: Spec): string {
  switch (v.kind) {
    case 'float':
      if ('vfFeEgG'.includes(verb)) return formatFloatVerb(v.value, verb, spec);
      return badVerb(verb, v);
    case 'int':
      if ('vdxXob'.includes(verb)) return formatInteger(v.value, verb, spec);
      if (verb === 'c') return pad(String.fromCodePoint(v.value), spec);
      return badVerb(verb, v);
    case 'string': {
      const limited = spec.prec !== undefined ? [...v.value].slice(0, spec.prec).join('') : v.value;
      if (verb === 's' || verb === 'v') return pad(limited, spec);
      if (verb === 'q') return pad(goQuote(limited), spec);
      if (verb === 'x' || verb === 'X') return pad(hexString(limited, verb === 'X'), spec);
      return badVerb(verb, v);
    }
    case 'bool':
      if (verb === 't' || verb === 'v') return pad(v.value ? 'true' : 'false', spec);
      return badVerb(verb, v);
    case 'map':
      if (verb === 'v') return pad(goPrint(v), spec);
      return badVerb(verb, v);
    case 'nil':
      if (verb === 'v') return pad('<nil>', spec);
      return badVerb(verb, v);
  }
}

/** fmt.Sprintf for the verbs and flags listed at the top of this file. */
export function goSprintf(format: string, args: GoValue[]): string {
  let out = '';
  let argIndex = 0;
  let i = 0;
  while (i < format.length) {
    const ch = format[i] as string;
    if (ch !== '%') {
      out += ch;
      i++;
      continue;
    }
    i++;
    const spec: Spec = { plus: false, minus: false, space: false, zero: false, sharp: false };
    for (; i < format.length; i++) {
      const flag = format[i];
      if (flag === '+') spec.plus = true;
      else if (flag === '-') spec.minus = true;
      else if (flag === ' ') spec.space = true;
      else if (flag === '0') spec.zero = !spec.minus;
      else if (flag === '#') spec.sharp = true;
      else break;
    }
    if (format[i] === '*') {
      const arg = args[argIndex++];
      if (arg?.kind === 'int') {
        spec.width = Math.abs(arg.value);
        if (arg.value < 0) spec.minus = true;
      } else out += '%!(BADWIDTH)';
      i++;
    } else {
      const start = i;
      while (i < format.length && /[0-9]/.test(format[i] as string)) i++;
      if (i > start) spec.width = Number(format.slice(start, i));
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        const arg = args[argIndex++];
        if (arg?.kind === 'int' && arg.value >= 0) spec.prec = arg.value;
        else out += '%!(BADPREC)';
        i++;
      } else {
        const start = i;
        while (i < format.length && /[0-9]/.test(format[i] as string)) i++;
        spec.prec = Number(format.slice(start, i) || '0');
      }
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    const arg = args[argIndex++];
    if (arg === undefined) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(arg, verb, spec);
  }
  if (argIndex < args.length) {
    out += `%!(EXTRA ${args
      .slice(argIndex)
      .map((a) => (a.kind === 'nil' ? '<nil>' : `${goTypeName(a)}=${goPrint(a)}`))
      .join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: operands are separated by a space when neither side is a string. */
export function goSprint(args: GoValue[]): string {
  let out = '';
  args.forEach((arg, i) => {
    const previous = args[i - 1];
    if (i > 0 && arg.kind !== 'string' && previous?.kind !== 'string') out += ' ';
    out += goPrint(arg);
  });
  return out;
}

/** fmt.Sprintln: always a space between operands, and a newline at the end. */
export function goSprintln(args: GoValue[]): string {
  return `${args.map(goPrint).join(' ')}\n`;
}
