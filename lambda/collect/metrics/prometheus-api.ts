/**
 * Prometheus's HTTP query API (`/api/v1/query`, `/api/v1/query_range`) over a transport: Amazon
 * Managed Service for Prometheus (SigV4, service `aps`) or an in-cluster Prometheus through the API
 * server's service proxy. Same API, same answers; only how a request is carried differs.
 */
import { failed, type SourceResult, succeeded } from '../../model/source.js';

/** Sends a query API request (`path` is `/api/v1/query` or `/api/v1/query_range`) and returns the body. */
export type PrometheusTransport = (
  path: string,
  params: Record<string, string>,
) => Promise<SourceResult<string>>;

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  points: [number, number][];
}

interface ApiAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export class PrometheusApi {
  constructor(private readonly transport: PrometheusTransport) {}

  /** An instant query at `time`. A scalar answer is one sample without labels. */
  async query(expr: string, time: Date): Promise<SourceResult<Sample[]>> {
    const answer = await this.call('/api/v1/query', { query: expr, time: seconds(time) });
    if (!answer.ok) return answer;
    const { resultType, result } = answer.data;
    if (resultType === 'scalar' && Array.isArray(result))
      return succeeded([{ labels: {}, value: Number(result[1]) }], answer.elapsedMs);
    if (resultType !== 'vector' || !Array.isArray(result) || !result.every(isSample)) {
      return failed(
        { kind: 'bad-response', message: `query ${expr}: expected a vector of samples, got ${resultType}` },
        answer.elapsedMs,
      );
    }
    return succeeded(
      (result as { metric?: Record<string, string>; value?: [number, string] }[]).map((r) => ({
        labels: r.metric ?? {},
        value: Number(r.value?.[1]),
      })),
      answer.elapsedMs,
    );
  }

  async queryRange(
    expr: string,
    start: Date,
    end: Date,
    stepSeconds: number,
  ): Promise<SourceResult<Series[]>> {
    const answer = await this.call('/api/v1/query_range', {
      query: expr,
      start: seconds(start),
      end: seconds(end),
      step: String(stepSeconds),
    });
    if (!answer.ok) return answer;
    const { resultType, result } = answer.data;
    if (resultType !== 'matrix' || !Array.isArray(result) || !result.every(isSeries)) {
      return failed(
        { kind: 'bad-response', message: `query_range ${expr}: expected a matrix, got ${resultType}` },
        answer.elapsedMs,
      );
    }
    return succeeded(
      (result as { metric?: Record<string, string>; values?: [number, string][] }[]).map((r) => ({
        labels: r.metric ?? {},
        points: (r.values ?? []).map(([t, v]) => [Number(t), Number(v)] as [number, number]),
      })),
      answer.elapsedMs,
    );
  }

  private async call(
    path: string,
    params: Record<string, string>,
  ): Promise<SourceResult<NonNullable<ApiAnswer['data']>>> {
    const body = await this.transport(path, params);
    if (!body.ok) return body;
    let answer: ApiAnswer;
    try {
      answer = JSON.parse(body.data) as ApiAnswer;
    } catch (error) {
      return failed(
        {
          kind: 'bad-response',
          message: `${path}: not the Prometheus API (invalid JSON: ${(error as Error).message})`,
        },
        body.elapsedMs,
      );
    }
    if (!isObject(answer) || answer.status !== 'success' || !isObject(answer.data)) {
      return failed(
        {
          kind: 'bad-response',
          message: isObject(answer)
            ? `${path}: ${answer.errorType ?? 'error'}: ${answer.error ?? 'no data'}`
            : `${path}: not a Prometheus API answer`,
        },
        body.elapsedMs,
      );
    }
    return succeeded(answer.data, body.elapsedMs);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isLabels = (v: unknown) =>
  v === undefined || (isObject(v) && Object.values(v).every((x) => typeof x === 'string'));
const isPoint = (v: unknown) => Array.isArray(v) && v.length === 2;
function isSample(v: unknown): boolean {
  return isObject(v) && isLabels(v.metric) && isPoint(v.value);
}
function isSeries(v: unknown): boolean {
  return isObject(v) && isLabels(v.metric) && Array.isArray(v.values) && v.values.every(isPoint);
}

function seconds(time: Date): string {
  return (time.getTime() / 1000).toFixed(3);
}
