/**
 * A local stand-in for STS's AssumeRole (there is no local STS): it speaks the Query protocol as STS
 * does (a form-encoded POST, `Action=AssumeRole&Version=2011-06-15`, XML answers and XML errors),
 * checks each request's SigV4 signature by signing it again with the caller's known secret (service
 * `sts`), and applies each role's trust policy as IAM would: the caller's ARN must be the one trusted,
 * and the external id must match (the `sts:ExternalId` condition). The credentials it issues are
 * recorded as identities, so that the Kubernetes simulator can tell who signed an EKS token.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessEntryPrincipal, type StsIdentity } from '../../sim/kube/eks-token-rules.js';
import { checkSigV4 } from './sigv4-check.js';

/** The checker function's role, in the deployment's account (111111111111), as the tests name it. */
export const CHECKER_ROLE = 'arn:aws:iam::111111111111:role/TenantReconciliationChecker-CheckerRole';
/** The member account's role the checker assumes (222222222222). */
export const MEMBER_ROLE = 'arn:aws:iam::222222222222:role/tenant-checker-access';
/** The function's own credentials: a session of the checker's role. */
export const CHECKER_SESSION: StsIdentity = {
  arn: 'arn:aws:sts::111111111111:assumed-role/TenantReconciliationChecker-CheckerRole/TenantReconciliationChecker-Function',
  credentials: {
    accessKeyId: 'ASIACHECKERFUNCTION1',
    secretAccessKey: 'Y2hlY2tlci1mdW5jdGlvbi1zZWNyZXQta2V5',
    sessionToken: 'IQoJCHECKERFUNCTIONSESSION',
  },
};

export interface StsRole {
  roleArn: string;
  /** The principal the trust policy names (the checker's role). */
  trustedArn: string;
  /** The trust policy's sts:ExternalId condition, if it has one. */
  externalId?: string;
}

export interface StsCall {
  action: string;
  roleArn?: string;
  sessionName?: string;
  accessKeyId?: string;
  outcome: string;
}

export interface StsEndpoint {
  url: string;
  calls: StsCall[];
  /** Every identity STS knows: the callers given, and each session it issued (assumed-role ARNs). */
  identities: StsIdentity[];
  close(): Promise<void>;
}

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const xmlEscape = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

export async function startStsEndpoint(options: {
  region: string;
  /** Who may call: their credentials and ARN (the checker's role session). */
  callers: StsIdentity[];
  roles: StsRole[];
  /** Session length STS grants, in seconds (default: what the caller asks for). */
  sessionSeconds?: number;
  now?: () => Date;
}): Promise<StsEndpoint> {
  const now = options.now ?? (() => new Date());
  const identities: StsIdentity[] = [...options.callers];
  const calls: StsCall[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const form = new URLSearchParams(body);
      const call: StsCall = { action: form.get('Action') ?? '', outcome: 'ok' };
      calls.push(call);
      const fail = (status: number, code: string, message: string) => {
        call.outcome = code;
        res.writeHead(status, { 'Content-Type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomBytes(8).toString('hex')}</RequestId></ErrorResponse>`,
        );
      };
      if (req.method !== 'POST') return fail(400, 'InvalidAction', 'expected a POST');
      const signed = await checkSigV4(req, body, {
        service: 'sts',
        region: options.region,
        credentialsFor: (key) => identities.find((i) => i.credentials.accessKeyId === key)?.credentials,
        now,
      });
      if (!signed.ok) {
        if (signed.accessKeyId) call.accessKeyId = signed.accessKeyId;
        if (signed.problem === 'missing')
          return fail(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
        if (signed.problem === 'unknown-key')
          return fail(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
        if (signed.problem === 'date') return fail(403, 'IncompleteSignature', signed.detail);
        return fail(403, 'SignatureDoesNotMatch', signed.detail);
      }
      call.accessKeyId = signed.accessKeyId;
      const caller = identities.find((i) => i.credentials.accessKeyId === signed.accessKeyId) as StsIdentity;

      if (call.action !== 'AssumeRole' || form.get('Version') !== '2011-06-15')
        return fail(
          400,
          'InvalidAction',
          `Could not find operation ${call.action} for version ${form.get('Version')}`,
        );
      const roleArn = form.get('RoleArn') ?? '';
      const sessionName = form.get('RoleSessionName') ?? '';
      call.roleArn = roleArn;
      call.sessionName = sessionName;
      if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
        return fail(
          400,
          'ValidationError',
          `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`,
        );
      const role = options.roles.find((r) => r.roleArn === roleArn);
      const denied = `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
      // A trust policy naming a role trusts that role's sessions, whatever their names.
      if (!role || role.trustedArn !== accessEntryPrincipal(caller.arn))
        return fail(403, 'AccessDenied', denied);
      if (role.externalId !== undefined && form.get('ExternalId') !== role.externalId)
        return fail(403, 'AccessDenied', denied);
      const asked = Number(form.get('DurationSeconds') ?? 3600);
      const seconds = options.sessionSeconds ?? asked;
      const [, account, name] = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn) ?? [];
      const issued: StsIdentity = {
        arn: `arn:aws:sts::${account}:assumed-role/${name}/${sessionName}`,
        credentials: {
          accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
          secretAccessKey: randomBytes(30).toString('base64'),
          sessionToken: `IQoJ${randomBytes(48).toString('base64')}`,
          expiration: new Date(now().getTime() + seconds * 1000),
        },
      };
      identities.push(issued);
      const c = issued.credentials;
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(
        `<AssumeRoleResponse xmlns="${XMLNS}"><AssumeRoleResult>` +
          `<AssumedRoleUser><Arn>${xmlEscape(issued.arn)}</Arn><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId></AssumedRoleUser>` +
          `<Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(c.secretAccessKey)}</SecretAccessKey>` +
          `<SessionToken>${xmlEscape(c.sessionToken ?? '')}</SessionToken><Expiration>${c.expiration?.toISOString()}</Expiration></Credentials>` +
          `<PackedPolicySize>0</PackedPolicySize></AssumeRoleResult>` +
          `<ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    identities,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
