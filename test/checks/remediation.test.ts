/**
 * Advice must be safe to follow: every operator flag a resolution names is one the real operator has
 * (test/fixtures/tenant-operator-main.go is its cmd/main.go: Go's flag parser exits on an unknown flag,
 * so a wrong flag puts the operator in CrashLoopBackOff mid-incident), and no resolution leaves a
 * placeholder where the checker knows the name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { remediationFor } from '../../lambda/checks/remediation.js';
import { CAUSE_IDS } from '../../lambda/model/causes.js';
import { OPERATOR_PRESETS } from '../../lambda/presets.js';

const main = readFileSync(new URL('../fixtures/tenant-operator-main.go', import.meta.url), 'utf8');
const OPERATOR_FLAGS = new Set([...main.matchAll(/flag\.\w+Var\(&\w+, "([^"]+)"/g)].map((m) => m[1]));
// controller-runtime's zap options are bound to the same flag set (opts.BindFlags).
for (const zap of ['zap-devel', 'zap-encoder', 'zap-log-level', 'zap-stacktrace-level', 'zap-time-encoding'])
  OPERATOR_FLAGS.add(zap);

const hintVariants = [
  {},
  { throttling: 'server' as const },
  { throttling: 'client' as const },
  {
    datasource: { host: 'mysql.tenant-db.svc.cluster.local', port: 3306 },
    externalHost: 'billing.example.com',
    policies: ['deny'],
    quotas: ['t/q'],
  },
];

function operatorFlagsIn(line: string): string[] {
  // Commands in backticks are kubectl's, nc's, aws's: their flags are theirs. A sentence warning
  // against a flag is not advice to add it.
  const prose = line
    .replace(/`[^`]*`/g, '')
    .split(/(?<=[.:;])\s+/)
    .filter((sentence) => !/do not add|don't add|has no flag/i.test(sentence))
    .join(' ');
  return [...prose.matchAll(/--([a-z][a-z0-9-]+)/g)].map((m) => m[1] as string);
}

describe('resolutions', () => {
  it('read the real operator flags from its main.go', () => {
    expect(OPERATOR_FLAGS).toContain('tenant-concurrency');
    expect(OPERATOR_FLAGS).not.toContain('kube-api-qps');
  });

  it.each(CAUSE_IDS)('%s names only flags the operator has', (cause) => {
    for (const hints of hintVariants) {
      for (const line of remediationFor(cause, {
        operator: OPERATOR_PRESETS['tenant-operator'],
        cluster: 'prod-eks-1',
        hints,
      })) {
        for (const flag of operatorFlagsIn(line))
          expect(OPERATOR_FLAGS, `${cause}: "${line}"`).toContain(flag);
      }
    }
  });

  it.each(CAUSE_IDS)('%s leaves no placeholder for a name the checker knows', (cause) => {
    const lines = remediationFor(cause, {
      operator: OPERATOR_PRESETS['tenant-operator'],
      cluster: 'prod-eks-1',
      hints: hintVariants[3] as (typeof hintVariants)[3],
    }).join('\n');
    expect(lines).not.toMatch(/<cluster>|<database-host>|<external-host>/);
  });

  it('picks one throttling branch: the server refusing, or the client waiting', () => {
    const names = { operator: OPERATOR_PRESETS['tenant-operator'], cluster: 'prod-eks-1' };
    const server = remediationFor('apiserver-throttling', { ...names, hints: { throttling: 'server' } }).join(
      '\n',
    );
    const client = remediationFor('apiserver-throttling', { ...names, hints: { throttling: 'client' } }).join(
      '\n',
    );
    expect(server).toMatch(/Priority and Fairness/);
    expect(server).not.toMatch(/client-side throttling/);
    expect(client).toMatch(/client-side throttling/);
    expect(client).not.toMatch(/rejects requests \(429/);
  });
});
