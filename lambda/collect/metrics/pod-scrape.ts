/**
 * The scrape that works on the real operator: straight to each operator pod's address on its metrics
 * port (HTTPS :8443), from where the checker runs (a function in the cluster's VPC), with the checker's
 * own bearer token (the EKS token). The operator's metrics filter (controller-runtime's
 * WithAuthenticationAndAuthorization, on with its default --metrics-secure) accepts the token through a
 * TokenReview and asks a SubjectAccessReview for `get` on the non-resource URL /metrics, which the
 * metrics-reader binding of k8s/checker-rbac.yaml grants the checker's group. The API server's pod
 * proxy cannot do this: it does not forward the caller's credentials.
 *
 * TLS: without --metrics-cert-path the operator serves a certificate it made itself at start-up
 * (self-signed, for "localhost"): nothing about it can be verified for a pod's address, so by default
 * the certificate is not verified. What limits sending the token there: the addresses come from the API
 * server (whose certificate is verified), only Running pods matching the operator's selector in its
 * namespace are asked, the token is bound to this cluster and lives 15 minutes, and it carries only the
 * checker's read-only group. With a CA (`metrics.ca`: the operator given certificates, e.g. by
 * cert-manager) the chain and the name (`metrics.serverName`) are verified, and nothing is sent otherwise.
 */
import https from 'node:https';
import { failed, type SourceError, type SourceResult, succeeded } from '../../model/source.js';
import type { ClusterReader } from '../cluster-reader.js';
import { kindForNetworkError, kindForStatus } from '../result.js';

/** Where a pod's address is really reached: the identity in production; a test maps it to its listener. */
export type PodAddressMap = (podIP: string, port: number) => { host: string; port: number } | undefined;

export interface PodScrapeOptions {
  namespace: string;
  podSelector: string;
  port: number;
  /** PEM of the CA that signed the operator's metrics certificate; without it the certificate is not verified. */
  ca?: string;
  /** The name the certificate must carry when `ca` is given. */
  serverName?: string;
  timeoutMs?: number;
  maxBytes?: number;
  podAddress?: PodAddressMap;
}

interface PodTarget {
  pod: string;
  podIP: string;
}

/** The Running operator pods and their addresses, read through the API server. */
async function operatorPods(
  reader: ClusterReader,
  options: PodScrapeOptions,
): Promise<SourceResult<PodTarget[]>> {
  const pods = await reader.getJson<{
    items?: { metadata?: { name?: string }; status?: { phase?: string; podIP?: string } }[];
  }>(`/api/v1/namespaces/${options.namespace}/pods`, { query: { labelSelector: options.podSelector } });
  if (!pods.ok) return pods;
  const running = (pods.data.items ?? []).filter((p) => p.status?.phase === 'Running' && p.metadata?.name);
  if (running.length === 0)
    return failed(
      { kind: 'unreachable', message: `no running operator pod matches ${options.podSelector}` },
      pods.elapsedMs,
    );
  const addressed = running
    .filter((p) => p.status?.podIP)
    .map((p) => ({ pod: p.metadata?.name as string, podIP: p.status?.podIP as string }));
  if (addressed.length === 0)
    return failed(
      { kind: 'unreachable', message: `the running operator pods have no address yet (status.podIP)` },
      pods.elapsedMs,
    );
  return succeeded(addressed, pods.elapsedMs);
}

/** One GET of https://POD_IP:PORT/metrics with the bearer token, as a value. */
function getMetrics(
  target: PodTarget,
  token: string,
  options: PodScrapeOptions,
): Promise<SourceResult<string>> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const where = `${target.pod} (https://${target.podIP}:${options.port}/metrics)`;
  const address = (options.podAddress ?? ((host, port) => ({ host, port })))(target.podIP, options.port);
  if (!address)
    return Promise.resolve(
      failed({ kind: 'unreachable', message: `${where}: no route to the pod's address` }, 0),
    );
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SourceResult<string>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = https.request(
      {
        host: address.host,
        port: address.port,
        path: '/metrics',
        method: 'GET',
        agent: false,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
          'User-Agent': 'tenant-checker',
        },
        ...(options.ca
          ? {
              ca: options.ca,
              rejectUnauthorized: true,
              ...(options.serverName ? { servername: options.serverName } : {}),
            }
          : { rejectUnauthorized: false }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            request.destroy();
            finish(
              failed(
                {
                  kind: 'bad-response',
                  message: `${where}: response larger than ${maxBytes} bytes, not read`,
                },
                elapsed(),
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) return finish(succeeded(text, elapsed()));
          finish(
            failed(
              {
                kind: kindForStatus(status),
                status,
                message: `${where}: HTTP ${status}: ${text.trim().slice(0, 300)}`,
              },
              elapsed(),
            ),
          );
        });
        response.on('error', (error: NodeJS.ErrnoException) =>
          finish(
            failed({ kind: kindForNetworkError(error), message: `${where}: ${error.message}` }, elapsed()),
          ),
        );
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish(failed({ kind: 'timeout', message: `${where}: no answer within ${timeoutMs} ms` }, elapsed()));
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        failed(
          {
            kind: kindForNetworkError(error),
            message: `${where}: ${`${error.code ?? ''} ${error.message}`.trim()}`,
          },
          elapsed(),
        ),
      ),
    );
    request.end();
  });
}

/**
 * What the failure means and what to do, for the checker's own access to the pods' endpoint (never a
 * fault of the cluster). The texts are those of controller-runtime's metrics filter.
 */
export function podScrapeRemedy(
  error: SourceError,
  options: Pick<PodScrapeOptions, 'namespace' | 'port' | 'ca'>,
): string {
  if (error.status === 401)
    return `${error.message}: the operator did not accept the checker's token (its TokenReview said no): check that the token is the cluster's own (the cluster name and region in the config) and that the operator's metrics-auth-role (tokenreviews create) is bound to its service account`;
  if (error.status === 403)
    return `${error.message}: the checker's group may not get /metrics: apply k8s/checker-rbac.yaml (ClusterRole tenant-checker-metrics-reader, the operator's metrics-reader rule) and check that the access entry maps the checker to that group`;
  if (error.status === 500)
    return `${error.message}: the operator could not ask the API server (TokenReview or SubjectAccessReview): bind its metrics-auth-role (config/rbac/metrics_auth_role.yaml) to its service account`;
  if (error.kind === 'tls')
    return `${error.message}: ${options.ca ? "the operator's certificate does not verify against metrics.ca (and metrics.serverName)" : 'TLS failed'}`;
  if (error.kind === 'unreachable' || error.kind === 'timeout')
    return `${error.message}: the checker cannot reach the operator pod's address on ${options.port}: it must run in the cluster's VPC (config vpc), its own security group must allow TCP ${options.port} out (the one the stack makes does; one named in vpc.securityGroupIds must too), the nodes' (or pods') security group must allow TCP ${options.port} from the checker's security group, and no NetworkPolicy in ${options.namespace} may drop it (the operator's optional allow-metrics-traffic admits only namespaces labelled metrics: enabled; add an ipBlock for the checker's subnets)`;
  return error.message;
}

/** Every operator pod's metrics text, read from its own address; the first failure when none could be read. */
export async function readPodMetrics(
  reader: ClusterReader,
  options: PodScrapeOptions,
): Promise<SourceResult<{ pod: string; text: string }[]>> {
  const started = Date.now();
  const token = reader.bearerToken();
  if (!token)
    return failed(
      {
        kind: 'unauthorized',
        message:
          "the checker's credentials for this cluster are not a bearer token (a client certificate?): the operator's metrics endpoint authenticates bearer tokens only (TokenReview); use an EKS token (the deployed checker, or a kubeconfig with `aws eks get-token`)",
      },
      0,
    );
  const pods = await operatorPods(reader, options);
  if (!pods.ok) return pods;
  const scraped = await Promise.all(
    pods.data.map(async (target) => ({ pod: target.pod, result: await getMetrics(target, token, options) })),
  );
  const ok = scraped.flatMap((s) => (s.result.ok ? [{ pod: s.pod, text: s.result.data }] : []));
  if (ok.length === 0) {
    const first = scraped.flatMap((s) => (s.result.ok ? [] : [s.result.error]))[0] as SourceError;
    return failed({ ...first, message: podScrapeRemedy(first, options) }, Date.now() - started);
  }
  return succeeded(ok, Date.now() - started);
}
