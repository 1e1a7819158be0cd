/**
 * The bearer token EKS accepts: a presigned STS GetCallerIdentity URL with the cluster's name in the
 * signed `x-k8s-aws-id` header, as `aws eks get-token` makes it. Built offline (STS is never called
 * by us; EKS calls it when it checks the token) and fresh for every invocation, because EKS refuses
 * a token past its 15-minute life and warm Lambda containers outlive that.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { stsHostname } from '../aws-partition.js';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** What `aws eks get-token` presigns with; EKS itself caps a token's life at 15 minutes whatever this says. */
export const TOKEN_PRESIGN_SECONDS = 60;
/** How long EKS honours a token after it was signed. */
export const TOKEN_LIFETIME_SECONDS = 15 * 60;

export interface EksToken {
  token: string;
  /** When EKS stops honouring it: signing time + 15 minutes, less a minute of margin. */
  expiresAt: Date;
}

/** The regional STS host, in the region's partition (China, GovCloud and the ISO partitions included). */
export function stsHost(region: string): string {
  return stsHostname(region);
}

export async function createEksToken(options: {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity;
  now?: Date;
}): Promise<EksToken> {
  const { clusterName, region, credentials } = options;
  const now = options.now ?? new Date();
  const signer = new SignatureV4({ service: 'sts', region, credentials, sha256: Hash.bind(null, 'sha256') });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: stsHost(region),
    path: '/',
    headers: { host: stsHost(region), [CLUSTER_ID_HEADER]: clusterName },
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
  });
  const signed = await signer.presign(request, {
    expiresIn: TOKEN_PRESIGN_SECONDS,
    signingDate: now,
    signableHeaders: new Set([CLUSTER_ID_HEADER]),
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(signed.query ?? {})) {
    if (typeof value === 'string') query.append(key, value);
  }
  const url = `https://${signed.hostname}${signed.path}?${query.toString()}`;
  return {
    token: EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'),
    expiresAt: new Date(now.getTime() + (TOKEN_LIFETIME_SECONDS - 60) * 1000),
  };
}
