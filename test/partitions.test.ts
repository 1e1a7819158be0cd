/**
 * The partitions: China, GovCloud and the ISO partitions have their own DNS suffixes. The EKS token's
 * STS host and the AMP endpoint come from the SDK's partition data; a region in no known partition is
 * refused by the config, naming the field, instead of being sent to amazonaws.com.
 */
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../lambda/aws-partition.js';
import { createEksToken, EKS_TOKEN_PREFIX } from '../lambda/collect/eks-token.js';
import { ampEndpoint } from '../lambda/collect/metrics/transports.js';
import { parseConfig } from '../lambda/config.js';
import type { ConfigError } from '../lambda/errors.js';
import { verifyEksToken } from '../sim/kube/eks-token-rules.js';

const credentials = {
  accessKeyId: 'ASIAEXAMPLEPARTITION',
  secretAccessKey: 'cGFydGl0aW9uLXRlc3Qtc2VjcmV0',
  sessionToken: 'FwoGZXIvYXdzPARTITION',
};
const now = new Date();

const HOSTS: [string, string, string][] = [
  ['eu-west-1', 'aws', 'amazonaws.com'],
  ['cn-north-1', 'aws-cn', 'amazonaws.com.cn'],
  ['us-gov-west-1', 'aws-us-gov', 'amazonaws.com'],
  ['us-iso-east-1', 'aws-iso', 'c2s.ic.gov'],
  ['us-isob-east-1', 'aws-iso-b', 'sc2s.sgov.gov'],
  ['eu-isoe-west-1', 'aws-iso-e', 'cloud.adc-e.uk'],
  ['us-isof-south-1', 'aws-iso-f', 'csp.hci.ic.gov'],
];

describe('hosts come from the region partition', () => {
  it.each(HOSTS)('%s is in %s (%s)', (region, name, dnsSuffix) => {
    expect(partitionOf(region)).toEqual({ name, dnsSuffix });
  });

  it.each(HOSTS)(
    'the EKS token for %s is presigned for its own STS host, and EKS-style checks accept it',
    async (region, _n, dnsSuffix) => {
      const { token } = await createEksToken({ clusterName: 'prod-eks-1', region, credentials, now });
      const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
      expect(url.hostname).toBe(`sts.${region}.${dnsSuffix}`);
      await verifyEksToken(token, 'prod-eks-1', { now, credentials });
    },
  );

  it.each(HOSTS)('AMP in %s is reached at its own endpoint', (region, _n, dnsSuffix) => {
    expect(ampEndpoint(region)).toBe(`https://aps-workspaces.${region}.${dnsSuffix}`);
  });
});

describe('a region in no partition the SDK knows', () => {
  const problems = (doc: unknown) => {
    try {
      parseConfig(doc);
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('is refused by the config, naming the field', () => {
    expect(problems({ clusters: [{ name: 'x', region: 'xx-iso-east-1' }] }).join('\n')).toMatch(
      /^clusters\[0\]\.region: "xx-iso-east-1" is in no AWS partition the SDK knows/,
    );
    expect(
      problems({
        clusters: [
          {
            name: 'x',
            region: 'eu-west-1',
            metrics: {
              source: 'amp',
              workspaceId: 'ws-12345678-abcd-ef01-2345-6789abcdef01',
              region: 'zz-iso-south-1',
            },
          },
        ],
      }).join('\n'),
    ).toMatch(/^clusters\[0\]\.metrics\.region: "zz-iso-south-1" is in no AWS partition/);
  });

  it('the partitions the SDK knows are accepted', () => {
    for (const [region] of HOSTS)
      expect(problems({ clusters: [{ name: 'x', region, metrics: { source: 'pods' } }] }), region).toEqual(
        [],
      );
  });
});
