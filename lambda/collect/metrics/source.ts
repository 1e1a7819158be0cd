/**
 * The MetricsSource port: one evaluation at an instant, from wherever the user's metrics are. The
 * PromQL sources (AMP, in-cluster Prometheus, a Prometheus URL from a laptop) share one evaluator;
 * the scrape source computes the same numbers from two samples of the operator's own endpoint and
 * hands back the state to keep for the next cycle.
 */

import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { RangeQuery } from '../../alert/rules/evaluate.js';
import type { ClusterConfig, OperatorConfig } from '../../config.js';
import type { MetricsEvaluation, MetricsSourceKind, MetricsState } from '../../model/metrics.js';
import type { SourceResult } from '../../model/source.js';
import { failed } from '../../model/source.js';
import type { ClusterReader } from '../cluster-reader.js';
import { type PodAddressMap, readPodMetrics } from './pod-scrape.js';
import { PrometheusApi, type PrometheusTransport } from './prometheus-api.js';
import { evaluatePromql } from './promql.js';
import { evaluateScrape, type ReadOperatorMetrics, readOperatorMetrics } from './scrape.js';
import { ampTransport, serviceProxyTransport, urlTransport } from './transports.js';

export { urlTransport };

export interface MetricsSource {
  readonly kind: MetricsSourceKind;
  evaluate(
    at: Date,
    previous?: MetricsState,
  ): Promise<{ result: SourceResult<MetricsEvaluation>; state?: MetricsState }>;
  /** The source's PromQL range query, for the alerting rules; absent when it has no query engine. */
  readonly rangeQuery?: RangeQuery;
}

/** The rules' port over a Prometheus query API transport (AMP, a service proxy, a URL). */
export function rangeQueryOver(transport: PrometheusTransport): RangeQuery {
  const api = new PrometheusApi(transport);
  return (expr, start, end, stepSeconds) => api.queryRange(expr, start, end, stepSeconds);
}

export interface EvaluationSettings {
  operator: OperatorConfig;
  threshold: number;
  forSeconds: number;
}

export function promqlSource(
  kind: MetricsSourceKind,
  transport: PrometheusTransport,
  settings: EvaluationSettings,
): MetricsSource {
  const api = new PrometheusApi(transport);
  return {
    kind,
    rangeQuery: (expr, start, end, stepSeconds) => api.queryRange(expr, start, end, stepSeconds),
    async evaluate(at) {
      const result = await evaluatePromql(api, kind, {
        metric: settings.operator.reconcileMetric,
        namespace: settings.operator.namespace,
        threshold: settings.threshold,
        forSeconds: settings.forSeconds,
        at,
      });
      return { result };
    },
  };
}

/**
 * The operator's own metrics, scraped twice for a rate: through the API server's pod proxy (`scrape`,
 * only for an operator run with --metrics-secure=false), or from the pods' addresses with the checker's
 * token (`pods`, what works on the operator's secure default).
 */
export function scrapeSource(
  reader: ClusterReader,
  settings: EvaluationSettings,
  direct?: { ca?: string; serverName?: string; podAddress?: PodAddressMap },
): MetricsSource {
  const where = {
    namespace: settings.operator.namespace,
    podSelector: settings.operator.podSelector,
    port: settings.operator.metricsPort,
  };
  const read: ReadOperatorMetrics = direct
    ? () =>
        readPodMetrics(reader, {
          ...where,
          ...(direct.ca ? { ca: direct.ca } : {}),
          ...(direct.serverName ? { serverName: direct.serverName } : {}),
          ...(direct.podAddress ? { podAddress: direct.podAddress } : {}),
        })
    : () => readOperatorMetrics(reader, where);
  return {
    kind: 'scrape',
    async evaluate(at, previous) {
      const { result, state } = await evaluateScrape(
        read,
        {
          metric: settings.operator.reconcileMetric,
          threshold: settings.threshold,
          forSeconds: settings.forSeconds,
          at,
        },
        previous?.scrape,
      );
      return { result, ...(state ? { state: { scrape: state } } : {}) };
    },
  };
}

export interface MetricsDependencies {
  /** Absent when the cluster could not be reached: only AMP can still be asked. */
  reader?: ClusterReader;
  credentials: AwsCredentialIdentityProvider;
  /** Overrides the AMP endpoint (a VPC endpoint, or a local test server). */
  ampEndpoint?: string;
  /** A Prometheus URL given on the command line replaces the configured source. */
  prometheusUrl?: string;
  /** Where the `pods` source reaches a pod's address (a test's listeners); by default the address itself. */
  podAddress?: PodAddressMap;
}

/** The source the cluster's config names, built on the cycle's reader and credentials. */
export function metricsSourceFor(
  cluster: ClusterConfig,
  settings: EvaluationSettings,
  deps: MetricsDependencies,
): MetricsSource {
  if (deps.prometheusUrl) return promqlSource('prometheus', urlTransport(deps.prometheusUrl), settings);
  const metrics = cluster.metrics;
  switch (metrics.source) {
    case 'amp':
      return promqlSource(
        'amp',
        ampTransport({
          workspaceId: metrics.workspaceId,
          region: metrics.region ?? cluster.region,
          credentials: deps.credentials,
          ...(deps.ampEndpoint ? { endpoint: deps.ampEndpoint } : {}),
        }),
        settings,
      );
    case 'prometheus':
      return deps.reader
        ? promqlSource('prometheus', serviceProxyTransport(deps.reader, metrics), settings)
        : unreachable('prometheus');
    case 'scrape':
      return deps.reader ? scrapeSource(deps.reader, settings) : unreachable('scrape');
    case 'pods':
      return deps.reader
        ? scrapeSource(deps.reader, settings, {
            ...(metrics.ca ? { ca: metrics.ca } : {}),
            serverName:
              metrics.serverName ?? `${settings.operator.metricsService}.${settings.operator.namespace}.svc`,
            ...(deps.podAddress ? { podAddress: deps.podAddress } : {}),
          })
        : unreachable('scrape');
  }
}

/** A source behind the API server, when the API server could not be reached. */
function unreachable(kind: MetricsSourceKind): MetricsSource {
  return {
    kind,
    evaluate: async (_at, previous) => ({
      result: failed(
        {
          kind: 'unreachable',
          message: `the ${kind} metrics are read through the API server, which could not be reached`,
        },
        0,
      ),
      ...(previous ? { state: previous } : {}),
    }),
  };
}
