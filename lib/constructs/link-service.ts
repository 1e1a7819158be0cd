import { fileURLToPath } from 'node:url';
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  type FunctionUrl,
  FunctionUrlAuthType,
  LoggingFormat,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUNDLE_PREFIX, SERVICE_NAME } from '../../lambda/constants.js';
import { LINK_ENV } from '../../lambda/link/constants.js';
import { CHECKER_BUNDLING } from './checker-function.js';

export interface LinkServiceProps {
  readonly bucket: IBucket;
  /** Days a bundle is kept: no link lives longer. */
  readonly retentionDays: number;
  /** Bumped to replace the HMAC key, which revokes every link already sent. */
  readonly keyGeneration: number;
}

/**
 * Links that last as long as the bundle: a KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC: no secret
 * anywhere, the key never leaves KMS) and a small function behind a Function URL that checks a
 * link's MAC and expiry and redirects to a presigned GET it makes with its own credentials. The URL
 * needs no AWS authentication (auth NONE): the MAC is the authorisation, checked by the function on
 * every request. Its role can verify MACs with this key and read bundle objects, nothing else.
 */
export class LinkService extends Construct {
  readonly key: Key;
  readonly function: NodejsFunction;
  readonly url: FunctionUrl;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: LinkServiceProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // A new logical id per generation: CloudFormation creates the new key and schedules the old one
    // for deletion, and from then on every link it signed is refused.
    this.key = new Key(this, props.keyGeneration === 1 ? 'Key' : `Key${props.keyGeneration}`, {
      description: `Signs the tenant reconciliation checker's bundle links (generation ${props.keyGeneration})`,
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      // The key protects no data, only links: deleting it is how they are revoked.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Tenant reconciliation checker link service: verifies bundle links and presigns bundle reads',
    });
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      description: 'Checks a bundle link (KMS HMAC) and redirects to a fresh presigned S3 URL',
      entry: fileURLToPath(new URL('../../lambda/link/handler.ts', import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        [LINK_ENV.bucket]: props.bucket.bucketName,
        [LINK_ENV.keyId]: this.key.keyArn,
        [LINK_ENV.maxLifetimeSeconds]: String(props.retentionDays * 86_400),
        POWERTOOLS_SERVICE_NAME: `${SERVICE_NAME}-links`,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: CHECKER_BUNDLING,
    });
    this.url = this.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });

    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'VerifyBundleLinks',
        actions: ['kms:VerifyMac'],
        resources: [this.key.keyArn],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadBundles',
        // What the presigned URLs it hands out may read: bundle objects, nothing else in the bucket.
        actions: ['s3:GetObject'],
        resources: [props.bucket.arnForObjects(`${BUNDLE_PREFIX}*`)],
      }),
    );

    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.bucket.node.defaultChild as CfnElement)}.Arn>/${BUNDLE_PREFIX}*]`,
      reason:
        'A link names one bundle, chosen at run time; the grant is limited to the bundles/ prefix, and the function presigns only keys of the bundle form whose MAC it verified.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundle is built for and tested under Node.js 22; runtime and esbuild target move together.',
    });
  }

  /** Lets a role make link MACs with the key (the checker): GenerateMac only. */
  grantSign(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SignBundleLinks',
        actions: ['kms:GenerateMac'],
        resources: [this.key.keyArn],
      }),
    );
  }
}
