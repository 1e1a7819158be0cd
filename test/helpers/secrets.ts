/** The planted-secrets corpus: every secret shape the checker could meet. None may survive. */

export const PLANTED_SECRETS = {
  password: 'Sup3r-S3cret-Pa55!',
  dsnPassword: 'dsnP4ssw0rdXYZ',
  mysqlPassword: 'mysqlHunter22',
  bearer: 'abcdefghijklmnop.qrstuvwxyz0123456789',
  eksToken: 'k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eQ',
  accessKey: 'AKIAIOSFODNN7EXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEHAaCWV1LXdlc3QtMSJHMEUCIQDexampleSessionToken',
  jwt: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLXBsYW50ZWQtZm9yLXRlc3Rz',
  privateKey:
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAplantedprivatekeymaterial\n-----END RSA PRIVATE KEY-----',
  apiKey: 'sk_live_51HplantedApiKeyValue',
  // Round two: quoted values with spaces, service tokens by their prefixes, real-world DSNs and headers.
  spacedPassword: 'p@ss wOrd9 zebraQuartz',
  yamlSpacedPassword: 'plain spaced Kiwi7secret',
  githubClassic: 'ghp_R8kL2mQ9xZ4vB7nT1wY6cH3jF5pD0sAeUgKo',
  githubOauth: 'gho_T3vN8qW1eR6yU9iO2pA5sD7fG4hJ0kLzXcVb',
  githubServer: 'ghs_M5nB2vC8xZ1lK4jH7gF0dS3aQ6wE9rTyUiOp',
  githubFineGrained: 'github_pat_11AB3CDEF0g7HiJkLmNoPq_RsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ01',
  slackBot: 'xoxb-2874163950-3958204716302-Qz7Rt2Yw9Lp4Ks8Vn1Mb6Xc3',
  slackUser: 'xoxp-2874163950-3958204716302-4820193847561-a8f3c2e9d1b7a6f4e0c5d3b2a1f9e8d7',
  slackApp: 'xapp-1-A04BC5DE6FG-5061728394051-9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928',
  slackWebhook: 'T02ABCDEF/B03GHIJKL/Xy7Zq2Wv9Ut4Sr1Pq8On5Ml3K',
  stripeRestricted: 'rk_live_51HqRestrictedKeyPlanted9876',
  googleApiKey: 'AIzaSyD8vQ3kL9mN2pR7tW4xZ1bC6fH0jK5sE8u',
  npmToken: 'npm_k3P9qR2sT7vW4xY8zA1bC5dE6fG0hJ2mN4pQ',
  gitlabToken: 'glpat-Xy9Zq2Wv7Ut4Sr1Pq8On',
  openaiKey: 'sk-proj-Ab3Cd9Ef2Gh7Ij4Kl8Mn1Op5Qr6St0Uv',
  pgPassword: 'pgS3cretPa55',
  mongoPassword: 'm0ngoPa55word',
  redisPassword: 'r3disPa55word',
  amqpPassword: 'amqpPa55w0rd',
  atSignPassword: 'p@ssAtSign9',
  jsonBearer: 'eyL0b2tlbi1pbi1qc29uLWxvZw.Zm9yLXRoZS1oZWFkZXI',
  basicCredentials: 'dXNlcjpiYXNpY1Bhc3M5',
  tokenScheme: 'tok_9f8e7d6c5b4a3f2e1d0c',
  kubeconfigToken: 'kubeconfigTokenValue0123456789abcdef',
  clientKeyData: 'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUtleURhdGFQbGFudGVk',
  ecPrivateKey:
    '-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIEcPlantedEcKeyMaterialInJson\\n-----END EC PRIVATE KEY-----',
  cutPrivateKey: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAcutOffPlantedKeyMaterial',
};

/** What to look for in the output, where it is not the secret itself (a part that must not survive alone). */
const PROBES: Partial<Record<keyof typeof PLANTED_SECRETS, string[]>> = {
  privateKey: ['plantedprivatekeymaterial'],
  ecPrivateKey: ['EcKeyMaterialInJson'],
  cutPrivateKey: ['cutOffPlantedKeyMaterial'],
  spacedPassword: ['p@ss', 'wOrd9', 'zebraQuartz'],
  yamlSpacedPassword: ['Kiwi7secret'],
  atSignPassword: ['ssAtSign9'],
};

/** The secrets as they appear in the wild: log lines, env values, annotations, URLs, configs. */
export function plantedLines(): string[] {
  const s = PLANTED_SECRETS;
  return [
    `failed to connect: password=${s.password} host=db`,
    `dial error for mysql://tenants:${s.dsnPassword}@mysql.data.svc:3306/tenants`,
    `Error 1045: Access denied: tenants:${s.mysqlPassword}@tcp(10.0.3.7:3306)/tenants`,
    `request headers: Authorization: Bearer ${s.bearer}`,
    `token ${s.eksToken} rejected`,
    `aws_access_key_id=${s.accessKey} aws_secret_access_key=${s.secretKey}`,
    `AWS_SESSION_TOKEN: ${s.sessionToken}`,
    `presigned https://s3.amazonaws.com/b/k?X-Amz-Security-Token=${s.sessionToken}&X-Amz-Signature=deadbeef`,
    `{"name":"DB_PASSWORD","value":"${s.password}"}`,
    `annotation kubectl.kubernetes.io/last-applied-configuration: {"stringData":{"token":"${s.jwt}"}}`,
    s.privateKey,
    JSON.stringify({ env: [{ name: 'STRIPE_API_KEY', value: s.apiKey }] }),
    `"client_secret": "${s.apiKey}"`,
    // Quoted values with spaces, in YAML, JSON and logfmt; and an unquoted YAML value with spaces.
    `password: "${s.spacedPassword}"`,
    JSON.stringify({ level: 'error', msg: 'login failed', password: s.spacedPassword }),
    `connect failed db_password='${s.spacedPassword}' retrying`,
    `  password: ${s.yamlSpacedPassword}`,
    // Service tokens by their prefixes, wherever they appear.
    `git clone https://x-access-token:${s.githubServer}@github.com/acme/tenants.git failed`,
    `GITHUB_TOKEN=${s.githubClassic}`,
    `using oauth token ${s.githubOauth} for api.github.com`,
    `registry auth with ${s.githubFineGrained}`,
    `slack: posting with ${s.slackBot} failed: channel_not_found`,
    `{"slack_user_token":"${s.slackUser}","app":"${s.slackApp}"}`,
    `webhook https://hooks.slack.com/services/${s.slackWebhook} returned 404`,
    `billing sync: Stripe restricted key ${s.stripeRestricted} is not allowed`,
    `geocoding via https://maps.googleapis.com/maps/api/geocode/json?address=x&key=${s.googleApiKey}`,
    `//registry.npmjs.org/:_authToken=${s.npmToken}`,
    `clone with ${s.gitlabToken} refused`,
    `llm call with key ${s.openaiKey} got 429`,
    `export AWS_SECRET_ACCESS_KEY ${s.secretKey}`,
    JSON.stringify({ Credentials: { AccessKeyId: s.accessKey, SecretAccessKey: s.secretKey } }),
    // Connection strings as drivers print them.
    `pq: connection to postgresql://app:${s.pgPassword}@db.internal:5432/tenants?sslmode=require failed`,
    `MongoServerSelectionError for mongodb+srv://admin:${s.mongoPassword}@cluster0.ab1cd.mongodb.net/?retryWrites=true`,
    `dial redis://:${s.redisPassword}@redis-master.cache.svc:6379/0: i/o timeout`,
    `amqp://guest:${s.amqpPassword}@rabbitmq.queue.svc:5672/vhost: connection reset`,
    `postgres://app:${s.atSignPassword}@db.internal:5432/tenants`,
    // Authorization headers inside JSON logs.
    JSON.stringify({
      level: 'info',
      msg: 'outbound request',
      headers: { Authorization: `Bearer ${s.jsonBearer}`, 'Content-Type': 'application/json' },
    }),
    JSON.stringify({ level: 'debug', req: { headers: { authorization: `Basic ${s.basicCredentials}` } } }),
    `Authorization: Token ${s.tokenScheme}`,
    // A kubeconfig snippet, as a misconfigured operator might print it.
    [
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${s.kubeconfigToken}`,
      `    client-key-data: ${s.clientKeyData}`,
    ].join('\n'),
    // A private key inside JSON (escaped newlines), and one cut before its END line.
    `{"tls.key":"${s.ecPrivateKey}"}`,
    s.cutPrivateKey,
  ];
}

export function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(PLANTED_SECRETS)) {
    const probes = PROBES[name as keyof typeof PLANTED_SECRETS] ?? [secret];
    if (probes.some((probe) => text.includes(probe))) found.push(name);
  }
  return found;
}

/**
 * Ordinary evidence that must come out of redaction unchanged: Kubernetes names, IPs and ports,
 * error messages, SHAs and UIDs, names of Secrets (not their values).
 */
export const ORDINARY_EVIDENCE = [
  'dial tcp 10.0.3.7:3306: connect: connection refused',
  'Reconciler error {"controller": "tenant", "namespace": "tenants-0", "name": "customer-00012", "error": "failed to create Deployment tenants-0/web-customer-00012: admission webhook \\"validate.kyverno.svc\\" denied the request"}',
  'pods "tenant-operator-controller-manager-7d9f8b6c5d-x7k2p" is forbidden: User "system:serviceaccount:tenant-operator-system:tenant-operator-controller-manager" cannot list resource "secrets" in API group "" in the namespace "tenants-0"',
  'Get "https://10.100.0.1:443/api?timeout=32s": dial tcp 10.100.0.1:443: i/o timeout',
  'https://kubernetes.default.svc:443/apis/operator.kubernetes-tenants.org/v1/namespaces/tenants-0/tenants/customer-00012/status',
  'pq: password authentication failed for user "app"',
  "Error 1045 (28000): Access denied for user 'tenants'@'10.0.3.7' (using password: YES)",
  'secretName: db-credentials',
  '{"secretKeyRef":{"name":"mysql-auth","key":"password"}}',
  'tokenExpirationSeconds: 3600',
  'commit 4f2c9e1b7a3d5f6e8c0b1a2d3e4f5a6b7c8d9e0f',
  'uid: 7c9e6679-7425-40de-944b-e07fc1f90ae7',
  'image: ghcr.io/kubernetes-tenants/tenant-operator:v1.1.8@sha256:4f2c9e1b7a3d5f6e8c0b1a2d3e4f5a6b7c8d9e0f4f2c9e1b7a3d5f6e8c0b1a2d',
  'basic validation failed for tenant customer-00012',
  'the server has received too many requests and has asked us to try again later',
  '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available',
  'mysql://mysql.data.svc:3306/tenants',
  'apiserver_request_total{code="429",verb="LIST"} 42',
  'arn:aws:iam::123456789012:role/tenant-checker',
  '--tenant-concurrency=10 --zap-encoder=json',
  'x-k8s-aws-id: prod-eks-1',
  'reason: TokenExpired',
  'message: the service account token expired',
  'tenant-operator-controller-manager-metrics-service.tenant-operator-system.svc:8443',
  'failed to refresh token for tenant customer-00012',
  'kubectl auth can-i update tenants --subresource=status',
  'Normal  Scheduled  pod/web-00-5f6d7c  Successfully assigned tenants-0/web-00-5f6d7c to ip-10-0-1-23.eu-west-1.compute.internal',
];
