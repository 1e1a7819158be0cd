/** The config rules for clusters in other accounts, on plain objects. */
import { describe, expect, it } from 'vitest';
import { assumedRoleFor, checkClusterAccounts, parseConfig } from '../lambda/config.js';
import { ConfigError } from '../lambda/errors.js';

const ROLE = 'arn:aws:iam::222222222222:role/tenant-checker-access';

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

const fleet = (accounts: Record<string, unknown> = {}) => ({
  clusters: [
    { name: 'home-eks', region: 'eu-west-1', metrics: { source: 'pods' } },
    { name: 'member-eks', region: 'eu-west-1', account: '222222222222', metrics: { source: 'pods' } },
  ],
  accounts,
});

describe('accounts: the role assumed per member account', () => {
  it("resolves a cluster to its account's role, and a cluster of the deployment's account to none", () => {
    const config = parseConfig(
      fleet({ '222222222222': { roleArn: ROLE, externalId: 'tenant-checker-7f3a' } }),
    );
    expect(assumedRoleFor(config, config.clusters[1] as never)).toEqual({
      roleArn: ROLE,
      externalId: 'tenant-checker-7f3a',
    });
    expect(assumedRoleFor(config, config.clusters[0] as never)).toBeUndefined();
    expect(parseConfig(fleet()).accounts).toEqual({});
  });

  it('takes an external id as optional (a role made elsewhere may have none)', () => {
    const config = parseConfig(fleet({ '222222222222': { roleArn: ROLE } }));
    expect(config.accounts['222222222222']).toEqual({ roleArn: ROLE });
  });

  it.each([
    [
      'a key that is no account id',
      { '2222': { roleArn: ROLE } },
      /^accounts(\.2222)?: .*12-digit AWS account id/,
    ],
    [
      'a role of another account',
      { '333333333333': { roleArn: ROLE } },
      /^accounts\.333333333333\.roleArn: expected a role in account 333333333333, got one in 222222222222$/,
    ],
    ['no role ARN', { '222222222222': { externalId: 'x1' } }, /^accounts\.222222222222\.roleArn: /],
    [
      'a role ARN that is no ARN',
      { '222222222222': { roleArn: 'not-an-arn' } },
      /^accounts\.222222222222\.roleArn: expected an IAM role ARN such as/,
    ],
    [
      'a user ARN',
      { '222222222222': { roleArn: 'arn:aws:iam::222222222222:user/bob' } },
      /^accounts\.222222222222\.roleArn: expected an IAM role ARN such as/,
    ],
    [
      'an external id with a space',
      { '222222222222': { roleArn: ROLE, externalId: 'has space' } },
      /^accounts\.222222222222\.externalId: expected an external id/,
    ],
    [
      'an unknown field',
      { '222222222222': { roleArn: ROLE, sessionName: 'me' } },
      /^accounts\.222222222222\.sessionName: unknown field/,
    ],
  ])('refuses %s, naming the field', (_what, accounts, expected) => {
    const found = problems(() => parseConfig(fleet(accounts)));
    expect(
      found.some((p) => expected.test(p)),
      found.join('\n'),
    ).toBe(true);
    // One problem per mistake: a roleArn that is no role ARN is not also "a role in another account".
    expect(found.filter((p) => p.includes('got one in undefined'))).toEqual([]);
  });
});

describe('a cluster of another account without a role is refused at synth', () => {
  it('names clusters[i].account when the deployment is known to be elsewhere', () => {
    const config = parseConfig(fleet());
    const found = problems(() => checkClusterAccounts(config, '111111111111', 'checker.config.json'));
    expect(found).toEqual([
      expect.stringMatching(
        /^clusters\[1\]\.account: cluster member-eks is in account 222222222222 but the checker deploys to 111111111111; add accounts\["222222222222"\] with the roleArn/,
      ),
    ]);
  });

  it("says when synth cannot tell the deployment's account (no credentials)", () => {
    const found = problems(() => checkClusterAccounts(parseConfig(fleet()), undefined));
    expect(found[0]).toMatch(/synth cannot tell the deployment's account \(no AWS credentials/);
  });

  it("accepts it with a role, or when the account is the deployment's own", () => {
    const withRole = parseConfig(fleet({ '222222222222': { roleArn: ROLE } }));
    expect(() => checkClusterAccounts(withRole, '111111111111')).not.toThrow();
    expect(() => checkClusterAccounts(withRole, undefined)).not.toThrow();
    expect(() => checkClusterAccounts(parseConfig(fleet()), '222222222222')).not.toThrow();
  });
});
