/**
 * The Notifier port and the message it carries. Subject and body are plain text for an e-mail read
 * on a phone; attributes let subscribers filter (cluster, state, severity, top cause).
 */
import type { NoticeKind } from '../model/alert.js';
import type { ProtocolBodies } from './chat-message.js';

export interface Notification {
  cluster: string;
  kind: NoticeKind;
  /** Under 100 characters, one line (SNS refuses anything else). */
  subject: string;
  /** The plain text, which is also the e-mail body. */
  body: string;
  attributes: Record<string, string>;
  /** The body for each SNS protocol (published with MessageStructure "json"); see chat-message.ts. */
  protocols?: ProtocolBodies;
}

export interface Notifier {
  publish(notification: Notification): Promise<{ messageId: string }>;
}

/** A notifier that keeps what it was given (the CLI prints it; tests read it). */
export class MemoryNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async publish(notification: Notification): Promise<{ messageId: string }> {
    this.sent.push(notification);
    return { messageId: `local-${this.sent.length}` };
  }
}
