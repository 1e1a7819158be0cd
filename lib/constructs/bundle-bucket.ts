import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUNDLE_PREFIX } from '../../lambda/constants.js';

export interface BundleBucketProps {
  /** Days a bundle is kept before the lifecycle rule deletes it. */
  readonly retentionDays: number;
}

/**
 * Escalation bundles: operator logs and cluster state, read by people through presigned links only.
 * Private (all public access blocked, ACLs disabled), SSE-S3 so that a link signed by the checker
 * opens without KMS grants to the reader, TLS 1.2+ only, access logged, deleted after the retention.
 */
export class BundleBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: BundleBucketProps) {
    super(scope, id);
    const common = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ expiration: Duration.days(Math.max(props.retentionDays, 90)) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the bundle bucket; logging it into itself would loop.',
    });
    this.bucket = new Bucket(this, 'Bundles', {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'bundles-access/',
      lifecycleRules: [
        { prefix: BUNDLE_PREFIX, expiration: Duration.days(props.retentionDays) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}
