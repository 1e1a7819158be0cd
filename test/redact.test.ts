/** Redaction against the planted-secrets corpus. */
import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactDeep } from '../lambda/sinks/redact.js';
import { leaks, ORDINARY_EVIDENCE, PLANTED_SECRETS, plantedLines } from './helpers/secrets.js';

describe('redaction', () => {
  it('leaves no planted secret in any of the shapes it comes in', () => {
    const out = plantedLines().map(redact).join('\n');
    expect(leaks(out)).toEqual([]);
    expect(out.split(REDACTED).length - 1).toBeGreaterThanOrEqual(plantedLines().length);
  });

  it('finds each planted secret on its own line (no rule depends on another line)', () => {
    for (const line of plantedLines()) expect(leaks(redact(line)), line).toEqual([]);
  });

  it('redacts a quoted value whole, spaces and all', () => {
    expect(redact('password: "p@ss word"')).toBe('password: "[REDACTED]"');
    expect(redact(`{"password":"p@ss word","user":"app"}`)).toBe('{"password":"[REDACTED]","user":"app"}');
    expect(redact("db_password='p@ss word' host=db")).toBe("db_password='[REDACTED]' host=db");
    expect(redact('{"password":"ab\\"cd ef"}')).toBe('{"password":"[REDACTED]"}');
    expect(redact('  password: plain spaced words')).toBe('  password: [REDACTED]');
    expect(redact('"error":"password: plain spaced words"')).toBe('"error":"password: [REDACTED]"');
    expect(redact('password=abcd token=wxyz host=db')).toBe('password=[REDACTED] token=[REDACTED] host=db');
  });

  it('keeps the token prefixes, so an engineer knows which credential leaked', () => {
    expect(redact(`GITHUB_TOKEN=${PLANTED_SECRETS.githubClassic}`)).toBe('GITHUB_TOKEN=[REDACTED]');
    expect(redact(`using ${PLANTED_SECRETS.githubOauth}`)).toBe('using gho_[REDACTED]');
    expect(redact(`with ${PLANTED_SECRETS.slackBot} failed`)).toBe('with xoxb-[REDACTED] failed');
    expect(redact(`key ${PLANTED_SECRETS.stripeRestricted}`)).toBe('key rk_live_[REDACTED]');
    expect(redact(`dial redis://:${PLANTED_SECRETS.redisPassword}@redis:6379/0`)).toBe(
      'dial redis://:[REDACTED]@redis:6379/0',
    );
    expect(redact(`postgres://app:${PLANTED_SECRETS.atSignPassword}@db:5432/x`)).toBe(
      'postgres://app:[REDACTED]@db:5432/x',
    );
  });

  it('leaves ordinary evidence alone: names, IPs, error messages, SHAs, names of Secrets', () => {
    for (const line of ORDINARY_EVIDENCE) expect(redact(line), line).toBe(line);
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
