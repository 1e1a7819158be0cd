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
};

/** The secrets as they appear in the wild: log lines, env values, annotations, URLs. */
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
  ];
}

export function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(PLANTED_SECRETS)) {
    const probe = name === 'privateKey' ? 'plantedprivatekeymaterial' : secret;
    if (text.includes(probe)) found.push(name);
  }
  return found;
}
