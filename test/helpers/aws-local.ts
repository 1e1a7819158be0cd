/**
 * Local AWS for the escalation path: S3 by s3rver (it does not check signatures, and it corrupts
 * streamed uploads that carry the SDK's default checksums, hence WHEN_REQUIRED), SNS by fauxqs with
 * an SQS queue subscribed to the topic, so that a test reads what a subscriber would receive.
 */
import { createRequire } from 'node:module';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import S3rver from 's3rver';
import { scratchDir } from './scratch.js';

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const REGION = 'eu-west-1';

/**
 * A session whose credentials have expired: S3 refuses what they signed (ExpiredToken); s3rver, which
 * does not check expiry, is made to forget the key instead, and answers InvalidAccessKeyId.
 */
export function expireS3Keys(accessKeyIds: string[]) {
  const { DUMMY_ACCOUNT } = createRequire(import.meta.url)('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { revokeAccessKey(id: string): void };
  };
  for (const id of accessKeyIds) DUMMY_ACCOUNT.revokeAccessKey(id);
}

/** s3rver knows one key pair (S3RVER); others, such as a test's function credentials, are registered here. */
function registerS3Keys(keys: { accessKeyId: string; secretAccessKey: string }[]) {
  const { DUMMY_ACCOUNT } = createRequire(import.meta.url)('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  for (const k of keys) DUMMY_ACCOUNT.createKeyPair(k.accessKeyId, k.secretAccessKey);
}

export async function startS3(bucket: string, keys: { accessKeyId: string; secretAccessKey: string }[] = []) {
  registerS3Keys(keys);
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: scratchDir('s3rver-'),
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return { endpoint, client, close: () => server.close() };
}

export interface Delivered {
  subject: string;
  /** What this SQS subscriber gets: the `sqs` body of a per-protocol message, else the message. */
  body: string;
  attributes: Record<string, string>;
  /**
   * The per-protocol bodies of a message published with MessageStructure "json". fauxqs (1.9.2)
   * does not honour MessageStructure: it hands its subscribers the whole structure, as sent. Real
   * SNS gives an SQS subscriber the `sqs` body (else `default`); `body` above is that choice made
   * here, and tests read the other protocols' bodies from the structure that was sent.
   */
  protocols?: Record<string, string>;
}

function perProtocol(message: string): Record<string, string> | undefined {
  try {
    const parsed = JSON.parse(message) as unknown;
    if (
      parsed &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      typeof (parsed as Record<string, unknown>).default === 'string' &&
      Object.values(parsed).every((v) => typeof v === 'string')
    )
      return parsed as Record<string, string>;
  } catch {
    // a plain message
  }
  return undefined;
}

/**
 * A topic with one subscribed queue taking every message, and one more queue per filter policy
 * (`{ pager: { severity: ['critical'] } }`): SNS's own filtering on message attributes, by fauxqs.
 */
export async function startSns(topic: string, filtered: Record<string, Record<string, unknown>> = {}) {
  const server = await startFauxqs({ port: 0, logger: false, defaultRegion: REGION });
  const { topicArn } = server.createTopic(topic, { region: REGION });
  const { queueUrl } = server.createQueue(`${topic}-subscriber`, { region: REGION });
  server.subscribe({ topic, queue: `${topic}-subscriber`, region: REGION });
  const filteredQueues = Object.fromEntries(
    Object.entries(filtered).map(([name, policy]) => {
      const queue = `${topic}-${name}`;
      const created = server.createQueue(queue, { region: REGION });
      server.subscribe({
        topic,
        queue,
        region: REGION,
        attributes: { FilterPolicy: JSON.stringify(policy) },
      });
      return [name, created.queueUrl];
    }),
  );
  const sns = new SNSClient({ endpoint: server.address, region: REGION, credentials: LOCAL_CREDENTIALS });
  const sqs = new SQSClient({ endpoint: server.address, region: REGION, credentials: LOCAL_CREDENTIALS });
  /** Everything the subscribed queue received so far (the SNS JSON envelope, read as a subscriber would). */
  const received = (): Promise<Delivered[]> => receive(queueUrl);
  /** What the queue subscribed with the named filter policy received. */
  const receivedBy = (name: string): Promise<Delivered[]> => {
    const url = filteredQueues[name];
    if (!url) throw new Error(`no subscription named ${name}`);
    return receive(url);
  };
  async function receive(queueUrl: string): Promise<Delivered[]> {
    const out: Delivered[] = [];
    for (;;) {
      const answer = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!answer.Messages || answer.Messages.length === 0) return out;
      for (const m of answer.Messages) {
        const envelope = JSON.parse(m.Body ?? '{}') as {
          Subject?: string;
          Message?: string;
          MessageAttributes?: Record<string, { Value: string }>;
        };
        const protocols = perProtocol(envelope.Message ?? '');
        out.push({
          subject: envelope.Subject ?? '',
          body: protocols ? (protocols.sqs ?? protocols.default ?? '') : (envelope.Message ?? ''),
          ...(protocols ? { protocols } : {}),
          attributes: Object.fromEntries(
            Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]),
          ),
        });
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  }
  return { endpoint: server.address, topicArn, sns, received, receivedBy, close: () => server.stop() };
}
