/**
 * Prometheus's alert templates: Go's text/template with Prometheus's functions, executed as
 * `rules/alerting.go` does (the `$labels`, `$externalLabels`, `$externalURL` and `$value`
 * definitions prepended, `missingkey=zero`, the template named `__alert_<name>`), so that a
 * summary reads here as it reads in Alertmanager, and a template Prometheus cannot parse fails
 * with the words Prometheus uses (`function "mul" not defined`).
 *
 * The subset: text, `{{ }}` actions with `{{-`/`-}}` trimming and comments; pipelines with `|`;
 * parenthesised pipelines; variables with field chains (`$labels.tenant`), `.Labels`/`.Value`;
 * string, raw-string, number, bool and nil literals; `{{ $x := … }}`; `if`/`else if`/`else`/
 * `with`/`end`; Go's built-in functions (and or not len index print printf println eq ne lt le gt
 * ge html js urlquery) and Prometheus's (humanize, humanize1024, humanizeDuration,
 * humanizePercentage, humanizeTimestamp, title, toUpper, toLower, match, reReplaceAll, stripPort,
 * stripDomain, parseDuration, safeHtml, pathPrefix, externalURL). `range`, `define`, `template`
 * and `block` are refused when parsed; `query` and the functions over its results (`first`,
 * `label`, `value`, `sortByLabel`, …) parse, as in Prometheus, and fail when executed: the checker
 * runs no query from a template.
 */
import { parsePrometheusDuration } from './duration.js';
import {
  formatFloat,
  type GoValue,
  goFloat,
  goPrint,
  goQuote,
  goSprint,
  goSprintf,
  goSprintln,
  goString,
  goTypeName,
} from './gofmt.js';

/** What a template sees: the alert's labels and value (`.Labels`, `.Value`), and Prometheus's own. */
export interface TemplateData {
  labels: Record<string, string>;
  value: number;
  externalLabels?: Record<string, string>;
  externalURL?: string;
}

type Value = GoValue | { kind: 'data'; data: TemplateData };

type Arg =
  | { type: 'var'; name: string; fields: string[]; pos: number; text: string }
  | { type: 'field'; fields: string[]; pos: number; text: string }
  | { type: 'dot'; pos: number; text: string }
  | { type: 'ident'; name: string; pos: number; text: string }
  | { type: 'literal'; value: GoValue; pos: number; text: string }
  | { type: 'pipe'; pipe: Pipe; pos: number; text: string };

interface Command {
  args: Arg[];
  pos: number;
}

interface Pipe {
  decl?: { names: string[]; assign: boolean };
  cmds: Command[];
  pos: number;
}

type TemplateNode =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipe }
  | { type: 'if' | 'with'; pipe: Pipe; list: TemplateNode[]; elseList?: TemplateNode[] };

/** A template Prometheus would reject, or one that failed while it ran: Prometheus's message. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** Go's built-ins and Prometheus's functions: a name outside this set does not parse. */
const GO_BUILTINS = [
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
];
const PROMETHEUS_FUNCTIONS = [
  'query',
  'first',
  'label',
  'value',
  'strvalue',
  'args',
  'reReplaceAll',
  'safeHtml',
  'match',
  'title',
  'toUpper',
  'toLower',
  'graphLink',
  'tableLink',
  'sortByLabel',
  'stripPort',
  'stripDomain',
  'humanize',
  'humanize1024',
  'humanizeDuration',
  'humanizePercentage',
  'humanizeTimestamp',
  'toTime',
  'pathPrefix',
  'externalURL',
  'parseDuration',
];
const DEFINED_FUNCTIONS = new Set([...GO_BUILTINS, ...PROMETHEUS_FUNCTIONS]);
const NEEDS_A_QUERY = new Set([
  'query',
  'first',
  'label',
  'value',
  'strvalue',
  'sortByLabel',
  'graphLink',
  'tableLink',
  'toTime',
  'args',
  'call',
  'slice',
]);

/** Prometheus prepends these to every alert template (rules/alerting.go). */
const DEFINITIONS =
  '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';
const PREDEFINED = ['$labels', '$externalLabels', '$externalURL', '$value'];

// ---------------------------------------------------------------------------------------------
// Parsing

type Token =
  | { kind: 'space'; pos: number }
  | { kind: 'string' | 'raw' | 'char' | 'number' | 'ident' | 'var' | 'field'; text: string; pos: number }
  | { kind: '(' | ')' | '|' | ':=' | '=' | ',' | 'dot'; pos: number; text: string };

interface ListEnd {
  kind: 'eof' | 'end' | 'else';
  pos: number;
  /** Where the text after the closing action starts, and whether that action trims it (` -}}`). */
  next: number;
  trimRight: boolean;
  /** `{{else if x}}` / `{{else with x}}`: the chained condition. */
  elsePipe?: Pipe;
}

class Parser {
  private vars: string[][] = [PREDEFINED.slice()];
  constructor(
    private readonly name: string,
    private readonly full: string,
    /** Offset of the user's text in `full` (after the definitions). */
    private readonly offset: number,
  ) {}

  private fail(pos: number, message: string): never {
    const line = 1 + countNewlines(this.full.slice(0, pos));
    throw new TemplateError(`template: ${this.name}:${line}: ${message}`);
  }

  parse(): TemplateNode[] {
    const { nodes, end } = this.parseList(this.offset, [], false);
    if (end.kind !== 'eof') this.fail(end.pos, `unexpected {{${end.kind}}}`);
    return nodes;
  }

  /** Reads nodes until `{{end}}`, `{{else}}` (when `stop` allows them) or the end of the text. */
  private parseList(
    start: number,
    stop: ('end' | 'else')[],
    trimFirst: boolean,
  ): { nodes: TemplateNode[]; end: ListEnd } {
    const nodes: TemplateNode[] = [];
    const text = this.full;
    let i = start;
    let trimNextText = trimFirst;
    for (;;) {
      const open = text.indexOf('{{', i);
      let chunk = open < 0 ? text.slice(i) : text.slice(i, open);
      if (trimNextText) chunk = chunk.replace(/^[ \t\r\n]+/, '');
      const trimLeft = open >= 0 && /^\{\{-[ \t\r\n]/.test(text.slice(open, open + 4));
      if (trimLeft) chunk = chunk.replace(/[ \t\r\n]+$/, '');
      if (chunk.length > 0) nodes.push({ type: 'text', text: chunk });
      if (open < 0)
        return { nodes, end: { kind: 'eof', pos: text.length, next: text.length, trimRight: false } };
      const inside = open + 2 + (trimLeft ? 2 : 0);
      // Comments: {{/* … */}}, directly inside the delimiters.
      if (text.startsWith('/*', inside)) {
        const close = text.indexOf('*/', inside + 2);
        if (close < 0) this.fail(inside, 'unclosed comment');
        let after = close + 2;
        const trimRight = /^[ \t\r\n]-\}\}/.test(text.slice(after, after + 4));
        if (trimRight) after += 2;
        if (!text.startsWith('}}', after)) this.fail(after, 'comment ends before closing delimiter');
        i = after + 2;
        trimNextText = trimRight;
        continue;
      }
      const action = this.lexAction(inside);
      const toks = action.tokens.filter((t) => t.kind !== 'space');
      const first = toks[0];
      if (!first) this.fail(open, 'missing value for command');
      if (first.kind === 'ident' && (first.text === 'end' || first.text === 'else')) {
        const kind = first.text;
        if (!stop.includes(kind)) this.fail(first.pos, `unexpected {{${kind}}}`);
        const second = toks[1];
        if (kind === 'else' && second?.kind === 'ident' && (second.text === 'if' || second.text === 'with')) {
          const elsePipe = this.parsePipe(toks.slice(2), second.pos, true);
          return {
            nodes,
            end: { kind, pos: first.pos, next: action.next, trimRight: action.trimRight, elsePipe },
          };
        }
        if (second) this.fail(second.pos, `unexpected ${tokenText(second)} in ${kind}`);
        return { nodes, end: { kind, pos: first.pos, next: action.next, trimRight: action.trimRight } };
      }
      if (first.kind === 'ident' && (first.text === 'if' || first.text === 'with')) {
        this.vars.push([]);
        const pipe = this.parsePipe(toks.slice(1), first.pos, true);
        const { node, end } = this.parseBranches(first.text, pipe, action.next, action.trimRight);
        this.vars.pop();
        if (end.kind !== 'end') this.fail(text.length, 'unexpected EOF');
        nodes.push(node);
        i = end.next;
        trimNextText = end.trimRight;
        continue;
      }
      if (
        first.kind === 'ident' &&
        ['range', 'define', 'template', 'block', 'break', 'continue'].includes(first.text)
      ) {
        this.fail(first.pos, `{{${first.text}}} is not supported by the checker's templates`);
      }
      nodes.push({ type: 'action', pipe: this.parsePipe(toks, first.pos, true) });
      i = action.next;
      trimNextText = action.trimRight;
    }
  }

  /** The body of an `if`/`with` and its `else` branches, up to the shared `{{end}}`. */
  private parseBranches(
    kind: 'if' | 'with',
    pipe: Pipe,
    after: number,
    trimFirst: boolean,
  ): { node: TemplateNode; end: ListEnd } {
    const body = this.parseList(after, ['end', 'else'], trimFirst);
    let end = body.end;
    let elseList: TemplateNode[] | undefined;
    if (end.kind === 'else') {
      this.vars.push([]);
      if (end.elsePipe) {
        // `{{else if x}}` is `{{else}}{{if x}}…{{end}}{{end}}` with one shared end.
        const nested = this.parseBranches(kind, end.elsePipe, end.next, end.trimRight);
        elseList = [nested.node];
        end = nested.end;
      } else {
        const rest = this.parseList(end.next, ['end'], end.trimRight);
        elseList = rest.nodes;
        end = rest.end;
      }
      this.vars.pop();
    }
    return { node: { type: kind, pipe, list: body.nodes, ...(elseList ? { elseList } : {}) }, end };
  }

  /** Lexes one action from just inside `{{` (after its trim marker) to its `}}`. */
  private lexAction(start: number): { tokens: Token[]; next: number; trimRight: boolean } {
    const text = this.full;
    const tokens: Token[] = [];
    let i = start;
    let depth = 0;
    for (;;) {
      if (i >= text.length) this.fail(start, 'unclosed action');
      const ch = text[i] as string;
      if (/[ \t\r\n]/.test(ch)) {
        if (depth === 0 && /^[ \t\r\n]-\}\}/.test(text.slice(i, i + 4))) {
          return { tokens, next: i + 4, trimRight: true };
        }
        const from = i;
        while (i < text.length && /[ \t\r\n]/.test(text[i] as string)) i++;
        tokens.push({ kind: 'space', pos: from });
        continue;
      }
      if (text.startsWith('}}', i)) {
        if (depth > 0) this.fail(i, 'unclosed left paren');
        return { tokens, next: i + 2, trimRight: false };
      }
      if (ch === '(' || ch === ')' || ch === '|' || ch === ',' || ch === '=') {
        if (ch === '(') depth++;
        if (ch === ')') {
          depth--;
          if (depth < 0) this.fail(i, 'unexpected right paren');
        }
        tokens.push({ kind: ch, pos: i, text: ch });
        i++;
        continue;
      }
      if (ch === ':' && text[i + 1] === '=') {
        tokens.push({ kind: ':=', pos: i, text: ':=' });
        i += 2;
        continue;
      }
      if (ch === '"') {
        let j = i + 1;
        while (j < text.length && text[j] !== '"') {
          if (text[j] === '\\') j++;
          if (text[j] === '\n') this.fail(i, 'unterminated quoted string');
          j++;
        }
        if (j >= text.length) this.fail(i, 'unterminated quoted string');
        tokens.push({ kind: 'string', text: text.slice(i, j + 1), pos: i });
        i = j + 1;
        continue;
      }
      if (ch === '`') {
        const close = text.indexOf('`', i + 1);
        if (close < 0) this.fail(i, 'unterminated raw quoted string');
        tokens.push({ kind: 'raw', text: text.slice(i, close + 1), pos: i });
        i = close + 1;
        continue;
      }
      if (ch === "'") {
        const m = /^'(\\.|[^\\'])+'/.exec(text.slice(i));
        if (!m) this.fail(i, 'unterminated character constant');
        tokens.push({ kind: 'char', text: m[0], pos: i });
        i += m[0].length;
        continue;
      }
      const startsNumber =
        /\d/.test(ch) || ((ch === '+' || ch === '-' || ch === '.') && /\d/.test(text[i + 1] ?? ''));
      const number = startsNumber
        ? /^[+-]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?)/.exec(text.slice(i))
        : null;
      if (number) {
        tokens.push({ kind: 'number', text: number[0], pos: i });
        i += number[0].length;
        continue;
      }
      if (ch === '$') {
        const m = /^\$[A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*/.exec(text.slice(i)) as RegExpExecArray;
        tokens.push({ kind: 'var', text: m[0], pos: i });
        i += m[0].length;
        continue;
      }
      if (ch === '.') {
        const m = /^(\.[A-Za-z0-9_]+)+/.exec(text.slice(i));
        if (m) {
          tokens.push({ kind: 'field', text: m[0], pos: i });
          i += m[0].length;
        } else {
          tokens.push({ kind: 'dot', pos: i, text: '.' });
          i++;
        }
        continue;
      }
      const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      if (ident) {
        tokens.push({ kind: 'ident', text: ident[0], pos: i });
        i += ident[0].length;
        continue;
      }
      this.fail(i, `unexpected "${ch}" in command`);
    }
  }

  /** A pipeline from the action's tokens (spaces removed): `[$x :=] cmd [| cmd]…`. */
  private parsePipe(tokens: Token[], pos: number, allowDecl = false): Pipe {
    let rest = tokens.filter((t) => t.kind !== 'space');
    let decl: Pipe['decl'];
    const head = rest[0];
    if (allowDecl && head?.kind === 'var' && (rest[1]?.kind === ':=' || rest[1]?.kind === '=')) {
      const assign = rest[1]?.kind === '=';
      if (assign && !this.isDefined(head.text)) this.fail(head.pos, `undefined variable "${head.text}"`);
      decl = { names: [head.text], assign };
      rest = rest.slice(2);
    }
    const cmds: Command[] = [];
    let current: Arg[] = [];
    let cmdPos = rest[0]?.pos ?? pos;
    let i = 0;
    while (i < rest.length) {
      const t = rest[i] as Token;
      if (t.kind === '|') {
        // Go: a pipe that starts a pipeline is unexpected, two in a row make an empty command, and
        // one at the end is ignored.
        if (current.length === 0)
          this.fail(t.pos, cmds.length === 0 ? 'unexpected "|" in command' : 'empty command');
        cmds.push({ args: current, pos: cmdPos });
        current = [];
        cmdPos = rest[i + 1]?.pos ?? t.pos;
        i++;
        continue;
      }
      if (t.kind === '(') {
        let depth = 1;
        let j = i + 1;
        while (j < rest.length && depth > 0) {
          if (rest[j]?.kind === '(') depth++;
          if (rest[j]?.kind === ')') depth--;
          j++;
        }
        const pipe = this.parsePipe(rest.slice(i + 1, j - 1), t.pos);
        current.push({ type: 'pipe', pipe, pos: t.pos, text: `(${pipeText(pipe)})` });
        i = j;
        continue;
      }
      current.push(this.operand(t));
      i++;
    }
    if (current.length > 0) cmds.push({ args: current, pos: cmdPos });
    if (cmds.length === 0) this.fail(pos, 'missing value for command');
    if (decl && !decl.assign) this.vars[this.vars.length - 1]?.push(...decl.names);
    return { ...(decl ? { decl } : {}), cmds, pos };
  }

  private isDefined(name: string): boolean {
    return name === '$' || this.vars.some((scope) => scope.includes(name));
  }

  private operand(t: Token): Arg {
    switch (t.kind) {
      case 'string': {
        const value = unquoteGo(t.text, () => this.fail(t.pos, `bad string ${t.text}`));
        return { type: 'literal', value: goString(value), pos: t.pos, text: t.text };
      }
      case 'raw':
        return { type: 'literal', value: goString(t.text.slice(1, -1)), pos: t.pos, text: t.text };
      case 'char': {
        const s = unquoteGo(`"${t.text.slice(1, -1)}"`, () =>
          this.fail(t.pos, `bad character constant ${t.text}`),
        );
        return {
          type: 'literal',
          value: { kind: 'int', value: s.codePointAt(0) as number },
          pos: t.pos,
          text: t.text,
        };
      }
      case 'number': {
        const clean = t.text.replace(/_/g, '');
        if (/^[+-]?0[xX]/.test(clean)) {
          const value = Number.parseInt(clean, 16);
          return { type: 'literal', value: { kind: 'int', value }, pos: t.pos, text: t.text };
        }
        const value = Number(clean);
        if (!Number.isFinite(value)) this.fail(t.pos, `illegal number syntax: "${t.text}"`);
        const isFloat = /[.eE]/.test(clean);
        return {
          type: 'literal',
          value: isFloat ? goFloat(value) : { kind: 'int', value },
          pos: t.pos,
          text: t.text,
        };
      }
      case 'var': {
        const [name, ...fields] = t.text.split('.') as [string, ...string[]];
        if (!this.isDefined(name)) this.fail(t.pos, `undefined variable "${name}"`);
        return { type: 'var', name, fields, pos: t.pos, text: t.text };
      }
      case 'field':
        return { type: 'field', fields: t.text.slice(1).split('.'), pos: t.pos, text: t.text };
      case 'dot':
        return { type: 'dot', pos: t.pos, text: '.' };
      case 'ident': {
        if (t.text === 'true' || t.text === 'false') {
          return {
            type: 'literal',
            value: { kind: 'bool', value: t.text === 'true' },
            pos: t.pos,
            text: t.text,
          };
        }
        if (t.text === 'nil') return { type: 'literal', value: { kind: 'nil' }, pos: t.pos, text: 'nil' };
        if (!DEFINED_FUNCTIONS.has(t.text)) this.fail(t.pos, `function "${t.text}" not defined`);
        return { type: 'ident', name: t.text, pos: t.pos, text: t.text };
      }
      default:
        this.fail(t.pos, `unexpected ${tokenText(t)} in operand`);
    }
  }
}

function tokenText(t: Token | undefined): string {
  if (!t) return 'EOF';
  return 'text' in t ? `"${t.text}"` : 'space';
}

function pipeText(pipe: Pipe): string {
  const decl = pipe.decl ? `${pipe.decl.names.join(', ')} ${pipe.decl.assign ? '=' : ':='} ` : '';
  return decl + pipe.cmds.map(commandText).join(' | ');
}

function commandText(cmd: Command): string {
  return cmd.args.map((a) => a.text).join(' ');
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}

/** strconv.Unquote for a double-quoted Go string. */
function unquoteGo(literal: string, fail: () => never): string {
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (next !== undefined && next in simple) {
      out += simple[next];
      continue;
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 1, i + 1 + hexLength);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) fail();
      out += String.fromCodePoint(Number.parseInt(hex, 16));
      i += hexLength;
      continue;
    }
    if (next !== undefined && /[0-7]/.test(next)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) fail();
      out += String.fromCharCode(Number.parseInt(oct, 8));
      i += 2;
      continue;
    }
    fail();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Execution

/** A failure while executing; `calling` ones came out of a function and read "error calling f: …". */
class ExecError extends Error {
  constructor(
    message: string,
    readonly calling = true,
    /** A wrong argument: Go names that argument, not the command. */
    readonly argIndex?: number,
  ) {
    super(message);
  }
}

interface Scope {
  vars: Map<string, Value>;
  parent?: Scope;
}

function lookup(scope: Scope, name: string): Value | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const v = s.vars.get(name);
    if (v !== undefined) return v;
  }
  return undefined;
}

function assign(scope: Scope, name: string, value: Value): void {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    if (s.vars.has(name)) {
      s.vars.set(name, value);
      return;
    }
  }
}

function typeName(v: Value): string {
  return v.kind === 'data' ? 'template.tmplData' : goTypeName(v);
}

function printValue(v: Value): string {
  if (v.kind === 'data') {
    const d = v.data;
    return `{${goPrint({ kind: 'map', value: d.labels })} ${goPrint({ kind: 'map', value: d.externalLabels ?? {} })} ${d.externalURL ?? ''} ${goPrint(goFloat(d.value))}}`;
  }
  return goPrint(v);
}

function asGo(v: Value): GoValue {
  if (v.kind === 'data') return goString(printValue(v));
  return v;
}

function isTrue(v: Value): boolean {
  switch (v.kind) {
    case 'bool':
      return v.value;
    case 'float':
    case 'int':
      return v.value !== 0;
    case 'string':
      return v.value.length > 0;
    case 'map':
      return Object.keys(v.value).length > 0;
    case 'nil':
      return false;
    case 'data':
      return true;
  }
}

function field(v: Value, name: string): Value {
  if (v.kind === 'data') {
    switch (name) {
      case 'Labels':
        return { kind: 'map', value: v.data.labels };
      case 'ExternalLabels':
        return { kind: 'map', value: v.data.externalLabels ?? {} };
      case 'ExternalURL':
        return goString(v.data.externalURL ?? '');
      case 'Value':
        return goFloat(v.data.value);
      default:
        throw new ExecError(`can't evaluate field ${name} in type template.tmplData`, false);
    }
  }
  if (v.kind === 'map') return goString(v.value[name] ?? '');
  if (v.kind === 'nil') throw new ExecError(`nil pointer evaluating interface {}.${name}`, false);
  throw new ExecError(`can't evaluate field ${name} in type ${typeName(v)}`, false);
}

/** Prometheus's convertToFloat. */
function toFloat(v: Value): number {
  switch (v.kind) {
    case 'float':
    case 'int':
      return v.value;
    case 'string':
      return parseGoFloat(v.value);
    default:
      throw new ExecError(`can't convert ${typeName(v)} to float`);
  }
}

function parseGoFloat(s: string): number {
  const t = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t))
    return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[+-]?nan$/.test(t)) return Number.NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(t);
  throw new ExecError(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
}

function needString(v: Value, argIndex = 0): string {
  if (v.kind !== 'string') {
    throw new ExecError(`wrong type for value; expected string; got ${typeName(v)}`, false, argIndex);
  }
  return v.value;
}

function sig4(v: number, suffix = ''): string {
  return goSprintf(`%.4g${suffix}`, [goFloat(v)]);
}

const PREFIX_BIG = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const PREFIX_SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

function humanize(v: number): string {
  if (v === 0 || Number.isNaN(v) || !Number.isFinite(v)) return sig4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of PREFIX_BIG) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return sig4(v) + prefix;
  }
  for (const p of PREFIX_SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return sig4(v) + prefix;
}

function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || Number.isNaN(v) || !Number.isFinite(v)) return sig4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return sig4(v) + prefix;
}

/** Go's int64(f) on amd64 (Debian's build): out of range, it is the "integer indefinite" MinInt64. */
function int64(v: number): bigint {
  if (Number.isNaN(v) || v >= 2 ** 63 || v < -(2 ** 63)) return -(2n ** 63n);
  return BigInt(Math.trunc(v));
}

function humanizeDuration(v: number): string {
  if (Number.isNaN(v) || !Number.isFinite(v)) return sig4(v);
  if (v === 0) return `${sig4(v)}s`;
  if (Math.abs(v) >= 1) {
    let sign = '';
    if (v < 0) {
      sign = '-';
      v = -v;
    }
    const duration = int64(v);
    const seconds = duration % 60n;
    const minutes = (duration / 60n) % 60n;
    const hours = (duration / 3600n) % 24n;
    const days = duration / 86_400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${sig4(v)}s`;
  }
  let prefix = '';
  for (const p of PREFIX_SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${sig4(v)}${prefix}s`;
}

/** fmt.Sprint(time.Time) in UTC at model.Time's millisecond precision. */
function goTimeString(seconds: number): string {
  if (Number.isNaN(seconds) || !Number.isFinite(seconds)) return sig4(seconds);
  const ns = seconds * 1e9;
  if (ns > 9.223372036854776e18 || ns < -9.223372036854776e18) {
    throw new ExecError(
      `${formatFloat(seconds, 'g', -1)} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  }
  const ms = Math.trunc(ns / 1e6);
  const date = new Date(ms);
  const iso = date.toISOString();
  const frac = (((ms % 1000) + 1000) % 1000).toString().padStart(3, '0').replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}

function htmlEscape(s: string): string {
  return s.replace(
    /[\0"'&<>]/g,
    (c) =>
      ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string,
  );
}

function jsEscape(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.codePointAt(0) as number;
    if (c === '\\') out += '\\\\';
    else if (c === "'") out += "\\'";
    else if (c === '"') out += '\\"';
    else if (c === '<') out += '\\u003C';
    else if (c === '>') out += '\\u003E';
    else if (c === '&') out += '\\u0026';
    else if (c === '=') out += '\\u003D';
    else if (code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/~/g, '~');
}

/** Go's strings.Title: the first letter of each word upper-cased. */
function title(s: string): string {
  let previous = ' ';
  let out = '';
  for (const c of s) {
    const separator = !/[\p{L}\p{N}_]/u.test(previous);
    out += separator ? c.toUpperCase() : c;
    previous = c;
  }
  return out;
}

function goRegExp(pattern: string, flags = ''): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new ExecError(`regexp: Compile(${goQuote(pattern)}): ${(error as Error).message}`);
  }
}

type Ordered =
  | { kind: 'int' | 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean };

function basic(v: Value): Ordered {
  if (v.kind === 'int' || v.kind === 'float' || v.kind === 'string' || v.kind === 'bool') return v;
  throw new ExecError('invalid type for comparison');
}

function equal(a: Value, b: Value): boolean {
  const x = basic(a);
  const y = basic(b);
  if (x.kind !== y.kind) throw new ExecError('incompatible types for comparison');
  return x.value === y.value;
}

function less(a: Value, b: Value): boolean {
  const x = basic(a);
  const y = basic(b);
  if (x.kind === 'bool' || y.kind === 'bool') throw new ExecError('invalid type for comparison');
  if (x.kind !== y.kind) throw new ExecError('incompatible types for comparison');
  return x.value < y.value;
}

const bool = (value: boolean): Value => ({ kind: 'bool', value });

function arity(name: string, args: Value[], n: number): void {
  if (args.length !== n)
    throw new ExecError(`wrong number of args for ${name}: want ${n} got ${args.length}`, false);
}

function callFunction(name: string, args: Value[], data: TemplateData): Value {
  if (NEEDS_A_QUERY.has(name)) {
    throw new ExecError(
      `function "${name}" is not supported by the checker: it runs no query from a template`,
      false,
    );
  }
  const one = () => {
    arity(name, args, 1);
    return args[0] as Value;
  };
  switch (name) {
    case 'humanize':
      return goString(humanize(toFloat(one())));
    case 'humanize1024':
      return goString(humanize1024(toFloat(one())));
    case 'humanizeDuration':
      return goString(humanizeDuration(toFloat(one())));
    case 'humanizePercentage':
      return goString(sig4(toFloat(one()) * 100, '%%'));
    case 'humanizeTimestamp':
      return goString(goTimeString(toFloat(one())));
    case 'title':
      return goString(title(needString(one())));
    case 'toUpper':
      return goString(needString(one()).toUpperCase());
    case 'toLower':
      return goString(needString(one()).toLowerCase());
    case 'safeHtml':
      return goString(needString(one()));
    case 'match': {
      arity(name, args, 2);
      const [pattern, text] = args.map((a, i) => needString(a, i)) as [string, string];
      return bool(goRegExp(pattern).test(text));
    }
    case 'reReplaceAll': {
      arity(name, args, 3);
      const [pattern, repl, text] = args.map((a, i) => needString(a, i)) as [string, string, string];
      const jsRepl = repl.replace(/\$\{(\w+)\}/g, (_m, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`));
      return goString(text.replace(goRegExp(pattern, 'g'), jsRepl));
    }
    case 'stripPort': {
      const hostPort = needString(one());
      const m = /^\[([^\]]*)\]:\d*$/.exec(hostPort) ?? /^([^:]*):\d*$/.exec(hostPort);
      return goString(m ? (m[1] as string) : hostPort);
    }
    case 'stripDomain': {
      const hostPort = needString(one());
      const m = /^\[([^\]]*)\]:(\d*)$/.exec(hostPort) ?? /^([^:]*):(\d*)$/.exec(hostPort);
      const host = m ? (m[1] as string) : hostPort;
      const port = m ? (m[2] as string) : '';
      if (/^[\d.]+$/.test(host) || host.includes(':')) return goString(hostPort);
      const short = host.split('.')[0] as string;
      return goString(port !== '' ? `${short}:${port}` : short);
    }
    case 'parseDuration': {
      const parsed = parsePrometheusDuration(needString(one()));
      if ('error' in parsed) throw new ExecError(parsed.error);
      return goFloat(parsed.ms / 1000);
    }
    case 'pathPrefix':
      arity(name, args, 0);
      return goString(data.externalURL ? new URL(data.externalURL).pathname : '');
    case 'externalURL':
      arity(name, args, 0);
      return goString(data.externalURL ?? '');
    case 'printf': {
      if (args.length === 0) throw new ExecError('wrong number of args for printf: want at least 1 got 0');
      const format = needString(args[0] as Value);
      return goString(goSprintf(format, args.slice(1).map(asGo)));
    }
    case 'print':
      return goString(goSprint(args.map(asGo)));
    case 'println':
      return goString(goSprintln(args.map(asGo)));
    case 'len': {
      const v = one();
      if (v.kind === 'string') return { kind: 'int', value: Buffer.byteLength(v.value) };
      if (v.kind === 'map') return { kind: 'int', value: Object.keys(v.value).length };
      throw new ExecError(`len of type ${typeName(v)}`);
    }
    case 'index': {
      if (args.length < 1) throw new ExecError('wrong number of args for index: want at least 1 got 0');
      let v = args[0] as Value;
      for (const [i, key] of args.slice(1).entries()) {
        if (v.kind !== 'map') throw new ExecError(`can't index item of type ${typeName(v)}`);
        v = goString(v.value[needString(key, i + 1)] ?? '');
      }
      return v;
    }
    case 'not':
      return bool(!isTrue(one()));
    case 'and': {
      if (args.length === 0) throw new ExecError('wrong number of args for and: want at least 1 got 0');
      for (const a of args) if (!isTrue(a)) return a;
      return args[args.length - 1] as Value;
    }
    case 'or': {
      if (args.length === 0) throw new ExecError('wrong number of args for or: want at least 1 got 0');
      for (const a of args) if (isTrue(a)) return a;
      return args[args.length - 1] as Value;
    }
    case 'eq': {
      if (args.length < 2) throw new ExecError('missing argument for comparison');
      const [first, ...rest] = args as [Value, ...Value[]];
      return bool(rest.some((b) => equal(first, b)));
    }
    case 'ne':
      arity(name, args, 2);
      return bool(!equal(args[0] as Value, args[1] as Value));
    case 'lt':
      arity(name, args, 2);
      return bool(less(args[0] as Value, args[1] as Value));
    case 'le':
      arity(name, args, 2);
      return bool(less(args[0] as Value, args[1] as Value) || equal(args[0] as Value, args[1] as Value));
    case 'gt':
      arity(name, args, 2);
      return bool(!less(args[0] as Value, args[1] as Value) && !equal(args[0] as Value, args[1] as Value));
    case 'ge':
      arity(name, args, 2);
      return bool(!less(args[0] as Value, args[1] as Value));
    case 'html':
      return goString(htmlEscape(goSprint(args.map(asGo))));
    case 'js':
      return goString(jsEscape(goSprint(args.map(asGo))));
    case 'urlquery':
      return goString(queryEscape(goSprint(args.map(asGo))));
    default:
      throw new ExecError(`${name} is not supported by the checker`);
  }
}

class Executor {
  constructor(
    private readonly name: string,
    private readonly full: string,
    private readonly data: TemplateData,
  ) {}

  private location(pos: number): string {
    const before = this.full.slice(0, pos);
    const lastNewline = before.lastIndexOf('\n');
    const line = 1 + countNewlines(before);
    const col = lastNewline < 0 ? pos : pos - (lastNewline + 1);
    return `${this.name}:${line}:${col}`;
  }

  private wrap(error: unknown, cmd: Command): never {
    if (error instanceof TemplateError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const arg =
      error instanceof ExecError && error.argIndex !== undefined ? cmd.args[error.argIndex + 1] : undefined;
    const [pos, context] = arg ? [arg.pos, arg.text] : [cmd.pos, commandText(cmd)];
    throw new TemplateError(
      `template: ${this.location(pos)}: executing "${this.name}" at <${context}>: ${message}`,
    );
  }

  run(nodes: TemplateNode[], dot: Value, scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          out += node.text;
          break;
        case 'action': {
          const value = this.pipe(node.pipe, dot, scope);
          if (!node.pipe.decl) out += value.kind === 'nil' ? '<no value>' : printValue(value);
          break;
        }
        case 'if':
        case 'with': {
          const inner: Scope = { vars: new Map(), parent: scope };
          const value = this.pipe(node.pipe, dot, inner);
          if (isTrue(value)) out += this.run(node.list, node.type === 'with' ? value : dot, inner);
          else if (node.elseList) out += this.run(node.elseList, dot, { vars: new Map(), parent: scope });
          break;
        }
      }
    }
    return out;
  }

  private pipe(pipe: Pipe, dot: Value, scope: Scope): Value {
    let value: Value | undefined;
    for (const cmd of pipe.cmds) value = this.command(cmd, dot, scope, value);
    const result = value as Value;
    if (pipe.decl) {
      for (const name of pipe.decl.names) {
        if (pipe.decl.assign) assign(scope, name, result);
        else scope.vars.set(name, result);
      }
    }
    return result;
  }

  private command(cmd: Command, dot: Value, scope: Scope, final: Value | undefined): Value {
    const [first, ...rest] = cmd.args as [Arg, ...Arg[]];
    try {
      if (first.type === 'ident') {
        const args = rest.map((a) => this.operand(a, dot, scope));
        if (final !== undefined) args.push(final);
        return callFunction(first.name, args, this.data);
      }
      if (rest.length > 0 || final !== undefined) {
        throw new ExecError(`can't give argument to non-function ${first.text}`);
      }
      return this.operand(first, dot, scope);
    } catch (error) {
      if (error instanceof ExecError && error.calling && first.type === 'ident') {
        return this.wrap(new ExecError(`error calling ${first.name}: ${error.message}`, false), cmd);
      }
      return this.wrap(error, cmd);
    }
  }

  private operand(arg: Arg, dot: Value, scope: Scope): Value {
    switch (arg.type) {
      case 'literal':
        return arg.value;
      case 'dot':
        return dot;
      case 'field':
        return arg.fields.reduce(field, dot);
      case 'var': {
        const base = arg.name === '$' ? { kind: 'data' as const, data: this.data } : lookup(scope, arg.name);
        if (!base) throw new ExecError(`undefined variable: ${arg.name}`, false);
        return arg.fields.reduce(field, base);
      }
      case 'pipe':
        return this.pipe(arg.pipe, dot, { vars: new Map(), parent: scope });
      case 'ident':
        return callFunction(arg.name, [], this.data);
    }
  }
}

/** A template parsed once and rendered for many alerts. */
export interface AlertTemplate {
  /** Prometheus's words when it cannot parse the template (then every rendering is that error). */
  parseError?: string;
  render(data: TemplateData): { text: string; error?: string };
}

/**
 * Parses a label or annotation template of rule `alertName` as Prometheus does. A template that
 * does not parse renders, like Prometheus, as `<error expanding template: …>`.
 */
export function compileTemplate(alertName: string, text: string): AlertTemplate {
  const name = `__alert_${alertName}`;
  const full = DEFINITIONS + text;
  if (!text.includes('{{')) return { render: () => ({ text }) };
  let nodes: TemplateNode[];
  try {
    nodes = new Parser(name, full, DEFINITIONS.length).parse();
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    const message = `error parsing template ${name}: ${error.message}`;
    return {
      parseError: error.message,
      render: () => ({ text: `<error expanding template: ${message}>`, error: message }),
    };
  }
  return {
    render(data) {
      const scope: Scope = {
        vars: new Map<string, Value>([
          ['$labels', { kind: 'map', value: data.labels }],
          ['$externalLabels', { kind: 'map', value: data.externalLabels ?? {} }],
          ['$externalURL', goString(data.externalURL ?? '')],
          ['$value', goFloat(data.value)],
        ]),
      };
      try {
        return { text: new Executor(name, full, data).run(nodes, { kind: 'data', data }, scope) };
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        const message = `error executing template ${name}: ${error.message}`;
        return { text: `<error expanding template: ${message}>`, error: message };
      }
    },
  };
}

/** Label names a template reads with `$labels.x` or `.Labels.x`: a name the alert lacks renders empty. */
export function labelsReferenced(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)/g))
    names.add(m[1] as string);
  return [...names];
}
