/**
 * The AWS partition a region belongs to, and the hosts of the services the checker calls there, from
 * the SDK's own partition data (the table its endpoint resolution uses): `amazonaws.com`,
 * `amazonaws.com.cn` in China, `c2s.ic.gov` and `sc2s.sgov.gov` in the ISO partitions, and so on.
 * A region the SDK places in no partition is refused by the config schema rather than sent to
 * `amazonaws.com` by default, where its requests would fail far from the cause.
 */
import { partition } from '@aws-sdk/core/client';

/** The standard partition's regions, as the SDK's partition data names them (its fallback for anything else). */
const AWS_REGIONS = /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/;

export interface Partition {
  /** aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, ... */
  name: string;
  dnsSuffix: string;
}

/** The partition of `region`, or undefined when the SDK does not know where it is. */
export function partitionOf(region: string): Partition | undefined {
  const found = partition(region);
  if (found.name === 'aws' && !AWS_REGIONS.test(region)) return undefined;
  return { name: found.name, dnsSuffix: found.dnsSuffix };
}

function suffix(region: string): string {
  const found = partitionOf(region);
  if (!found) throw new Error(`${region} is in no AWS partition the SDK knows`);
  return found.dnsSuffix;
}

/** The regional STS host an EKS token is presigned for. */
export function stsHostname(region: string): string {
  return `sts.${region}.${suffix(region)}`;
}

/** Amazon Managed Service for Prometheus, the regional query endpoint. */
export function ampEndpointUrl(region: string): string {
  return `https://aps-workspaces.${region}.${suffix(region)}`;
}
