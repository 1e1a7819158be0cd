/** The literals the stack sets and the link service and the checker read. */

/** Environment variables of the link service (and, for the first two, of the checker, which signs). */
export const LINK_ENV = {
  /** The KMS HMAC key's ARN. */
  keyId: 'LINK_KEY_ID',
  /** The link service's Function URL, which the checker puts in messages. */
  serviceUrl: 'LINK_SERVICE_URL',
  /** The longest a link may live (the bundle retention), in seconds: anything further out is not ours. */
  maxLifetimeSeconds: 'LINK_MAX_LIFETIME_SECONDS',
  /** Where the bundles are (the same variable as the checker's). */
  bucket: 'BUNDLE_BUCKET',
} as const;

/** How long the presigned S3 URL that a click redirects to lives: long enough to start a download. */
export const PRESIGNED_SECONDS = 300;
