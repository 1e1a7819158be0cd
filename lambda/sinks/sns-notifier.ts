/**
 * Publishes notifications to the SNS topic, with message attributes for subscription filters, and with
 * a body per protocol (MessageStructure "json") when the notification has them.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from './notifier.js';

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(n: Notification): Promise<{ messageId: string }> {
    const answer = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: n.subject,
        // One body per protocol when there are: e-mail text, chat JSON, the run for programs.
        ...(n.protocols
          ? { Message: JSON.stringify(n.protocols), MessageStructure: 'json' }
          : { Message: n.body }),
        MessageAttributes: Object.fromEntries(
          Object.entries(n.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      }),
    );
    return { messageId: answer.MessageId ?? 'unknown' };
  }
}
