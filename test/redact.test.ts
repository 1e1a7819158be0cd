/** Redaction against the planted-secrets corpus. */
import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactDeep } from '../lambda/sinks/redact.js';
import { leaks, PLANTED_SECRETS, plantedLines } from './helpers/secrets.js';

describe('redaction', () => {
  it('leaves no planted secret in any of the shapes it comes in', () => {
    const out = plantedLines().map(redact).join('\n');
    expect(leaks(out)).toEqual([]);
    expect(out.split(REDACTED).length - 1).toBeGreaterThanOrEqual(13);
  });

  it('keeps what an engineer needs around the secret', () => {
    expect(redact('dial error for mysql://tenants:pw123456@mysql.data.svc:3306/tenants')).toBe(
      'dial error for mysql://tenants:[REDACTED]@mysql.data.svc:3306/tenants',
    );
    expect(redact('Authorization: Bearer abcdefghijklmnop')).toBe('Authorization: Bearer [REDACTED]');
    expect(redact('failed to connect: password=hunter22 host=db')).toBe(
      'failed to connect: password=[REDACTED] host=db',
    );
    expect(redact('dial tcp 10.0.3.7:3306: connect: connection refused')).toBe(
      'dial tcp 10.0.3.7:3306: connect: connection refused',
    );
    expect(redact('Reconciler error {"controller": "tenant", "error": "x"}')).toBe(
      'Reconciler error {"controller": "tenant", "error": "x"}',
    );
  });

  it('reaches every string of a structure', () => {
    const out = redactDeep({
      a: [`password=${PLANTED_SECRETS.password}`],
      b: { c: PLANTED_SECRETS.jwt },
      n: 3,
    });
    expect(leaks(JSON.stringify(out))).toEqual([]);
    expect(out.n).toBe(3);
  });
});

describe('redaction of JSON inside JSON', () => {
  it('finds secrets whose quotes were escaped by a second encoding (a log field holding JSON)', () => {
    const line = JSON.stringify({
      controller: 'tenant',
      error: JSON.stringify({
        env: [{ name: 'DB_PASSWORD', value: PLANTED_SECRETS.password }],
        client_secret: PLANTED_SECRETS.apiKey,
      }),
    });
    const out = redact(line);
    expect(leaks(out)).toEqual([]);
    expect(out).toContain('DB_PASSWORD');
  });
});
