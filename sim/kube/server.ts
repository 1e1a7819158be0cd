/**
 * A Kubernetes API server simulator, driven by a fixture: HTTPS with its own CA, bearer-token
 * authentication, legacy discovery, list/get for every resource the checker reads (all namespaces,
 * label and field selectors, limit/continue), pod logs (tailLines, previous, container),
 * SubjectAccessReviews (and kubectl's SelfSubjectAccessReviews with impersonation), raw paths such as
 * /livez and the pod/service proxies, server-side Table printing for kubectl, and fault injection
 * per path. The operator pods' metrics endpoints are served as the operator serves them by default
 * (--metrics-secure: HTTPS on each pod's own address, authn/authz, refused through the proxy); see
 * `ClusterFixture.operatorMetrics`. Faithful enough for the real kubectl (test/kubectl.test.ts proves it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discovery, findResource, groupVersion, type ResourceType, servedResources } from './resources.js';
import { fieldMatcher, labelMatcher } from './selectors.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface AccessRule {
  user: string;
  verb: string;
  group?: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  allowed: boolean;
}

export interface RawResponse {
  status?: number;
  body: string;
  contentType?: string;
}

export interface Fault {
  /** The request path (without query) exactly, or a pattern tested against path and query. */
  path: string | RegExp;
  method?: string;
  latencyMs?: number;
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Close the connection without an answer. */
  reset?: boolean;
  /** Never answer. */
  hang?: boolean;
  /** Answer 200 with a body that is not JSON. */
  invalidJson?: boolean;
  /** Apply this many times, then let requests through. */
  times?: number;
  /**
   * On a list read with a continue token: answer 410 Expired as the API server does when etcd was
   * compacted past the list's version, with a fresh token that continues at the newest version
   * (`fresh-token`, what the API server sends when it can) or without one (`restart`).
   */
  expireContinue?: 'fresh-token' | 'restart';
}

export interface ClusterFixture {
  objects: KubeObject[];
  /** Log text by `namespace/pod/container`, and `namespace/pod/container/previous`. */
  logs?: Record<string, string>;
  accessRules?: AccessRule[];
  /** Raw answers by path: /livez, /readyz, /metrics, proxy paths. */
  raw?: Record<string, RawResponse>;
  faults?: Fault[];
  /** Accepted bearer tokens; or an authenticate function (the EKS token check). */
  tokens?: string[];
  authenticate?: (token: string) => Promise<boolean>;
  /** Added to every answer, as a distant API server would. */
  latencyMs?: number;
  /** Service proxy paths forwarded to a real server (an in-cluster Prometheus), by path prefix. */
  upstreams?: Record<string, string>;
  /** API groups whose CRDs are installed; by default those of the custom resources in `objects`. */
  crdGroups?: string[];
  /**
   * The caller (the checker) is authenticated but bound to no role, as with an EKS access entry whose
   * Kubernetes group has no RoleBinding: every request is refused with the authorizer's 403, except what
   * every authenticated user may read (discovery, /version, and the health endpoints /livez, /readyz,
   * /healthz of system:public-info-viewer). `user` is the name the authorizer prints.
   */
  deniedReads?: { user: string };
  /**
   * Who an authenticated caller is, as the API server's TokenReview would say (the EKS access entry's
   * username and groups). Default: user `tenant-checker` in the group `tenant-checker-readers`.
   */
  identity?: { user: string; groups: string[] };
  /**
   * The operator's metrics endpoint, as controller-runtime serves it (cmd/main.go). Secure by default,
   * as the operator's `--metrics-secure` defaults to true: each operator pod serves HTTPS on its own
   * address (see `Simulator.podAddress`), behind `WithAuthenticationAndAuthorization`: a bearer token
   * that passes authentication (TokenReview: the tokens this simulator accepts) and a caller whose
   * group may `get` the non-resource URL /metrics (SubjectAccessReview); otherwise the filter's
   * `Unauthorized` 401 or `Authorization denied for user NAME` 403. Through the API server's pod or
   * service proxy the caller's credentials are not forwarded (the API server removes the
   * Authorization header once it has authenticated the request), so the operator answers 401 there.
   * `secure: false` is an operator run with `--metrics-secure=false`: no authentication, and the proxy
   * path works.
   */
  operatorMetrics?: {
    secure?: boolean;
    /** Groups bound to a ClusterRole granting nonResourceURLs ["/metrics"] get; default the checker's group. */
    readerGroups?: string[];
    /** The pod listener's certificate; default a self-signed one for "localhost", as controller-runtime makes. */
    certificate?: { cert: string; key: string };
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** The pod's address when the request went straight to an operator pod's metrics listener. */
  pod?: string;
}

export interface Simulator {
  url: string;
  caPem: string;
  caFile: string;
  token: string;
  fixture: ClusterFixture;
  requests: RecordedRequest[];
  /** A kubeconfig file for kubectl and the checker. */
  kubeconfigPath: string;
  /**
   * Where an operator pod's metrics listener really is (127.0.0.1 and a port of its own), for the pod's
   * `status.podIP` and the metrics port: what the checker's pod scrape is given as its address mapping.
   * Undefined for an address that serves no metrics.
   */
  podAddress(podIP: string, port: number): { host: string; port: number } | undefined;
  /** Stop listening (new connections are refused, as by an API server restarting), and listen again. */
  refuseConnections(): Promise<void>;
  acceptConnections(): Promise<void>;
  close(): Promise<void>;
}

/** A few of the API server's own metrics, as `kubectl get --raw /metrics` shows them. */
export const DEFAULT_APISERVER_METRICS = [
  '# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
  '# TYPE apiserver_request_total counter',
  'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 48211',
  'apiserver_request_total{code="200",component="apiserver",dry_run="",group="operator.kubernetes-tenants.org",resource="tenants",scope="namespace",subresource="status",verb="UPDATE",version="v1"} 90122',
  'apiserver_request_total{code="409",component="apiserver",dry_run="",group="operator.kubernetes-tenants.org",resource="tenants",scope="namespace",subresource="status",verb="UPDATE",version="v1"} 310',
  '# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
  '# TYPE apiserver_request_duration_seconds histogram',
  'apiserver_request_duration_seconds_bucket{component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1",le="0.1"} 47011',
  'apiserver_request_duration_seconds_sum{component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 2410.5',
  'apiserver_request_duration_seconds_count{component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 48211',
  'apiserver_current_inflight_requests{request_kind="mutating"} 3',
  'apiserver_current_inflight_requests{request_kind="readOnly"} 11',
  'etcd_request_duration_seconds_sum{operation="get",type="*core.Pod"} 120.25',
  'etcd_request_duration_seconds_count{operation="get",type="*core.Pod"} 60125',
  'process_resident_memory_bytes 1.234e+09',
  '',
].join('\n');

let cachedTls: { key: string; cert: string } | undefined;

/**
 * Runs openssl to make an EC P-256 key and a certificate (self-signed, or a request for `signWith` to
 * sign), in a scratch directory removed before returning: the PEM texts are all that is kept.
 */
function opensslCertificate(options: {
  subject: string;
  extensions?: string[];
  signWith?: { key: string; cert: string };
}) {
  const dir = mkdtempSync(join(tmpdir(), 'kube-sim-tls-'));
  try {
    return opensslIn(dir, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function opensslIn(
  dir: string,
  options: { subject: string; extensions?: string[]; signWith?: { key: string; cert: string } },
) {
  const key = [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    join(dir, 'key.pem'),
  ];
  const extensions = (options.extensions ?? []).flatMap((e) => ['-addext', e]);
  if (options.signWith) {
    const ca = join(dir, 'ca');
    mkdirSync(ca);
    writeFileSync(join(ca, 'cert.pem'), options.signWith.cert);
    writeFileSync(join(ca, 'key.pem'), options.signWith.key);
    execFileSync(
      'openssl',
      ['req', '-new', ...key, '-out', join(dir, 'req.pem'), '-subj', options.subject, ...extensions],
      { stdio: 'ignore' },
    );
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        join(dir, 'req.pem'),
        '-CA',
        join(ca, 'cert.pem'),
        '-CAkey',
        join(ca, 'key.pem'),
        '-CAcreateserial',
        // The request's subjectAltName, when it has one (a server certificate).
        ...(options.extensions?.length ? ['-copy_extensions', 'copy'] : []),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
      ],
      { stdio: 'ignore' },
    );
  } else {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...key,
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        options.subject,
        ...extensions,
      ],
      { stdio: 'ignore' },
    );
  }
  return {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
  };
}

/** A self-signed CA that is not the simulator's, for tests of an untrusted server. */
export function unrelatedCa(): string {
  return opensslCertificate({ subject: '/CN=somebody-else' }).cert;
}

/** A self-signed CA-capable certificate for 127.0.0.1 and localhost, made once per test process. */
function tlsMaterial() {
  cachedTls ??= opensslCertificate({
    subject: '/CN=kube-simulator',
    extensions: ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'basicConstraints=critical,CA:TRUE'],
  });
  return cachedTls;
}

let cachedOperatorTls: { key: string; cert: string } | undefined;

/**
 * The operator's metrics certificate when no --metrics-cert-path is given: controller-runtime makes a
 * self-signed one for "localhost" at start-up (client-go's GenerateSelfSignedCertKey), which no client
 * can verify for a pod's address.
 */
function operatorTls() {
  cachedOperatorTls ??= opensslCertificate({
    subject: '/CN=localhost',
    extensions: ['subjectAltName=DNS:localhost'],
  });
  return cachedOperatorTls;
}

/** A server certificate for `dnsName` signed by the simulator's CA (an operator given --metrics-cert-path). */
export function serverCertificate(dnsName: string): { cert: string; key: string } {
  return opensslCertificate({
    subject: '/CN=operator-metrics',
    extensions: [`subjectAltName=DNS:${dnsName}`],
    signWith: tlsMaterial(),
  });
}

/** The operator's metrics through the API server's pod or service proxy. */
const METRICS_PROXY = /^\/api\/v1\/namespaces\/[^/]+\/(?:pods|services)\/[^/]+\/proxy\/metrics$/;

/** The identity the simulator's authenticator gives the checker, unless the fixture says otherwise. */
export const CHECKER_IDENTITY = { user: 'tenant-checker', groups: ['tenant-checker-readers'] };

/**
 * What controller-runtime's metrics filter writes when it refuses a request: Go's http.Error, a text
 * line (pkg/metrics/filters: "Unauthorized" 401, "Authorization denied for user NAME" 403).
 */
function filterRefusal(res: import('node:http').ServerResponse, code: 401 | 403, text: string) {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${text}\n`);
}

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
});

function age(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** Server-side printing, as kubectl asks for it: the columns kubectl shows for pods, NAME/AGE otherwise. */
function table(items: KubeObject[], type: ResourceType, listMeta: Record<string, unknown>) {
  const now = Date.now();
  const isPod = type.kind === 'Pod' && type.group === '';
  const columns = isPod ? ['Name', 'Ready', 'Status', 'Restarts', 'Age'] : ['Name', 'Age'];
  const rows = items.map((item) => {
    let cells: unknown[] = [item.metadata.name, age(item.metadata.creationTimestamp, now)];
    if (isPod) {
      const statuses = ((item.status as Record<string, unknown> | undefined)?.containerStatuses ?? []) as {
        ready?: boolean;
        restartCount?: number;
        state?: Record<string, { reason?: string }>;
      }[];
      const waiting = statuses
        .map((s) => s.state?.waiting?.reason ?? s.state?.terminated?.reason)
        .find(Boolean);
      cells = [
        item.metadata.name,
        `${statuses.filter((s) => s.ready).length}/${statuses.length}`,
        waiting ?? (item.status as { phase?: string } | undefined)?.phase ?? 'Unknown',
        statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
        age(item.metadata.creationTimestamp, now),
      ];
    }
    return {
      cells,
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: item.metadata },
    };
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((name) => ({
      name,
      type: name === 'Restarts' ? 'integer' : 'string',
      format: name === 'Name' ? 'name' : '',
      description: name,
      priority: 0,
    })),
    rows,
  };
}

/**
 * What every authenticated user may do: discovery, /version and the health endpoints
 * (system:discovery, system:public-info-viewer), and review its own access (system:basic-user).
 */
const PUBLIC_PATH =
  /^\/(?:livez|readyz|healthz)(?:\/.*)?$|^\/version\/?$|^\/api(?:\/v1)?\/?$|^\/apis(?:\/[^/]+(?:\/[^/]+)?)?\/?$|^\/openapi\/|^\/apis\/authorization\.k8s\.io\/v1\/selfsubject(?:access|rules)reviews$|^\/apis\/authentication\.k8s\.io\/v1\/selfsubjectreviews$/;

/** The API server's 403 for a caller bound to no role (k8s.io/apiserver's forbiddenMessage), or undefined if public. */
function forbidden(user: string, method: string, url: URL): Record<string, unknown> | undefined {
  if (PUBLIC_PATH.test(url.pathname)) return undefined;
  const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.*)$/.exec(url.pathname);
  const verbOf = (named: boolean) =>
    method === 'POST'
      ? 'create'
      : method === 'GET'
        ? named
          ? 'get'
          : url.searchParams.get('watch') === 'true'
            ? 'watch'
            : 'list'
        : method.toLowerCase();
  if (!match) {
    const message = `forbidden: User "${user}" cannot ${method === 'GET' ? 'get' : method.toLowerCase()} path "${url.pathname}"`;
    return { ...status(403, 'Forbidden', message), details: {} };
  }
  const group = match[2] ?? '';
  const segments = (match[4] ?? '').split('/').filter(Boolean);
  const namespaced = segments[0] === 'namespaces' && segments.length >= 3;
  const namespace = namespaced ? segments[1] : undefined;
  const [plural = '', name, ...sub] = namespaced ? segments.slice(2) : segments;
  const resource = sub.length > 0 ? `${plural}/${sub.join('/')}` : plural;
  const qualified = group ? `${plural}.${group}` : plural;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const message = `${qualified}${name ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verbOf(name !== undefined)} resource "${resource}" in API group "${group}" ${scope}`;
  return {
    ...status(403, 'Forbidden', message),
    details: { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: plural },
  };
}

function apiVersionOf(type: ResourceType): string {
  return groupVersion(type);
}

/** A client certificate and key signed by the simulator's CA, for a kubeconfig user named `commonName`. */
export function clientCertificate(commonName: string): { cert: string; key: string } {
  const { cert, key } = opensslCertificate({
    subject: `/CN=${commonName}/O=tenant-checker-readers`,
    signWith: tlsMaterial(),
  });
  return { cert, key };
}

export async function startSimulator(fixture: ClusterFixture): Promise<Simulator> {
  const tls = tlsMaterial();
  const token = fixture.tokens?.[0] ?? 'sim-token-0123456789';
  const tokens = new Set(fixture.tokens ?? [token]);
  const requests: RecordedRequest[] = [];
  const faultUses = new Map<Fault, number>();
  const lists = new Map<string, KubeObject[]>();
  let serverAddress = '127.0.0.1:0';

  const crdGroups = new Set<string>(
    fixture.crdGroups ??
      fixture.objects.map((o) => (o.apiVersion.includes('/') ? (o.apiVersion.split('/')[0] ?? '') : '')),
  );
  const served = servedResources(crdGroups);
  // Read at each request, so that a test can change the operator's flags between cycles.
  const secureMetrics = () => fixture.operatorMetrics?.secure ?? true;
  /** TokenReview as the API server answers it: the tokens this simulator accepts (an EKS token, a fixture token). */
  const tokenValid = async (bearer: string) =>
    bearer !== '' &&
    (fixture.authenticate ? await fixture.authenticate(bearer).catch(() => false) : tokens.has(bearer));
  const objectsOf = (type: ResourceType) =>
    fixture.objects.filter((o) => o.kind === type.kind && o.apiVersion === apiVersionOf(type));

  // Client certificates signed by the simulator's CA authenticate too, as with a kubeconfig's client-certificate-data.
  const server = https.createServer(
    { key: tls.key, cert: tls.cert, ca: tls.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void handle(req, res, Buffer.concat(chunks).toString('utf8'));
      });
    },
  );

  async function handle(
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
    body: string,
  ) {
    const url = new URL(req.url ?? '/', `https://${serverAddress}`);
    const method = req.method ?? 'GET';
    requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      ...(body ? { body } : {}),
      at: Date.now(),
    });

    const send = (
      code: number,
      payload: unknown,
      contentType = 'application/json',
      headers: Record<string, string> = {},
    ) => {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(code, { 'Content-Type': contentType, ...headers });
      res.end(text);
    };

    if (fixture.latencyMs) await new Promise((r) => setTimeout(r, fixture.latencyMs));

    const fault = fixture.faults?.find(
      (f) =>
        (f.method === undefined || f.method === method) &&
        (f.expireContinue === undefined || url.searchParams.has('continue')) &&
        (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname + url.search)) &&
        (f.times === undefined || (faultUses.get(f) ?? 0) < f.times),
    );
    if (fault) {
      faultUses.set(fault, (faultUses.get(fault) ?? 0) + 1);
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.hang) return; // the socket stays open with no answer
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.invalidJson) return send(200, '{"kind":"List","items":[{"metadata":', 'application/json');
      if (fault.expireContinue) {
        // k8s.io/apiserver's etcd3 store: handleCompactedErrorForPaging.
        const expired = {
          ...status(
            410,
            'Expired',
            fault.expireContinue === 'fresh-token'
              ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'
              : 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
          ),
          metadata:
            fault.expireContinue === 'fresh-token'
              ? { continue: url.searchParams.get('continue') as string }
              : {},
        };
        return send(410, expired);
      }
      if (fault.status) {
        return send(
          fault.status,
          fault.body ?? status(fault.status, 'Fault', `injected ${fault.status}`),
          'application/json',
          fault.headers,
        );
      }
    }

    const authorization = req.headers.authorization ?? '';
    const bearer = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    const socket = req.socket as import('node:tls').TLSSocket;
    const byCertificate = !bearer && socket.authorized === true;
    const authenticated = byCertificate || (await tokenValid(bearer));
    if (!authenticated) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (fixture.deniedReads) {
      const denied = forbidden(fixture.deniedReads.user, method, url);
      if (denied) return send(403, denied);
    }
    // The API server authenticated the caller and removed its Authorization header before proxying: the
    // operator's secure endpoint sees a request without credentials, and its filter refuses it.
    if (secureMetrics() && METRICS_PROXY.test(url.pathname) && fixture.raw?.[url.pathname])
      return filterRefusal(res, 401, 'Unauthorized');

    const upstream = Object.entries(fixture.upstreams ?? {}).find(([prefix]) =>
      url.pathname.startsWith(prefix),
    );
    if (upstream) {
      const [prefix, target] = upstream;
      try {
        const answer = await fetch(`${target}${url.pathname.slice(prefix.length)}${url.search}`, {
          method,
          headers: {
            Accept: String(req.headers.accept ?? '*/*'),
            ...(body ? { 'Content-Type': String(req.headers['content-type'] ?? '') } : {}),
          },
          ...(body ? { body } : {}),
        });
        return send(
          answer.status,
          await answer.text(),
          answer.headers.get('content-type') ?? 'application/octet-stream',
        );
      } catch (error) {
        return send(
          503,
          status(503, 'ServiceUnavailable', `error trying to reach service: ${(error as Error).message}`),
        );
      }
    }
    const raw = fixture.raw?.[url.pathname];
    if (raw) return send(raw.status ?? 200, raw.body, raw.contentType ?? 'text/plain; charset=utf-8');
    if (['/livez', '/readyz', '/healthz'].includes(url.pathname)) {
      const name = url.pathname.slice(1);
      return send(
        200,
        url.searchParams.has('verbose') ? `[+]ping ok\n[+]etcd ok\n[+]log ok\n${name} check passed\n` : 'ok',
        'text/plain',
      );
    }
    if (url.pathname === '/metrics') return send(200, DEFAULT_APISERVER_METRICS, 'text/plain; version=0.0.4');
    if (url.pathname === '/version') {
      return send(200, { major: '1', minor: '31', gitVersion: 'v1.31.2-eks-sim', platform: 'linux/amd64' });
    }
    const doc = discovery(served, url.pathname, serverAddress);
    if (doc) return send(200, doc);

    const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.*)$/.exec(url.pathname);
    if (!match) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const group = match[2] ?? '';
    const version = match[1] ?? match[3] ?? '';
    const segments = (match[4] ?? '').split('/').filter(Boolean);
    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    let subresource: string[] = [];
    if (segments[0] === 'namespaces' && segments.length >= 3) {
      namespace = segments[1];
      plural = segments[2] as string;
      name = segments[3];
      subresource = segments.slice(4);
    } else {
      plural = segments[0] as string;
      name = segments[1];
      subresource = segments.slice(2);
    }
    const type = findResource(served, group, version, plural);
    if (!type) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));

    if (
      method === 'POST' &&
      (type.kind === 'SubjectAccessReview' || type.kind === 'SelfSubjectAccessReview')
    ) {
      const review = JSON.parse(body || '{}') as {
        spec?: {
          user?: string;
          resourceAttributes?: Record<string, string>;
          nonResourceAttributes?: unknown;
        };
      };
      const impersonated = req.headers['impersonate-user'];
      const user =
        type.kind === 'SubjectAccessReview'
          ? (review.spec?.user ?? '')
          : String(impersonated ?? 'kubernetes-admin');
      const attributes = review.spec?.resourceAttributes ?? {};
      const rule = fixture.accessRules?.find(
        (r) =>
          r.user === user &&
          r.verb === attributes.verb &&
          (r.group ?? '') === (attributes.group ?? '') &&
          r.resource === attributes.resource &&
          (r.subresource ?? '') === (attributes.subresource ?? '') &&
          (r.name === undefined || r.name === attributes.name) &&
          (r.namespace === undefined || r.namespace === attributes.namespace),
      );
      const allowed = rule?.allowed ?? false;
      return send(201, {
        kind: type.kind,
        apiVersion: 'authorization.k8s.io/v1',
        metadata: {},
        spec: review.spec,
        status: { allowed, ...(allowed ? { reason: `RBAC: allowed by fixture rule for ${user}` } : {}) },
      });
    }
    if (method !== 'GET')
      return send(405, status(405, 'MethodNotAllowed', `${method} is not supported by the simulator`));

    if (subresource[0] === 'proxy') {
      return send(404, status(404, 'NotFound', `no proxy answer for ${url.pathname} in the fixture`));
    }

    const all = objectsOf(type).filter(
      (o) => !type.namespaced || namespace === undefined || o.metadata.namespace === namespace,
    );
    if (name !== undefined) {
      const object = all.find((o) => o.metadata.name === name);
      const resourceName = type.group ? `${type.plural}.${type.group}` : type.plural;
      if (!object) return send(404, status(404, 'NotFound', `${resourceName} "${name}" not found`));
      if (subresource[0] === 'log') return sendLog(object, url.searchParams, send);
      return send(200, object);
    }

    let labelOk: (labels: Record<string, string> | undefined) => boolean;
    let fieldOk: (object: unknown) => boolean;
    try {
      labelOk = labelMatcher(url.searchParams.get('labelSelector'));
      fieldOk = fieldMatcher(url.searchParams.get('fieldSelector'));
    } catch (error) {
      return send(400, status(400, 'BadRequest', (error as Error).message));
    }
    // A paged list is read page after page: select and sort once per list, as the API server serves
    // pages from one snapshot, rather than once per page.
    const listKey = `${url.pathname}?${url.searchParams.get('labelSelector') ?? ''}&${url.searchParams.get('fieldSelector') ?? ''}#${fixture.objects.length}`;
    let selected = lists.get(listKey);
    if (!selected) {
      selected = all
        .filter((o) => labelOk(o.metadata.labels) && fieldOk(o))
        .sort((a, b) => {
          const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
          const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
          return ka < kb ? -1 : ka > kb ? 1 : 0;
        });
      if (url.searchParams.get('limit')) lists.set(listKey, selected);
    }
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const start = url.searchParams.get('continue')
      ? Number(Buffer.from(url.searchParams.get('continue') as string, 'base64url').toString())
      : 0;
    if (!Number.isInteger(start) || start < 0)
      return send(410, status(410, 'Expired', 'the provided continue parameter is too old'));
    const page = limit > 0 ? selected.slice(start, start + limit) : selected.slice(start);
    const next = start + page.length;
    const listMeta: Record<string, unknown> = { resourceVersion: '1000' };
    if (limit > 0 && next < selected.length) {
      listMeta.continue = Buffer.from(String(next)).toString('base64url');
      listMeta.remainingItemCount = selected.length - next;
    }
    if ((req.headers.accept ?? '').includes('as=Table')) return send(200, table(page, type, listMeta));
    return send(200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: listMeta,
      items: page,
    });
  }

  function sendLog(
    pod: KubeObject,
    query: URLSearchParams,
    send: (code: number, payload: unknown, contentType?: string) => void,
  ) {
    const containers = ((pod.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map(
      (c) => c.name,
    );
    const defaultContainer = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    const container = query.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
    if (!container) {
      return send(
        400,
        status(
          400,
          'BadRequest',
          `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]${defaultContainer ? '' : ''}`,
        ),
      );
    }
    if (!containers.includes(container)) {
      return send(
        400,
        status(400, 'BadRequest', `container ${container} is not valid for pod ${pod.metadata.name}`),
      );
    }
    const previous = query.get('previous') === 'true';
    const key = `${pod.metadata.namespace}/${pod.metadata.name}/${container}${previous ? '/previous' : ''}`;
    const text = fixture.logs?.[key];
    if (text === undefined && previous) {
      return send(
        400,
        status(
          400,
          'BadRequest',
          `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`,
        ),
      );
    }
    let lines = (text ?? '').split('\n');
    if (lines.at(-1) === '') lines.pop();
    const tail = query.get('tailLines');
    if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
    let out = lines.length > 0 ? `${lines.join('\n')}\n` : '';
    // The kubelet writes the tail through a LimitedWriter: limitBytes keeps the START of the tail.
    const limitBytes = query.get('limitBytes');
    if (limitBytes !== null) out = Buffer.from(out).subarray(0, Number(limitBytes)).toString('utf8');
    send(200, out, 'text/plain');
  }

  // Each operator pod's metrics server, on an address of its own (127.0.0.1 and a port per pod), for
  // the pods whose metrics the fixture serves: `podAddress` maps the pod's IP and port to it.
  const podListeners = new Map<string, { server: https.Server; port: number }>();
  const metricsPods = fixture.objects.flatMap((o) => {
    const podIP = (o.status as { podIP?: string } | undefined)?.podIP;
    if (o.kind !== 'Pod' || !podIP || !o.metadata.namespace) return [];
    const prefix = `/api/v1/namespaces/${o.metadata.namespace}/pods/https:${o.metadata.name}:`;
    const proxied = Object.keys(fixture.raw ?? {}).find(
      (k) => k.startsWith(prefix) && k.endsWith('/proxy/metrics'),
    );
    if (!proxied) return [];
    const port = Number(proxied.slice(prefix.length, -'/proxy/metrics'.length));
    return [{ podIP, port, rawKey: proxied }];
  });
  const podTls = fixture.operatorMetrics?.certificate ?? operatorTls();
  for (const pod of metricsPods) {
    const key = `${pod.podIP}:${pod.port}`;
    if (podListeners.has(key)) continue;
    const listener = https.createServer({ key: podTls.key, cert: podTls.cert }, (req, res) => {
      req.resume();
      req.on('end', () => {
        void servePodMetrics(pod, req, res);
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    podListeners.set(key, { server: listener, port: (listener.address() as AddressInfo).port });
  }

  /** controller-runtime's metrics server with WithAuthenticationAndAuthorization (or without, when insecure). */
  async function servePodMetrics(
    pod: { podIP: string; port: number; rawKey: string },
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ) {
    const url = new URL(req.url ?? '/', `https://${pod.podIP}:${pod.port}`);
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      at: Date.now(),
      pod: `${pod.podIP}:${pod.port}`,
    });
    if (secureMetrics()) {
      const identity = fixture.identity ?? CHECKER_IDENTITY;
      const authorization = req.headers.authorization ?? '';
      const bearer = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
      if (!(await tokenValid(bearer))) return filterRefusal(res, 401, 'Unauthorized');
      // The SubjectAccessReview: nonResourceAttributes { path, verb: lower-cased method }.
      const readers = fixture.operatorMetrics?.readerGroups ?? CHECKER_IDENTITY.groups;
      const allowed =
        (req.method ?? 'GET').toLowerCase() === 'get' &&
        url.pathname === '/metrics' &&
        identity.groups.some((g) => readers.includes(g));
      if (!allowed) return filterRefusal(res, 403, `Authorization denied for user ${identity.user}`);
    }
    if (url.pathname !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('404 page not found\n');
    }
    const raw = fixture.raw?.[pod.rawKey];
    if (!raw) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('404 page not found\n');
    }
    res.writeHead(raw.status ?? 200, { 'Content-Type': raw.contentType ?? 'text/plain; version=0.0.4' });
    res.end(raw.body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  serverAddress = `127.0.0.1:${port}`;
  const url = `https://${serverAddress}`;

  // The simulator's files (its kubeconfig, its CA for kubectl) live in one directory, removed by close().
  const dir = mkdtempSync(join(tmpdir(), 'kube-sim-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, tls.cert);
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: simulator',
      '  cluster:',
      `    server: ${url}`,
      `    certificate-authority-data: ${Buffer.from(tls.cert).toString('base64')}`,
      'users:',
      '- name: checker',
      '  user:',
      `    token: ${token}`,
      'contexts:',
      '- name: simulator',
      '  context:',
      '    cluster: simulator',
      '    user: checker',
      'current-context: simulator',
      '',
    ].join('\n'),
  );

  return {
    url,
    caPem: tls.cert,
    caFile,
    token,
    fixture,
    requests,
    kubeconfigPath,
    podAddress: (podIP, metricsPort) => {
      const listener = podListeners.get(`${podIP}:${metricsPort}`);
      return listener ? { host: '127.0.0.1', port: listener.port } : undefined;
    },
    refuseConnections: () =>
      new Promise<void>((resolve) => {
        // The listening socket closes now; connections already open (keep-alive) stay, as they would.
        server.close();
        resolve();
      }),
    acceptConnections: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const { server: listener } of podListeners.values()) {
          listener.closeAllConnections();
          listener.close();
        }
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
