/**
 * Secrets never leave memory: every text that goes into a bundle or a message passes through here
 * first. Secrets themselves are never read (the RBAC has no access to them); what is caught here is
 * what leaks into logs, env values, annotations and specs: passwords (quoted values whole, spaces and
 * all), credentials in DSNs and URLs, Authorization headers, EKS and service-account tokens, AWS keys,
 * private keys, and the token shapes of the services an operator talks to (GitHub, GitLab, Slack,
 * Stripe, Google, npm, OpenAI-style keys, SendGrid).
 *
 * What it leaves alone is as deliberate: Kubernetes names, IPs and ports, error messages, git SHAs,
 * UIDs and `secretName: db-credentials` (a name, not a secret). Every rule starts at a literal or a
 * word boundary and scans forward once, so a 16 MB log with multi-kilobyte words redacts in linear
 * time (an earlier rule backtracked over every long word: quadratic).
 */

export const REDACTED = '[REDACTED]';

type Replacer = (match: string, ...groups: string[]) => string;

/** Name segments that make a key's value a secret. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'credential',
  'credentials',
  'auth',
  'authorization',
  'accountkey',
  'privatekey',
  'signature',
  'dsn',
]);
/** Two segments that together name a secret (`api_key`, `client-key-data`, `secretAccessKey`...). */
const SECRET_PAIRS = new Set([
  'api key',
  'access key',
  'private key',
  'secret key',
  'account key',
  'key data',
  'client secret',
  'session token',
  'access token',
  'refresh token',
  'id token',
  'connection string',
  'conn string',
]);
/** A last segment that says the value is about a secret, not the secret: its name, file, lifetime. */
const ABOUT_A_SECRET = new Set([
  'name',
  'names',
  'ref',
  'refs',
  'file',
  'path',
  'dir',
  'seconds',
  'expiration',
  'expiry',
  'expires',
  'ttl',
  'type',
  'mode',
  'length',
  'count',
  'url',
  'endpoint',
  'namespace',
  'reviews',
  'review',
  'policy',
  'provider',
  'required',
  'enabled',
]);

/** `DB_PASSWORD`, `clientSecret`, `aws_secret_access_key`, `client-key-data`: does it hold a secret? */
export function isSecretName(name: string): boolean {
  const segments = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = segments.at(-1);
  if (!last || ABOUT_A_SECRET.has(last)) return false;
  for (let i = 0; i < segments.length; i++) {
    if (SECRET_WORDS.has(segments[i] as string)) return true;
    if (i > 0 && SECRET_PAIRS.has(`${segments[i - 1]} ${segments[i]}`)) return true;
  }
  return false;
}

const NAME = '[A-Za-z][A-Za-z0-9_.-]{0,80}';
/** A name with a secret's word in it (isSecretName decides); bounded on both sides, so it scans in linear time. */
const SECRET_KEY =
  '[A-Za-z0-9_.-]{0,40}?(?:password|passwd|pwd|pass|secret|token|api[_-]?key|credential|auth|account[_-]?key|private[_-]?key|key[_-]?data|signature|dsn|conn(?:ection)?[_-]?string)[A-Za-z0-9_.-]{0,40}';

/** A string with upper case, lower case and a digit: a random key, not a word or a Kubernetes name. */
const looksRandom = (s: string) => /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s);

function keyValueRule(separator: ':' | '=', bareValue: string): [RegExp, Replacer] {
  return [
    new RegExp(
      `(?<![A-Za-z0-9_.-])((?:\\\\*["'])?)(${SECRET_KEY})\\1(\\s*${separator}\\s*)(?:(\\\\*)(["'])((?:\\\\.|(?!\\5)[^\\\\\\n])*?)\\4\\5|(${bareValue}))`,
      'gi',
    ),
    (m, q, key, sep, vb, vq, quoted, bare) => {
      if (!isSecretName(key)) return m;
      if (bare !== undefined) {
        const value = bare.trimEnd();
        if (value.length < 3) return m;
        // `Authorization: Bearer [REDACTED]` was done by its own rule: the scheme is not the secret.
        if (/^(bearer|basic|token|digest|negotiate)\b/i.test(value) || value.startsWith(REDACTED)) return m;
        // MySQL's `(using password: YES)`, a flag or a placeholder: not a secret.
        if (/^(yes|no|true|false|null|none|nil|\*+|<[^>]*>)\)?$/i.test(value)) return m;
        return `${q}${key}${q}${sep}${REDACTED}${bare.slice(value.length)}`;
      }
      if ((quoted ?? '').length === 0) return m;
      return `${q}${key}${q}${sep}${vb}${vq}${REDACTED}${vb}${vq}`;
    },
  ];
}

const RULES: [RegExp, string | Replacer][] = [
  // PEM private keys, whole blocks (also when their newlines were escaped into one line), and a
  // block cut before its END line (a log cut in two): to the end of its base64.
  [
    /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----|[A-Za-z0-9+/=\s\\]*)/g,
    REDACTED,
  ],
  // EKS bearer tokens.
  [/k8s-aws-v1\.[A-Za-z0-9_-]+/g, REDACTED],
  // Authorization headers, in HTTP dumps and in JSON logs: the credentials after the scheme, whatever the scheme.
  [
    /\b(authorization\\*["']?[ \t]*[:=][ \t]*\\*["']?)(?:(bearer|basic|token|digest|negotiate)([ \t]+))?([^"'\\\r\n,;}]{4,})/gi,
    (_m, head, scheme, space) => `${head}${scheme ? `${scheme}${space}` : ''}${REDACTED}`,
  ],
  // A bearer token anywhere; Basic/Digest credentials (base64, with a digit or padding: not the word "basic").
  [/\b(Bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme, space) => `${scheme}${space}${REDACTED}`],
  [
    /\b(Basic|Digest)(\s+)([A-Za-z0-9._~+/=-]{8,})/gi,
    (m, scheme, space, value) => (/[0-9=+/]/.test(value) ? `${scheme}${space}${REDACTED}` : m),
  ],
  // JWTs (service account tokens, OIDC tokens): header.payload.signature, base64url.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  // AWS access key ids, and a secret access key's shape (40 characters of base64 with upper, lower and digits).
  [/\b(AKIA|ASIA|AROA|AIDA|ABIA|ACCA)[0-9A-Z]{16}\b/g, REDACTED],
  [/(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, (m) => (looksRandom(m) ? REDACTED : m)],
  [/(X-Amz-Security-Token=|X-Amz-Signature=|X-Amz-Credential=)[^&\s"']+/gi, (_m, key) => `${key}${REDACTED}`],
  // Service tokens by their documented prefixes.
  [/\b(gh[pousr]_)[A-Za-z0-9]{30,255}\b/g, (_m, prefix) => `${prefix}${REDACTED}`],
  [/\bgithub_pat_[A-Za-z0-9_]{22,255}/g, `github_pat_${REDACTED}`],
  [/\bglpat-[A-Za-z0-9_-]{20,}/g, `glpat-${REDACTED}`],
  [/\b(xox[abposr]-)[A-Za-z0-9-]{10,}/g, (_m, prefix) => `${prefix}${REDACTED}`],
  [/\bxapp-\d-[A-Za-z0-9-]{10,}/g, `xapp-${REDACTED}`],
  [/(hooks\.slack\.com\/services\/)[A-Za-z0-9/]+/g, (_m, head) => `${head}${REDACTED}`],
  [/\b((?:sk|rk)_(?:live|test)_)[A-Za-z0-9]{10,}/g, (_m, prefix) => `${prefix}${REDACTED}`],
  [/\bAIza[0-9A-Za-z_-]{35}/g, REDACTED],
  [/\bnpm_[A-Za-z0-9]{36}\b/g, `npm_${REDACTED}`],
  [/\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, REDACTED],
  [
    /\b(sk-(?:proj-|ant-)?)([A-Za-z0-9_-]{20,})/g,
    (m, prefix, rest) => (looksRandom(rest) ? `${prefix}${REDACTED}` : m),
  ],
  // Credentials in URLs and DSNs: scheme://user:password@host (the user may be empty: redis://:pw@),
  // the password up to the last @ before the host; and MySQL's user:password@tcp(host).
  [
    /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^:/@\s"']*):([^/\s"']+)@(?=[^@/\s"']*(?:[/\s"'?#]|$))/gi,
    (_m, scheme, user) => `${scheme}${user}:${REDACTED}@`,
  ],
  [
    /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,64}):([^@:\s"'/]+)@(tcp|unix)\(/g,
    (_m, user, _p, proto) => `${user}:${REDACTED}@${proto}(`,
  ],
  // Kubernetes env entries: {"name": "DB_PASSWORD", "value": "..."}, escaped or not.
  [
    /(\\*"name\\*"\s*:\s*\\*"([^"\\]*)\\*"\s*,\s*\\*"value\\*"\s*:\s*\\*")([^"\\]*)/g,
    (m, head, name) => (isSecretName(name) || /KEY$/i.test(name) ? `${head}${REDACTED}` : m),
  ],
  // A YAML line `  password: p@ss word` (a kubeconfig's `token:`, a ConfigMap's values): the rest of the line.
  [
    new RegExp(
      `^([ \\t]*(?:-[ \\t]+)?)(${NAME})([ \\t]*:[ \\t]+)(?!["'|>&*!{[])([^\\n]*[^\\s\\n])[ \\t]*$`,
      'gm',
    ),
    (m, indent, key, sep, value) =>
      isSecretName(key) && !value.includes(REDACTED) ? `${indent}${key}${sep}${REDACTED}` : m,
  ],
  // key=value, key: value and "key": "value" for names that hold secrets, also inside JSON that was
  // itself put in a JSON string (quotes escaped as \"). A quoted value is redacted to its closing
  // quote; key=value (logfmt, a URL's query) ends at a blank, key: value (a header, YAML) at the end
  // of its clause, so a password with spaces goes whole.
  keyValueRule(':', '[^"\'\\\\\\r\\n,;}&]+'),
  keyValueRule('=', '[^"\'\\\\\\s,;}&]+'),
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) {
    out = out.replace(pattern, replacement as never);
  }
  return out;
}

/** Redacts every string inside a JSON-able value. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactDeep(v)]),
    ) as T;
  }
  return value;
}
