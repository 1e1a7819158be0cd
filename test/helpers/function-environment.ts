/**
 * The deployed function's environment for tests that run its handler in-process (vitest's stubs).
 * Kept apart from lambda-context.ts, which the fleet's container processes load outside vitest.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { vi } from 'vitest';
import { createTable, type LocalDynamo } from './dynalite.js';

/**
 * The environment the deployed function has, pointed at the local servers: EKS's endpoint, the
 * function's own credentials, a findings table of its own (created here) and the topic and bucket
 * names. Undone by vi.unstubAllEnvs().
 */
export async function stubFunctionEnvironment(options: {
  eksUrl: string;
  credentials: AwsCredentialIdentity;
  dynamo: LocalDynamo;
  table: string;
  /** The deployment's account, in the topic's ARN. */
  account: string;
}): Promise<void> {
  vi.stubEnv('AWS_ENDPOINT_URL_EKS', options.eksUrl);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', options.credentials.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', options.credentials.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', options.credentials.sessionToken ?? '');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', options.dynamo.endpoint);
  await createTable(options.dynamo.client, options.table);
  vi.stubEnv('RUNS_TABLE', options.table);
  vi.stubEnv('TOPIC_ARN', `arn:aws:sns:eu-west-1:${options.account}:checker-notifications`);
  vi.stubEnv('BUNDLE_BUCKET', 'checker-bundles');
}
