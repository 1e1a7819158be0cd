/**
 * Credentials for a cluster in another account: the role its account's entry in `accounts` names,
 * assumed with STS AssumeRole (the SDK's provider) from the function's own credentials. One provider
 * per role and external id, cached for the container's life and renewed a few minutes before the
 * session expires, so that a warm container calls STS about once an hour per member account, not once
 * per invocation. The session name says who is calling: CloudTrail in the member account shows
 * `assumed-role/<role>/tenant-checker`.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AccountAccess } from '../config.js';

/** The RoleSessionName of every session the checker opens (CloudTrail's and the assumed-role ARN's last part). */
export const ROLE_SESSION_NAME = 'tenant-checker';
/** STS's default session length; the role's MaxSessionDuration is at least this. */
export const SESSION_SECONDS = 3600;
/** Renew this long before the session ends: an EKS token signed now must outlive the cycle that uses it. */
export const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Wraps a provider so that its answer is reused until `RENEW_BEFORE_MS` before its expiration; a
 * failed call is not cached (the next invocation asks again). Credentials without an expiration are
 * kept for good.
 */
export function cachedUntilNearExpiry(
  provider: AwsCredentialIdentityProvider,
  clock: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = Number.POSITIVE_INFINITY;
  return async () => {
    if (current && clock() < expiresAt - RENEW_BEFORE_MS) return current;
    const pending = provider();
    current = pending;
    try {
      const identity = await pending;
      expiresAt = identity.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
      return identity;
    } catch (error) {
      if (current === pending) current = undefined;
      throw error;
    }
  };
}

export interface AssumedRolesOptions {
  /** The function's own credentials, which call AssumeRole. */
  credentials: AwsCredentialIdentityProvider;
  /** STS's region: the function's own (regional STS endpoint). */
  region: string;
  /** Another STS endpoint (a VPC endpoint, or a local test server); AWS_ENDPOINT_URL_STS works too. */
  endpoint?: string;
  clock?: () => number;
}

/** The credentials of each member account's role, one cached provider per role and external id. */
export class AssumedRoles {
  private readonly providers = new Map<string, AwsCredentialIdentityProvider>();

  constructor(private readonly options: AssumedRolesOptions) {}

  /** The function's own credentials when `access` is undefined (a cluster of the deployment's account). */
  credentialsFor(access: AccountAccess | undefined): AwsCredentialIdentityProvider {
    if (!access) return this.options.credentials;
    const key = `${access.roleArn}\n${access.externalId ?? ''}`;
    let provider = this.providers.get(key);
    if (!provider) {
      const assume = fromTemporaryCredentials({
        masterCredentials: this.options.credentials,
        params: {
          RoleArn: access.roleArn,
          RoleSessionName: ROLE_SESSION_NAME,
          DurationSeconds: SESSION_SECONDS,
          ...(access.externalId ? { ExternalId: access.externalId } : {}),
        },
        clientConfig: {
          region: this.options.region,
          ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
        },
      });
      provider = cachedUntilNearExpiry(async () => {
        try {
          return await assume();
        } catch (error) {
          const err = error as Error;
          // Named so that checker-access can tell the checker's trouble from the cluster's.
          throw Object.assign(
            new Error(
              `STS AssumeRole ${access.roleArn}: ${err.name ?? ''} ${err.message}`.replace(/\s+/g, ' '),
            ),
            { name: 'AssumeRoleFailed', $metadata: (error as { $metadata?: unknown }).$metadata },
          );
        }
      }, this.options.clock);
      this.providers.set(key, provider);
    }
    return provider;
  }
}
