/**
 * The custom notification schema of Amazon Q Developer in chat applications (formerly AWS Chatbot),
 * from its documentation ("Custom notifications", event schema and parameter details): version
 * "1.0", source "custom", content.description required, textType only "client-markdown", the rest
 * optional strings and lists of strings, additionalContext a map of strings. The length and count
 * bounds are the ones our payload promises to keep (lambda/sinks/chat-message.ts); they are written
 * here again on purpose, so that a change there has to be made here too. Strict: an unknown field
 * fails, because the service drops payloads it does not recognise.
 */
import * as z from 'zod';

const text = (max: number) => z.string().min(1).max(max);

export const chatNotificationSchema = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().min(1).max(256).optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: text(250).optional(),
    description: text(8000),
    nextSteps: z.array(text(350)).max(5).optional(),
    keywords: z.array(text(75)).max(10).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: text(128).optional(),
      summary: text(250).optional(),
      eventType: text(128).optional(),
      relatedResources: z.array(text(1024)).max(5).optional(),
      additionalContext: z.record(z.string().max(100), z.string().max(1024)).optional(),
      enableCustomActions: z.boolean().optional(),
    })
    .optional(),
});
