/**
 * The one reading of error text, shared by the log parser (its tags) and the checks (their causes).
 * It says what a message states as fact (a resolver timed out, a connection was refused, a quota was
 * exceeded) and where (the API server, a Service of the cluster, or a host outside it), never which of
 * the runbook's causes that is: the same "failed to ping MySQL" can be DNS, a policy, the network or
 * the database itself, and only the path around it says which. Go's, client-go's, controller-runtime's
 * and go-sql-driver's real messages are what it reads.
 */

export type ErrorSignal =
  /** Optimistic-lock conflicts: the normal noise of a busy controller. */
  | 'conflict'
  /** The resolver itself failed: timed out, refused, or misbehaving (SERVFAIL). */
  | 'dns-resolver'
  /** The resolver answered with a failure (SERVFAIL, "server misbehaving"): upstream, or its own. */
  | 'dns-servfail'
  /** The resolver answered that the name does not exist (NXDOMAIN). */
  | 'dns-nxdomain'
  /** The far end refused the connection (nothing listening, or a Service without endpoints). */
  | 'refused'
  /** No connection could be made in time: packets dropped on the path (a policy, the network, a firewall). */
  | 'dial-timeout'
  /** No route: the network itself (CNI, routes, security groups). */
  | 'no-route'
  /** An established connection broke. */
  | 'reset'
  /** Connected, but the answer did not come in time. */
  | 'slow-response'
  /** A deadline passed, without saying where (context deadline exceeded). */
  | 'deadline'
  | 'tls'
  | 'unauthorized'
  /** RBAC: `... is forbidden: User "..." cannot <verb> resource ...`. */
  | 'rbac-forbidden'
  | 'quota'
  | 'webhook'
  /** 429 from the API server (API Priority and Fairness), or client-go's own rate limiter. */
  | 'throttled-server'
  | 'throttled-client'
  /** The API server says it cannot serve (503, "the server is currently unable", request timeouts). */
  | 'apiserver-unavailable'
  | 'etcd'
  | 'panic'
  | 'oom'
  /** The database answered, and refused: credentials, grants, too many connections, unknown database. */
  | 'db-refused'
  /** The database driver lost its connection (`driver: bad connection`, `invalid connection`). */
  | 'db-connection'
  | 'scheduling'
  | 'storage'
  /** The operator's own templates and logic (rendering, missing keys, nil values). */
  | 'template'
  /** The API server refused an object as invalid (422): what the operator built is wrong. */
  | 'invalid'
  /** A workload not up yet: a symptom whose cause is elsewhere (scheduling, quota, image, capacity). */
  | 'waiting';

export interface Destination {
  host: string;
  port?: number;
  /** `apiserver`: the cluster's API server; `cluster`: a Service or pod address of the cluster; else `external`. */
  scope: 'apiserver' | 'cluster' | 'external';
}

export interface ErrorReading {
  signals: ErrorSignal[];
  /** Where the failed call went, when the message says. */
  destination?: Destination;
  /** The name a failed lookup asked for. */
  lookup?: string;
  /** The message is about a database (MySQL, its driver, the registry's datasource). */
  database: boolean;
}

/** The in-cluster API server as the operator reaches it: its Service IP, name or REST paths. */
const API_SERVER_HOST =
  /^(kubernetes(\.default(\.svc(\.cluster\.local)?)?)?|172\.20\.0\.1|10\.100\.0\.1|10\.96\.0\.1|[a-z0-9.-]+\.eks\.(amazonaws\.com(\.cn)?|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov))$/i;
const CLUSTER_HOST = /\.svc(\.cluster\.local)?\.?$|\.cluster\.local\.?$/i;
/** Pod and Service ranges of EKS (10.100/16, 172.20/16 Services) and the usual pod CIDRs. */
const CLUSTER_IP = /^(172\.20\.|10\.100\.|10\.96\.)/;

const RULES: [ErrorSignal, RegExp][] = [
  ['conflict', /the object has been modified|Operation cannot be fulfilled on/i],
  [
    'dns-resolver',
    /lookup \S+ on \S+:53: (read udp|dial udp|write udp)[^:]*:.*(i\/o timeout|connection refused)|lookup \S+ on \S+:53: .*i\/o timeout|dial udp \S+:53: (i\/o timeout|connect: connection refused)|no servers could be reached|HINFO: read udp .* i\/o timeout|plugin\/errors: \d+ \S+ \S+: read udp .* i\/o timeout/i,
  ],
  ['dns-servfail', /server misbehaving|SERVFAIL/i],
  ['dns-nxdomain', /no such host|NXDOMAIN/i],
  ['refused', /connection refused/i],
  [
    'dial-timeout',
    /dial tcp (\[[^\]]+\]|[^\s:]+)(:\d+)?: (i\/o timeout|connect: connection timed out)|connect: connection timed out|dial tcp [^\s]+: connect: operation timed out|TLS handshake timeout/i,
  ],
  ['no-route', /no route to host|network is unreachable|host is unreachable/i],
  [
    'reset',
    /connection reset by peer|broken pipe|http2: client connection lost|use of closed network connection|GOAWAY|unexpected EOF/i,
  ],
  [
    'slow-response',
    /awaiting headers|read tcp [^\s]+->[^\s]+: i\/o timeout|net\/http: request canceled|Client\.Timeout exceeded|timeout awaiting response|read: connection timed out|Error 3024|maximum statement execution time exceeded|Lock wait timeout exceeded|Error 1205|code = DeadlineExceeded/i,
  ],
  ['deadline', /context deadline exceeded|deadline exceeded|timed out waiting|timeout/i],
  ['tls', /x509:|certificate (has expired|is not valid|signed by unknown)|tls: (failed|bad certificate)/i],
  [
    'unauthorized',
    /\bUnauthorized\b|invalid bearer token|provide credentials|token has expired|\b401\b|must be logged in/i,
  ],
  [
    'rbac-forbidden',
    /is forbidden: User "[^"]+" cannot|cannot (get|list|watch|create|update|patch|delete) resource "/i,
  ],
  ['quota', /exceeded quota|quota exceeded|forbidden: exceeded quota/i],
  [
    'webhook',
    /admission webhook "?[^"\s]*"? denied the request|failed calling webhook|denied by ValidatingAdmissionPolicy|ValidatingAdmissionPolicy '[^']+' with binding/i,
  ],
  [
    'throttled-server',
    /\b429\b|Too Many Requests|TooManyRequests|has received too many requests|the server has received too many/i,
  ],
  ['throttled-client', /client-side throttling|rate: Wait\(n=\d+\) would exceed context deadline/i],
  [
    'apiserver-unavailable',
    /the server is currently unable to handle the request|ServiceUnavailable|Timeout: request did not complete|the server was unable to return a response|apiserver not ready|the server could not find the requested resource \(get/i,
  ],
  [
    'etcd',
    /etcdserver|etcd cluster is unavailable|possibly due to previous leader failure|database space exceeded/i,
  ],
  ['panic', /\bpanic\b|Observed a panic|nil pointer dereference|invalid memory address|fatal error:/i],
  ['oom', /out of memory|OOMKilled|cannot allocate memory/i],
  [
    'db-refused',
    /Error 10(40|44|45|49|62)\b|Access denied for user|Too many connections|Unknown database|Error 1130|is not allowed to connect to this MySQL server|Error 2003/i,
  ],
  [
    'db-connection',
    /driver: bad connection|invalid connection|commands out of sync|busy buffer|dial error for mysql|failed to connect to (MySQL|the database)/i,
  ],
  [
    'scheduling',
    /FailedScheduling|\d+\/\d+ nodes are available|Insufficient (cpu|memory|pods|ephemeral-storage)|didn't match Pod's node affinity|untolerated taint|node\(s\) didn't match|pod didn't trigger scale-up|max node group size reached/i,
  ],
  [
    'storage',
    /ProvisioningFailed|failed to provision volume|FailedAttachVolume|FailedMount|unbound immediate PersistentVolumeClaims|waiting for a volume to be created|volume node affinity conflict|persistentvolumeclaim "[^"]+" not found|ExternalProvisioning/i,
  ],
  [
    'template',
    /template: \S+:\d+(:\d+)?: executing|map has no entry for key|can't evaluate field|failed to render|error converting YAML|nil pointer evaluating|function "[^"]+" not defined/i,
  ],
  [
    'waiting',
    /\d+\/\d+ replicas available|is not ready yet|waiting for (the )?rollout|not all resources are ready|resource not ready|\d+\/\d+ ready/i,
  ],
  ['invalid', /\bis invalid: |Invalid value: |Unsupported value: |spec\.\S+: Required value/i],
];

const DATABASE =
  /mysql|mariadb|:3306\b|Error \d{4} \(\w+\)|DatabaseConnectionFailed|sql: |go-sql-driver|failed to (ping|query|connect to) (the )?database|Failed to query database|datasource/i;

function scopeOf(host: string): Destination['scope'] {
  const bare = host.replace(/\.$/, '');
  if (API_SERVER_HOST.test(bare)) return 'apiserver';
  if (CLUSTER_HOST.test(bare) || CLUSTER_IP.test(bare)) return 'cluster';
  return 'external';
}

/** The first address a Go network error names: `dial tcp HOST:PORT`, `Get "https://HOST/..."`, `lookup HOST`. */
function destinationOf(text: string): { destination?: Destination; lookup?: string } {
  const lookup = /lookup ([^\s:]+?)\.?( on |: )/i.exec(text)?.[1];
  const dial = /(?:dial|read|write) tcp (?:\S+->)?(?:\[([0-9a-fA-F:.]+)\]|([0-9a-zA-Z.-]+)):(\d+)/.exec(text);
  const url = /"?(?:https?|mysql):\/\/(?:[^@/\s"]+@)?([^/:\s"]+)(?::(\d+))?/.exec(text);
  const dialHost = dial ? ((dial[1] ?? dial[2]) as string) : undefined;
  // The URL names the API server better than the address it was dialled at.
  const urlIsApiServer = url?.[1] !== undefined && scopeOf(url[1]) === 'apiserver';
  const hostPort =
    dial && !urlIsApiServer
      ? { host: dialHost as string, port: Number(dial[3]) }
      : url
        ? { host: url[1] as string, ...(url[2] ? { port: Number(url[2]) } : {}) }
        : lookup
          ? { host: lookup }
          : undefined;
  const out: { destination?: Destination; lookup?: string } = {};
  if (lookup) out.lookup = lookup.replace(/\.$/, '');
  if (hostPort) {
    // A lookup names the host better than the resolver's address a dial then shows.
    const host = lookup && dial && dial[3] === '53' ? lookup : hostPort.host;
    const port = lookup && dial && dial[3] === '53' ? undefined : hostPort.port;
    out.destination = { host, ...(port !== undefined ? { port } : {}), scope: scopeOf(host) };
  }
  return out;
}

/** What an error message states, and where. */
export function readErrorText(text: string): ErrorReading {
  const signals = RULES.filter(([, pattern]) => pattern.test(text)).map(([signal]) => signal);
  // A resolver failure is also a timeout or a refusal in Go's words: the resolver is what failed.
  const resolver = signals.includes('dns-resolver');
  const filtered = resolver
    ? signals.filter(
        (s) => s !== 'dial-timeout' && s !== 'refused' && s !== 'deadline' && s !== 'slow-response',
      )
    : signals;
  // etcd's own "too many requests" is etcd, not the API server's Priority and Fairness.
  if (signals.includes('etcd'))
    signals.splice(0, signals.length, ...signals.filter((x) => x !== 'throttled-server'));
  // A specific timeout says more than "deadline exceeded".
  const specific = filtered.some((s) => s === 'dial-timeout' || s === 'slow-response')
    ? filtered.filter((s) => s !== 'deadline')
    : filtered;
  return { signals: specific, ...destinationOf(text), database: DATABASE.test(text) };
}

/** Signals that are the ordinary noise of a healthy controller, never a cause on their own. */
export const NOISE_SIGNALS: ReadonlySet<ErrorSignal> = new Set(['conflict']);

/** Signals of a call that could not reach its destination (the path or the far end). */
export const UNREACHABLE_SIGNALS: ReadonlySet<ErrorSignal> = new Set([
  'dns-resolver',
  'dns-servfail',
  'dns-nxdomain',
  'refused',
  'dial-timeout',
  'no-route',
  'reset',
  'slow-response',
  'deadline',
  'db-connection',
]);
