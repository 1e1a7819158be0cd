import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Annotations,
  type CfnElement,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Stage,
  Validations,
} from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  type ISecurityGroup,
  type ISubnet,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  Subnet,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { assumedRoleFor, type CheckerConfig } from '../../lambda/config.js';
import {
  BUNDLE_PREFIX,
  CONFIG_FILE_NAME,
  ENV,
  METRICS_NAMESPACE,
  SERVICE_NAME,
} from '../../lambda/constants.js';
import { LINK_ENV } from '../../lambda/link/constants.js';
import { grantTargetOf } from '../shards.js';
import { clusterGrantStatements } from './cluster-grants.js';

/** Lambda refuses a function whose environment variables exceed 4 KB in all. */
const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/**
 * Built-in modules the bundle takes through small CommonJS shims (builtins/*.js) instead of ESM
 * imports. Node builds an ESM facade for an imported built-in by reading every export, which runs the
 * lazy getters: node:http's load undici (WebSocket, EventSource), node:process's, node:fs's and
 * node:util's many more. Measured on Node.js 22, the imports of these six cost about 100 ms of a cold
 * start; the shims (process.getBuiltinModule) cost almost nothing. The targets have no extension, so
 * that a subpath finds its own shim (`fs/promises` → builtins/fs/promises.js).
 */
export const CHECKER_BUILTIN_ALIASES: Record<string, string> = Object.fromEntries(
  ['http', 'https', 'process', 'crypto', 'util', 'fs'].flatMap((name) => {
    const shim = fileURLToPath(new URL(`./builtins/${name}`, import.meta.url));
    return [
      [name, shim],
      [`node:${name}`, shim],
    ];
  }),
);

/**
 * The esbuild options the stack bundles the handler with: one ESM file for Node.js 22, with
 * `require` restored for the CommonJS dependencies that esbuild inlines, and the AWS SDK bundled
 * (pinned by our lock file, not whatever the runtime happens to ship).
 */
export const CHECKER_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  platform: 'node',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: false,
  bundleAwsSDK: true,
  externalModules: [],
  forceDockerBundling: false,
  esbuildArgs: Object.fromEntries(
    Object.entries(CHECKER_BUILTIN_ALIASES).map(([name, shim]) => [`--alias:${name}`, shim]),
  ),
  banner:
    "import { createRequire as __checkerCreateRequire } from 'node:module'; const require = __checkerCreateRequire(import.meta.url);",
};

export interface CheckerFunctionProps {
  readonly config: CheckerConfig;
  /** The validated config document, as the function re-reads it from its code asset. */
  readonly runtimeConfig: string;
  readonly table: ITableV2;
  readonly bucket: IBucket;
  readonly topic: ITopic;
  readonly topicKey: IKey;
  /** The link service the messages' bundle links point at, and the key that signs them. */
  readonly links?: { serviceUrl: string; keyArn: string };
  /**
   * Where the grants on the watched clusters go: the role's inline policy (default), or managed
   * policies that the fleet's shards attach to the role (lib/shards.ts), past the inline limit.
   */
  readonly clusterGrants?: 'inline' | 'shards';
}

/**
 * The checker Lambda with its own role, log group and failure queue. The role holds exactly what a
 * cycle uses: DescribeCluster on the watched clusters, QueryMetrics on the configured workspaces,
 * item reads and writes on the table, bundle objects under `bundles/`, and Publish on the topic.
 */
export class CheckerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  /** Where failed asynchronous invocations (after Lambda's two retries) and undeliverable schedules land. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: CheckerFunctionProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Tenant reconciliation checker: reads watched EKS clusters and writes findings',
    });
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.deadLetterQueue = new Queue(this, 'FailedChecks', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the checker; it is watched by an alarm.',
    });

    const environment = {
      [ENV.configFile]: CONFIG_FILE_NAME,
      [ENV.runsTable]: props.table.tableName,
      [ENV.bundleBucket]: props.bucket.bucketName,
      [ENV.topicArn]: props.topic.topicArn,
      ...(props.links
        ? { [LINK_ENV.serviceUrl]: props.links.serviceUrl, [LINK_ENV.keyId]: props.links.keyArn }
        : {}),
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    // Resolved names are filled in at deploy time; 200 bytes each is a generous bound for them.
    const size = Object.entries(environment).reduce(
      (sum, [key, value]) => sum + key.length + (stack.resolve(value) === value ? value.length : 200),
      0,
    );
    if (size > LAMBDA_ENVIRONMENT_LIMIT) {
      throw new Error(
        `the checker function's environment is too large (${size} of ${LAMBDA_ENVIRONMENT_LIMIT} bytes)`,
      );
    }

    // The pods source reads the operator pods' own addresses on the metrics port, inside the VPC.
    const podsPort = config.clusters.some((cluster) => cluster.metrics.source === 'pods')
      ? config.operator.metricsPort
      : undefined;
    const vpc = config.vpc ? importVpc(this, config.vpc, podsPort) : undefined;
    this.function = new NodejsFunction(this, 'Function', {
      description: 'Runs the TenantReconciliationErrors runbook against one watched EKS cluster',
      entry: fileURLToPath(new URL('../../lambda/handler.ts', import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: config.checker.memoryMiB,
      timeout: Duration.seconds(config.checker.timeoutSeconds),
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment,
      bundling: { ...CHECKER_BUNDLING, commandHooks: configFileHooks(this, props.runtimeConfig) },
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      ...(vpc ?? {}),
    });

    if (config.vpc) {
      // With a role of our own, CDK does not add the VPC execution policy: Lambda needs these to attach
      // its network interfaces. EC2 supports no resource scoping for the Describe call.
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'LambdaNetworkInterfaces',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    // With a log group of our own, Lambda's default logging grant does not apply: write to this one only.
    logGroup.grantWrite(this.role);
    if (props.clusterGrants !== 'shards') this.grantClusterAccess(config);
    // Member accounts trust this role (lib/member-account-stack.ts takes it as -c checkerRoleArn).
    new CfnOutput(this, 'CheckerRoleArn', {
      value: this.role.roleArn,
      description: "The checker's role: what a member account's role trusts (-c checkerRoleArn)",
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'FindingsTableItems',
        // Query lists a cluster's runs; DeleteItem is the idempotency layer releasing a failed attempt.
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
        ],
        resources: [props.table.tableArn],
      }),
    );
    const bundleObjects = props.bucket.arnForObjects(`${BUNDLE_PREFIX}*`);
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'EscalationBundles',
        // Write only: readers reach a bundle through the link service, which reads with its own role.
        // Without a link service the checker presigns its own links, which need GetObject.
        actions: props.links ? ['s3:PutObject'] : ['s3:PutObject', 's3:GetObject'],
        resources: [bundleObjects],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: [props.topic.topicArn] }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'NotifyEncrypted',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.topicKey.keyArn],
      }),
    );

    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.bucket.node.defaultChild as CfnElement)}.Arn>/${BUNDLE_PREFIX}*]`,
      reason:
        'Bundle keys carry the cluster, the date and a run id chosen at run time; the grant is limited to the bundles/ prefix.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (added by active tracing).',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundle is built for and tested under Node.js 22; runtime and esbuild target move together.',
    });
  }

  /**
   * DescribeCluster on each watched cluster, QueryMetrics on each configured AMP workspace: nothing
   * else. A cluster of another account is read as its account's role (config `accounts`): the checker
   * may assume exactly those roles, and holds no grant of its own on their clusters.
   */
  private grantClusterAccess(config: CheckerConfig): void {
    for (const statement of clusterAccessStatements(Stack.of(this), config, config.clusters))
      this.role.addToPolicy(statement);
  }
}

/**
 * The grants a cycle needs on these clusters: sts:AssumeRole on the roles of the member accounts
 * among them (config `accounts`), DescribeCluster on each of the others and QueryMetrics on their AMP
 * workspaces. A cluster of another account is read as its account's role: the checker holds no grant
 * of its own on it.
 */
export function clusterAccessStatements(
  stack: Stack,
  config: Pick<CheckerConfig, 'accounts'>,
  clusters: readonly CheckerConfig['clusters'][number][],
): PolicyStatement[] {
  const assumed = [
    ...new Set(clusters.flatMap((cluster) => assumedRoleFor(config, cluster)?.roleArn ?? [])),
  ].sort();
  const own = clusters.filter((cluster) => !assumedRoleFor(config, cluster));
  return [
    ...(assumed.length > 0
      ? [
          new PolicyStatement({
            sid: 'AssumeMemberAccountRoles',
            actions: ['sts:AssumeRole'],
            resources: assumed,
          }),
        ]
      : []),
    ...clusterGrantStatements(stack, own.map(grantTargetOf)),
  ];
}

/**
 * Puts the config document into the function's code asset, beside index.mjs, where the handler reads
 * it once per container (CHECKER_CONFIG_FILE). The document is staged in the cloud assembly's
 * directory under a name holding its hash, and copied in after esbuild: the asset's hash is that of
 * the output, so a changed config changes the asset and a deploy updates the function; the name
 * keeps CDK's asset cache from reusing the bundle of another config in the same process.
 */
function configFileHooks(scope: Construct, document: string) {
  const hash = createHash('sha256').update(document).digest('hex').slice(0, 16);
  const dir = join(Stage.of(scope)?.outdir ?? '.', 'checker-config');
  mkdirSync(dir, { recursive: true });
  const staged = join(dir, `${hash}.json`);
  writeFileSync(staged, document);
  const copy = process.platform === 'win32' ? 'copy /Y' : 'cp';
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      `${copy} "${staged}" "${join(outputDir, CONFIG_FILE_NAME)}"`,
    ],
  };
}

/**
 * The function's placement for clusters with a private endpoint, built from ids alone so that synth
 * needs no AWS credentials (no lookups).
 */
function importVpc(
  scope: Construct,
  vpcConfig: NonNullable<CheckerConfig['vpc']>,
  podsPort: number | undefined,
): {
  vpc: IVpc;
  vpcSubnets: { subnets: ISubnet[] };
  securityGroups: ISecurityGroup[];
} {
  const vpc = Vpc.fromVpcAttributes(scope, 'Vpc', { vpcId: vpcConfig.vpcId, availabilityZones: Fn.getAzs() });
  Annotations.of(vpc).acknowledgeWarning(
    '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
    'The subnets are named below, never selected through the VPC by zone: the zones can stay a token.',
  );
  const subnets = vpcConfig.subnetIds.map((id) => {
    const subnet = Subnet.fromSubnetId(scope, `Subnet-${id}`, id);
    Annotations.of(subnet).acknowledgeWarning(
      '@aws-cdk/aws-ec2:noSubnetRouteTableId',
      'The function only runs in the subnet; nothing reads its route table, which synth could only learn by a lookup.',
    );
    return subnet;
  });
  if (vpcConfig.securityGroupIds) {
    const securityGroups = vpcConfig.securityGroupIds.map((id) =>
      SecurityGroup.fromSecurityGroupId(scope, `SecurityGroup-${id}`, id),
    );
    return { vpc, vpcSubnets: { subnets }, securityGroups };
  }
  // The checker only speaks HTTPS: to the cluster's API server and to AWS endpoints.
  const securityGroup = new SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: 'Tenant reconciliation checker: HTTPS out to the EKS API server and AWS endpoints',
    allowAllOutbound: false,
  });
  securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'EKS API server and AWS endpoints');
  if (podsPort !== undefined && podsPort !== 443)
    securityGroup.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(podsPort),
      "The operator pods' metrics endpoint (metrics source pods)",
    );
  return { vpc, vpcSubnets: { subnets }, securityGroups: [securityGroup] };
}
