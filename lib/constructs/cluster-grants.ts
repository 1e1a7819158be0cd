import { ArnFormat, type Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { GrantTarget } from '../shards.js';

/**
 * What reading these clusters takes through IAM, and nothing more: eks:DescribeCluster on each and
 * aps:QueryMetrics on each AMP workspace among them. Used for the checker's own clusters (its role)
 * and a member account's (the role it lends the checker). Empty for no clusters.
 */
export function clusterGrantStatements(stack: Stack, targets: readonly GrantTarget[]): PolicyStatement[] {
  if (targets.length === 0) return [];
  const arn = (
    service: string,
    region: string,
    account: string | undefined,
    resource: string,
    name: string,
  ) =>
    stack.formatArn({
      service,
      region,
      account: account ?? stack.account,
      resource,
      resourceName: name,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  const clusterArns = [...new Set(targets.map((t) => arn('eks', t.region, t.account, 'cluster', t.name)))];
  const workspaceArns = [
    ...new Set(
      targets.flatMap((t) =>
        t.workspace ? [arn('aps', t.workspace.region, t.account, 'workspace', t.workspace.workspaceId)] : [],
      ),
    ),
  ];
  return [
    new PolicyStatement({
      sid: 'DescribeWatchedClusters',
      actions: ['eks:DescribeCluster'],
      resources: clusterArns,
    }),
    ...(workspaceArns.length > 0
      ? [
          new PolicyStatement({
            sid: 'QueryWorkspaces',
            actions: ['aps:QueryMetrics'],
            resources: workspaceArns,
          }),
        ]
      : []),
  ];
}
