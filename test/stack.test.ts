import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../lambda/config.js';
import { buildApp } from '../lib/app.js';
import { CDK_JSON_CONTEXT, EXAMPLE_CONFIG, resourceNamed, resourcesOf, synthApp } from './helpers/cdk.js';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

function policyStatements(template: Template, roleLogicalIdPrefix: string): Statement[] {
  const policies = resourcesOf(template, 'AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([id]) => id.startsWith(roleLogicalIdPrefix))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the stack synthesized from the example config', () => {
  let template: Template;
  let outdir: string;

  beforeAll(() => {
    ({ template, outdir } = synthApp(EXAMPLE_CONFIG));
  });

  it('runs the checker on Node.js 22, arm64, as one ESM bundle with require restored', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 120,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          CHECKER_CONFIG_FILE: 'checker-config.json',
          RUNS_TABLE: Match.anyValue(),
          BUNDLE_BUCKET: Match.anyValue(),
          TOPIC_ARN: Match.anyValue(),
          POWERTOOLS_SERVICE_NAME: 'tenant-checker',
          POWERTOOLS_METRICS_NAMESPACE: 'TenantChecker',
        }),
      },
    });
    const fn = resourceNamed(template, 'AWS::Lambda::Function', 'CheckerFunction');
    const assetHash = (fn?.Properties.Code as { S3Key: string } | undefined)?.S3Key.replace('.zip', '');
    const bundle = readFileSync(join(outdir, `asset.${assetHash}`, 'index.mjs'), 'utf8');
    expect(bundle.startsWith("import { createRequire as __checkerCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(bundle).toMatch(/export\s*\{[^}]*handler/);
  });

  it('ships the validated config in the code asset, beside the bundle, not in the environment', () => {
    const fn = resourceNamed(template, 'AWS::Lambda::Function', 'CheckerFunction');
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.CHECKER_CONFIG).toBeUndefined();
    const assetHash = (fn.Properties.Code as { S3Key: string }).S3Key.replace('.zip', '');
    const shipped = readFileSync(join(outdir, `asset.${assetHash}`, 'checker-config.json'), 'utf8');
    // The same schema reads it back to the same config the stack was built from.
    expect(parseConfigText(shipped, 'asset').clusters.map((c) => c.name)).toEqual([
      'prod-eks-1',
      'staging-eks',
      'dev-eks',
    ]);
    // The e-mail addresses are the stack's business: neither the environment nor the asset has them.
    expect(JSON.stringify(fn.Properties.Environment)).not.toContain('oncall@example.com');
    expect(shipped).not.toContain('oncall@example.com');
  });

  it('sends failed invocations to an encrypted, SSL-only dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CheckerFailedChecks'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('schedules one invocation per watched cluster, passing { cluster, scheduledTime }', () => {
    const schedules = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(3);
    const byCluster = Object.fromEntries(
      schedules.map((s) => {
        const target = s.Properties.Target as {
          Input: string;
          RetryPolicy: unknown;
          DeadLetterConfig: unknown;
        };
        return [JSON.parse(target.Input).cluster, { expression: s.Properties.ScheduleExpression, target }];
      }),
    );
    expect(byCluster['prod-eks-1']?.expression).toBe('rate(5 minutes)');
    expect(byCluster['staging-eks']?.expression).toBe('rate(15 minutes)');
    expect(byCluster['dev-eks']?.expression).toBe('cron(0/10 * * * ? *)');
    expect(JSON.parse(byCluster['prod-eks-1']?.target.Input ?? '{}')).toEqual({
      cluster: 'prod-eks-1',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
    expect(byCluster['prod-eks-1']?.target.RetryPolicy).toEqual({
      MaximumEventAgeInSeconds: 300,
      MaximumRetryAttempts: 2,
    });
    expect(byCluster['prod-eks-1']?.target.DeadLetterConfig).toBeDefined();
  });

  it('lets only the scheduler of this account invoke the checker, and only the checker', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ],
      },
    });
    const statements = policyStatements(template, 'SchedulesInvokeRole');
    const invoke = statements.filter((s) => actions(s).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0]?.Resource)).toMatch(/CheckerFunction/);
    expect(
      statements.flatMap(actions).filter((a) => a !== 'lambda:InvokeFunction' && a !== 'sqs:SendMessage'),
    ).toEqual([]);
  });

  it('stores findings in an on-demand table with point-in-time recovery, TTL and KMS encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
  });

  it('notifies through a KMS-encrypted, SSL-only topic with the configured e-mail subscriptions', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotificationsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    // CloudWatch alarms can publish to the encrypted topic only if the key lets them.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('keeps bundles private, encrypted, SSL-only, owner-enforced, logged and expiring', () => {
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
    }
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'bundles-access/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'bundles/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
    const policies = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    }
  });

  it("grants the checker's role exactly the actions a cycle uses, on exactly its resources", () => {
    const statements = policyStatements(template, 'CheckerRole');
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(actions(bySid.DescribeWatchedClusters as Statement)).toEqual(['eks:DescribeCluster']);
    const clusterArns = JSON.stringify(bySid.DescribeWatchedClusters?.Resource);
    for (const name of ['prod-eks-1', 'staging-eks', 'dev-eks']) {
      expect(clusterArns).toContain(`:eks:eu-west-1:`);
      expect(clusterArns).toContain(`:cluster/${name}`);
    }
    expect(bySid.QueryWorkspaces).toMatchObject({ Action: 'aps:QueryMetrics' });
    expect(JSON.stringify(bySid.QueryWorkspaces?.Resource)).toContain(':aps:eu-west-1:');
    expect(JSON.stringify(bySid.QueryWorkspaces?.Resource)).toContain(
      ':workspace/ws-12345678-abcd-ef01-2345-6789abcdef01',
    );
    expect(actions(bySid.FindingsTableItems as Statement).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    // Write only: people read bundles through the link service, with its own role.
    expect(actions(bySid.EscalationBundles as Statement)).toEqual(['s3:PutObject']);
    expect(JSON.stringify(bySid.EscalationBundles?.Resource)).toContain('/bundles/*');
    expect(bySid.Notify).toMatchObject({
      Action: 'sns:Publish',
      Resource: { Ref: expect.stringMatching(/^NotificationsTopic/) },
    });
    expect(actions(bySid.NotifyEncrypted as Statement).sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);

    // Everything else on the role is what CDK adds for the features we use: tracing, logs, the DLQ.
    const granted = new Set(statements.flatMap(actions));
    expect([...granted].sort()).toEqual(
      [
        'aps:QueryMetrics',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'eks:DescribeCluster',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'kms:GenerateMac',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:PutObject',
        'sns:Publish',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    expect([...granted].some((a) => a.includes('*'))).toBe(false);
    // No AWS-managed policies: the role's permissions are all above.
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('serves bundle links from a function URL (auth NONE: the MAC is the authorisation) with a KMS HMAC key', () => {
    const link = resourceNamed(template, 'AWS::Lambda::Function', 'BundleLinksFunction');
    expect(link.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 10,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/^BundleLinksLogs/) } },
      Environment: {
        Variables: {
          BUNDLE_BUCKET: { Ref: expect.stringMatching(/^EscalationBundles/) },
          LINK_KEY_ID: { 'Fn::GetAtt': [expect.stringMatching(/^BundleLinksKey/), 'Arn'] },
          // The example keeps bundles 30 days: no link is accepted that claims to live longer.
          LINK_MAX_LIFETIME_SECONDS: String(30 * 86_400),
          POWERTOOLS_SERVICE_NAME: 'tenant-checker-links',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BundleLinksFunction'), 'Arn'] },
    });
    // Anyone may invoke it, but only through its URL.
    const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission')).filter((p) =>
      JSON.stringify(p.Properties.FunctionName).includes('BundleLinksFunction'),
    );
    expect(
      permissions.map((p) => p.Properties).sort((a, b) => String(a.Action).localeCompare(String(b.Action))),
    ).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Principal: '*',
        InvokedViaFunctionUrl: true,
      }),
      expect.objectContaining({
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      }),
    ]);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
      PendingWindowInDays: 7,
    });
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ KeySpec: 'HMAC_256' }),
    });
    // The checker puts the service's URL and the key in every message's link.
    const checker = resourceNamed(template, 'AWS::Lambda::Function', 'CheckerFunction');
    expect(
      (checker.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ).toMatchObject({
      LINK_SERVICE_URL: {
        'Fn::GetAtt': [expect.stringMatching(/^BundleLinksFunctionFunctionUrl/), 'FunctionUrl'],
      },
      LINK_KEY_ID: { 'Fn::GetAtt': [expect.stringMatching(/^BundleLinksKey/), 'Arn'] },
    });
  });

  it("grants the link service's role VerifyMac on its key and GetObject on bundles, nothing else", () => {
    const statements = policyStatements(template, 'BundleLinksRole');
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.VerifyBundleLinks).toMatchObject({
      Action: 'kms:VerifyMac',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BundleLinksKey/), 'Arn'] },
    });
    expect(bySid.ReadBundles).toMatchObject({ Action: 's3:GetObject' });
    expect(JSON.stringify(bySid.ReadBundles?.Resource)).toContain('/bundles/*');
    expect([...new Set(statements.flatMap(actions))].sort()).toEqual([
      'kms:VerifyMac',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('link service'),
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('alarms on errors, throttles, dead letters and each silent cluster, into the topic', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      expect(JSON.stringify(alarm.Properties.AlarmActions)).toMatch(/NotificationsTopic/);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Throttles',
      Namespace: 'AWS/Lambda',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
    });
    const silent = alarms.filter((a) => a.Properties.MetricName === 'CheckCycleCompleted');
    const windows = Object.fromEntries(
      silent.map((a) => {
        const dims = a.Properties.Dimensions as { Name: string; Value: string }[];
        expect(a.Properties).toMatchObject({
          Namespace: 'TenantChecker',
          ComparisonOperator: 'LessThanThreshold',
          Threshold: 1,
          TreatMissingData: 'breaching',
          Statistic: 'Sum',
        });
        const cluster = dims.find((d) => d.Name === 'cluster')?.Value;
        expect(dims).toContainEqual({ Name: 'service', Value: 'tenant-checker' });
        return [cluster, (a.Properties.Period as number) * (a.Properties.EvaluationPeriods as number)];
      }),
    );
    // Three schedule periods, or the configured window for a cron schedule.
    expect(windows).toEqual({ 'prod-eks-1': 900, 'staging-eks': 2700, 'dev-eks': 1800 });
  });

  it('maps the role to the read-only Kubernetes group on each cluster, with no access policy', () => {
    const entries = Object.values(resourcesOf(template, 'AWS::EKS::AccessEntry'));
    expect(entries.map((e) => e.Properties.ClusterName).sort()).toEqual([
      'dev-eks',
      'prod-eks-1',
      'staging-eks',
    ]);
    for (const entry of entries) {
      expect(entry.Properties).toMatchObject({
        KubernetesGroups: ['tenant-checker-readers'],
        Type: 'STANDARD',
        PrincipalArn: { 'Fn::GetAtt': [expect.stringMatching(/^CheckerRole/), 'Arn'] },
      });
      expect(entry.Properties.AccessPolicies).toBeUndefined();
    }
  });
});

describe('the stack adapts to the config', () => {
  const base = {
    region: 'eu-west-1',
    clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' } }],
  };

  it('grants no AMP access when no cluster reads AMP', () => {
    const { template } = synthApp(base);
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toContain('aps:QueryMetrics');
    expect(text).not.toContain('ec2:CreateNetworkInterface');
  });

  it('places the function in the configured VPC, from ids alone (no lookup, no credentials)', () => {
    const { template } = synthApp({
      ...base,
      vpc: {
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
        securityGroupIds: ['sg-0123456789abcdef0'],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
        SecurityGroupIds: ['sg-0123456789abcdef0'],
      },
    });
    // Lambda attaches its interfaces with the function's own role.
    const statements = policyStatements(template, 'CheckerRole');
    expect(statements.find((s) => s.Sid === 'LambdaNetworkInterfaces')).toMatchObject({
      Action: expect.arrayContaining([
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DeleteNetworkInterface',
      ]),
    });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });

  it('gives the function in a VPC a security group that only lets HTTPS out', () => {
    const { template } = synthApp({
      ...base,
      vpc: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
      ],
    });
  });

  it('opens the metrics port too when a cluster reads the operator pods, and refuses pods without a VPC', () => {
    const pods = { name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'pods' } };
    const { template } = synthApp({
      ...base,
      clusters: [pods],
      vpc: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
        {
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 8443,
          ToPort: 8443,
          Description: Match.anyValue(),
        },
      ],
    });
    expect(() => synthApp({ ...base, clusters: [pods] })).toThrow(
      /clusters\[0\]\.metrics\.source: "pods" reads the operator pods' addresses on port 8443, which a function in no VPC cannot reach: set vpc/,
    );
  });

  it('skips the access entry where asked, and refuses one in another region', () => {
    const skipped = synthApp({
      ...base,
      clusters: [
        { name: 'far', region: 'us-west-2', createAccessEntry: false, metrics: { source: 'scrape' } },
      ],
    });
    skipped.template.resourceCountIs('AWS::EKS::AccessEntry', 0);
    expect(() =>
      synthApp({ ...base, clusters: [{ name: 'far', region: 'us-west-2', metrics: { source: 'scrape' } }] }),
    ).toThrow(
      /clusters\[0\]\.createAccessEntry: cluster far is in us-west-2 but the checker deploys to eu-west-1/,
    );
    // The index is the config's, also after a member account's cluster (which gets no entry here).
    expect(() =>
      synthApp({
        ...base,
        accounts: { '222222222222': { roleArn: 'arn:aws:iam::222222222222:role/tenant-checker-access' } },
        clusters: [
          { name: 'member', region: 'us-west-2', account: '222222222222', metrics: { source: 'scrape' } },
          { name: 'far', region: 'us-west-2', metrics: { source: 'scrape' } },
        ],
      }),
    ).toThrow(/^clusters\[1\]\.createAccessEntry: cluster far/);
  });

  it('sizes the function and the silence alarm from the config', () => {
    const { template } = synthApp({
      ...base,
      clusters: [
        { name: 'prod-eks-1', region: 'eu-west-1', schedule: 'rate(1 day)', metrics: { source: 'scrape' } },
      ],
      checker: { memoryMiB: 1024, timeoutSeconds: 300 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024, Timeout: 300 });
    // Three days of silence is more than one alarm period: three one-day periods, all silent.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CheckCycleCompleted',
      Period: 86_400,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('runs a one-minute cadence: a 50 s timeout, events dropped after a minute, silence after five', () => {
    const { template } = synthApp({
      ...base,
      clusters: [
        {
          name: 'prod-eks-1',
          region: 'eu-west-1',
          schedule: 'rate(1 minute)',
          metrics: { source: 'prometheus' },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 50 });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({ RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 2 } }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CheckCycleCompleted',
      Period: 300,
      EvaluationPeriods: 1,
    });
  });

  it('replaces the link key when its generation is raised (every link sent before is revoked)', () => {
    const keys = (document: unknown) =>
      Object.entries(resourcesOf(synthApp(document).template, 'AWS::KMS::Key'))
        .filter(([, k]) => k.Properties.KeySpec === 'HMAC_256')
        .map(([id]) => id);
    const first = keys(base);
    const second = keys({ ...base, bundles: { linkKeyGeneration: 2 } });
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first[0]);
  });

  it('takes a config larger than a function environment (4 KB), and a changed config changes the asset', () => {
    const clusters = Array.from({ length: 100 }, (_, i) => ({
      name: `cluster-with-a-long-name-${i}`,
      region: 'eu-west-1',
      metrics: { source: 'scrape' },
    }));
    const code = (document: unknown) => {
      const { template, outdir } = synthApp(document);
      const fn = resourceNamed(template, 'AWS::Lambda::Function', 'CheckerFunction');
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      return {
        key,
        shipped: readFileSync(
          join(outdir, `asset.${key.replace('.zip', '')}`, 'checker-config.json'),
          'utf8',
        ),
      };
    };
    const big = code({ ...base, clusters });
    expect(big.shipped.length).toBeGreaterThan(4096);
    expect(JSON.parse(big.shipped).clusters).toHaveLength(100);
    // One field changed: a new asset, so that a deploy updates the function.
    const changed = code({ ...base, clusters, alert: { threshold: 0.2 } });
    expect(changed.key).not.toBe(big.key);
    expect(JSON.parse(changed.shipped).alert.threshold).toBe(0.2);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding on the example stack', () => {
    const { report } = synthApp(EXAMPLE_CONFIG);
    const violations = report.pluginReports.flatMap(
      (p: { violations: { ruleName: string }[] }) => p.violations,
    );
    expect(violations.map((v: { ruleName: string }) => v.ruleName)).toEqual([]);
  });

  it('has no unacknowledged finding with a VPC and no AMP either', () => {
    const { report } = synthApp({
      region: 'eu-west-1',
      clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' } }],
      vpc: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'] },
    });
    const violations = report.pluginReports.flatMap(
      (p: { violations: { ruleName: string }[] }) => p.violations,
    );
    expect(violations.map((v: { ruleName: string }) => v.ruleName)).toEqual([]);
  });

  it('does report a finding nobody acknowledged (the check is live)', () => {
    const { dir, config } = (() => {
      const d = synthApp(EXAMPLE_CONFIG).outdir;
      return { dir: d, config: join(d, '..', 'checker.config.json') };
    })();
    const { app, stack } = buildApp({
      outdir: join(dir, '..', 'again'),
      context: { ...CDK_JSON_CONTEXT, config },
    });
    stack.checker.role.addToPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    try {
      app.synth();
    } catch {
      // a failing validation may throw after writing its report
    }
    const report = JSON.parse(readFileSync(join(dir, '..', 'again', 'validation-report.json'), 'utf8'));
    const rules = report.pluginReports.flatMap((p: { violations: { ruleName: string }[] }) =>
      p.violations.map((v) => v.ruleName),
    );
    expect(rules).toContain('AwsSolutions-IAM5[Action::s3:*]');
  });
});
