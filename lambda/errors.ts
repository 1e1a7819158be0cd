/** Named errors: a failure a user can fix is a ConfigError or a BadEventError, never a stack trace. */

/** A configuration document that does not validate; `problems` name each bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a valid checker configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** An invocation event the handler cannot act on (not the scheduler's `{ cluster }`, or an unknown cluster). */
export class BadEventError extends Error {
  override readonly name = 'BadEventError';
}

/** Why a file could not be read, as a user would say it: "no such file", or the system's message. */
export function unreadableReason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
}
