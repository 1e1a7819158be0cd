/** Diagnosis steps 1, 2 and 4: the operator's logs, current and previous containers, read and summarised. */

import type { LogStream, OperatorLogs, OperatorPods } from '../../model/snapshot.js';
import { failed, type SourceResult, succeeded } from '../../model/source.js';
import { type CollectContext, LOG_LIMIT_BYTES } from '../context.js';
import { LogSummarizer } from '../log-parser.js';

export async function collectOperatorLogs(
  { reader, operator, logTailLines, logLimitBytes = LOG_LIMIT_BYTES }: CollectContext,
  pods: SourceResult<OperatorPods>,
): Promise<SourceResult<OperatorLogs>> {
  if (!pods.ok) {
    return failed({ ...pods.error, message: `no pods to read logs from: ${pods.error.message}` }, 0);
  }
  const wanted = pods.data.pods.flatMap((pod) => {
    const container = pod.containers.find((c) => c.name === operator.container) ?? pod.containers[0];
    if (!container) return [];
    const streams = [{ pod: pod.name, container: container.name, previous: false }];
    // The run before a restart is where a crash, an OOM kill or a panic is logged.
    if (container.restartCount > 0)
      streams.push({ pod: pod.name, container: container.name, previous: true });
    return streams;
  });
  const started = Date.now();
  const results = await Promise.all(
    wanted.map(async (stream) => ({
      stream,
      result: await reader.getText(`/api/v1/namespaces/${operator.namespace}/pods/${stream.pod}/log`, {
        // No limitBytes: with tailLines it keeps the oldest lines of the tail. The reader keeps the newest.
        query: {
          container: stream.container,
          tailLines: logTailLines,
          previous: stream.previous || undefined,
        },
        maxBytes: logLimitBytes,
        keepNewest: true,
        timeoutMs: 20_000,
      }),
    })),
  );
  const summarizer = new LogSummarizer();
  const streams: LogStream[] = [];
  const unread: OperatorLogs['unread'] = [];
  for (const { stream, result } of results) {
    if (!result.ok) {
      unread.push({ ...stream, error: result.error.message });
      continue;
    }
    summarizer.addText(result.data);
    const lines =
      result.data.length === 0 ? 0 : result.data.split('\n').length - (result.data.endsWith('\n') ? 1 : 0);
    streams.push({ ...stream, lines, text: result.data });
  }
  const firstError = results.find((r) => !r.result.ok)?.result;
  if (streams.length === 0 && firstError && !firstError.ok)
    return failed(firstError.error, Date.now() - started);
  return succeeded(
    { tailLines: logTailLines, streams, unread, summary: summarizer.result() },
    Date.now() - started,
  );
}
