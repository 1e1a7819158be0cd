/**
 * Suites that need a system tool (kubectl, openssl, Prometheus) or Node.js 22 take their `describe`
 * from here: when something is missing the suite is skipped, loudly: one warning line in the run's
 * output and the reason in the suite's name. `npm test` installs what it can first
 * (tools/prepare-tests.ts), so on a machine like CI's nothing is skipped.
 */
import { describe as vitestDescribe } from 'vitest';
import { installHint, missing, type Requirement } from '../../tools/requirements.js';

export { node22 } from '../../tools/requirements.js';

/** Why these requirements are not met (one line), or undefined when they all are. */
export function unmet(...requirements: Requirement[]): string | undefined {
  const absent = requirements.filter((r) => missing(r));
  if (absent.length === 0) return undefined;
  return `needs ${absent.map((r) => missing(r)).join(', ')}; to run it: ${installHint(absent)}`;
}

/**
 * `describe`, or when a requirement is missing a skipped `describe` whose name says why. Use it as the
 * file's `describe`: `const describe = describeNeeding('openssl', 'prometheus');`.
 */
export function describeNeeding(...requirements: Requirement[]): typeof vitestDescribe {
  const reason = unmet(...requirements);
  if (!reason) return vitestDescribe;
  console.warn(`SKIPPED: ${reason}`);
  const skipped = (name: unknown, ...rest: unknown[]) =>
    (vitestDescribe.skip as (...args: unknown[]) => void)(`${String(name)} [SKIPPED: ${reason}]`, ...rest);
  return skipped as unknown as typeof vitestDescribe;
}
