/**
 * Secrets never leave memory: every text that goes into a bundle or a message passes through here
 * first. Secrets themselves are never read (the RBAC has no access to them); what is caught here is
 * what leaks into logs, env values, annotations and specs: passwords, credentials in DSNs, bearer and
 * EKS tokens, AWS keys and session tokens, private keys and JWTs.
 */

export const REDACTED = '[REDACTED]';

const RULES: [RegExp, string | ((...m: string[]) => string)][] = [
  // PEM private keys, whole blocks (also when their newlines were escaped into one line).
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g, REDACTED],
  // EKS bearer tokens and any Authorization: Bearer value.
  [/k8s-aws-v1\.[A-Za-z0-9_-]+/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme) => `${scheme} ${REDACTED}`],
  // JWTs (service account tokens, OIDC tokens): header.payload.signature, base64url.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  // AWS access key ids, and the secret or session token that goes with them.
  [/\b(AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b/g, REDACTED],
  [/(X-Amz-Security-Token=|X-Amz-Signature=|X-Amz-Credential=)[^&\s"']+/gi, (_m, key) => `${key}${REDACTED}`],
  // Credentials inside URLs and DSNs: scheme://user:password@host, and MySQL's user:password@tcp(host).
  [
    /\b([a-z][a-z0-9+.-]*:\/\/)([^:/@\s"']+):([^@/\s"']+)@/gi,
    (_m, scheme, user) => `${scheme}${user}:${REDACTED}@`,
  ],
  [
    /\b([A-Za-z0-9_.-]+):([^@:\s"'/]+)@(tcp|unix)\(/g,
    (_m, user, _p, proto) => `${user}:${REDACTED}@${proto}(`,
  ],
  // key=value, key: value and "key": "value" for names that hold secrets, also inside JSON that was
  // itself put in a JSON string (quotes escaped as \").
  [
    /((?:\\*["'])?)((?:[A-Za-z0-9_.-]*[_.-])?(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|session[_-]?token|auth)(?:[_.-][A-Za-z0-9_.-]*)?)\1(\s*[:=]\s*)((?:\\*["'])?)([^"'\\\s,;}&]{3,})/gi,
    (_m, q, key, sep, vq) => `${q}${key}${q}${sep}${vq}${REDACTED}`,
  ],
  // Kubernetes env entries: {"name": "DB_PASSWORD", "value": "..."}, escaped or not.
  [
    /(\\*"name\\*"\s*:\s*\\*"[^"\\]*(?:PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL)[^"\\]*\\*"\s*,\s*\\*"value\\*"\s*:\s*\\*")([^"\\]*)/gi,
    (_m, head) => `${head}${REDACTED}`,
  ],
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
