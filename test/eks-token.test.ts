import { describe, expect, it } from 'vitest';
import { createEksToken, EKS_TOKEN_PREFIX } from '../lambda/collect/eks-token.js';
import { MAX_TOKEN_BYTES, verifyEksToken } from '../sim/kube/eks-token-rules.js';

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
// A Lambda role's credentials carry a session token, which makes the token longest.
const sessionCredentials = {
  ...credentials,
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  sessionToken: 'IQoJb3JpZ2luX2VjE'.padEnd(1100, 'x'),
};
const now = new Date('2026-11-26T14:05:00Z');

function decode(token: string): URL {
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

describe('the EKS bearer token', () => {
  it('is k8s-aws-v1. and a base64url presigned STS GetCallerIdentity URL, without padding', async () => {
    const { token } = await createEksToken({
      clusterName: 'prod-eks-1',
      region: 'eu-west-1',
      credentials,
      now,
    });
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token).not.toContain('=');
    expect(token.slice(EKS_TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = decode(token);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('Version')).toBe('2011-06-15');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261126T140500Z');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'AKIAIOSFODNN7EXAMPLE/20261126/eu-west-1/sts/aws4_request',
    );
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('passes every rule EKS enforces, including the signature STS recomputes for the cluster', async () => {
    const { token } = await createEksToken({
      clusterName: 'prod-eks-1',
      region: 'eu-west-1',
      credentials,
      now,
    });
    const verified = await verifyEksToken(token, 'prod-eks-1', { now, credentials });
    expect(verified.region).toBe('eu-west-1');
    expect(verified.expiresAt.toISOString()).toBe('2026-11-26T14:20:00.000Z');
  });

  it('is refused for another cluster, after 15 minutes, and with a tampered signature', async () => {
    const { token } = await createEksToken({
      clusterName: 'prod-eks-1',
      region: 'eu-west-1',
      credentials,
      now,
    });
    await expect(verifyEksToken(token, 'staging-eks', { now, credentials })).rejects.toThrow(
      /signature does not match for cluster staging-eks/,
    );
    await expect(
      verifyEksToken(token, 'prod-eks-1', { now: new Date(now.getTime() + 15 * 60_000 + 1000) }),
    ).rejects.toThrow(/expired/);
    const url = decode(token);
    url.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    const tampered = EKS_TOKEN_PREFIX + Buffer.from(url.toString()).toString('base64url');
    await expect(verifyEksToken(tampered, 'prod-eks-1', { now, credentials })).rejects.toThrow(
      /signature does not match/,
    );
  });

  it('carries the session token of temporary credentials and stays within 4096 bytes', async () => {
    const { token } = await createEksToken({
      clusterName: 'a'.repeat(100),
      region: 'ap-southeast-2',
      credentials: sessionCredentials,
      now,
    });
    expect(decode(token).searchParams.get('X-Amz-Security-Token')).toBe(sessionCredentials.sessionToken);
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
    await verifyEksToken(token, 'a'.repeat(100), { now, credentials: sessionCredentials });
  });

  it('uses the regional STS host, in China too', async () => {
    const cn = await createEksToken({ clusterName: 'c', region: 'cn-north-1', credentials, now });
    expect(decode(cn.token).hostname).toBe('sts.cn-north-1.amazonaws.com.cn');
  });

  it('is made anew each time, with the time it is made', async () => {
    const first = await createEksToken({ clusterName: 'prod-eks-1', region: 'eu-west-1', credentials, now });
    const later = await createEksToken({
      clusterName: 'prod-eks-1',
      region: 'eu-west-1',
      credentials,
      now: new Date(now.getTime() + 20 * 60_000),
    });
    expect(later.token).not.toBe(first.token);
    await expect(
      verifyEksToken(first.token, 'prod-eks-1', { now: new Date(now.getTime() + 20 * 60_000) }),
    ).rejects.toThrow(/expired/);
    await verifyEksToken(later.token, 'prod-eks-1', {
      now: new Date(now.getTime() + 20 * 60_000),
      credentials,
    });
    expect(later.expiresAt.getTime() - now.getTime()).toBe((20 + 14) * 60_000);
  });
});
