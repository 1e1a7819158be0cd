/**
 * What the test suites need besides npm packages, found the way a shell finds it: the real kubectl
 * (the runbook's commands against the simulator), openssl (the simulator's certificates), the
 * Prometheus server with promtool (the runbook's PromQL on backfilled data), and a Node.js 22 (the
 * Lambda runtime's major) for the few tests that load the Lambda bundle as Lambda would.
 *
 * `tools/prepare-tests.ts` (npm's `pretest`) installs what is missing where it can; the suites ask
 * `missing()` and skip, saying why, when something is still not there.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export type Requirement = 'kubectl' | 'openssl' | 'prometheus' | 'node22';

/** Debian's package for each system tool, and Homebrew's. */
export const PACKAGES: Record<
  Exclude<Requirement, 'node22'>,
  { debian: string; brew: string; what: string }
> = {
  kubectl: { debian: 'kubernetes-client', brew: 'kubernetes-cli', what: 'kubectl' },
  openssl: { debian: 'openssl', brew: 'openssl', what: 'openssl' },
  prometheus: { debian: 'prometheus', brew: 'prometheus', what: 'Prometheus (server and promtool)' },
};

const COMMANDS: Record<Exclude<Requirement, 'node22'>, string[]> = {
  kubectl: ['kubectl'],
  openssl: ['openssl'],
  prometheus: ['prometheus', 'promtool'],
};

/** The first executable called `name` on PATH, as `command -v` finds it. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const ROOT = resolve(import.meta.dirname, '..');
/** Where `npm ci --prefix tools/node22` puts the Node.js 22 package of this platform, if it has one. */
export const NODE22_PREFIX = join(ROOT, 'tools', 'node22');
/** The platforms with a Node.js 22 package on npm (tools/node22/package.json); Apple silicon has none. */
export const NODE22_PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-x64'];

export function nodeMajor(version = process.versions.node): number {
  return Number(version.split('.')[0]);
}

/** The bundled Node.js 22 for this platform, when installed. */
export function bundledNode22(platform = `${process.platform}-${process.arch}`): string | undefined {
  const path = join(NODE22_PREFIX, 'node_modules', `node-${platform}`, 'bin', 'node');
  return existsSync(path) ? path : undefined;
}

/**
 * A Node.js of major 22 or newer: the one running (when it is), else the bundled one. The Lambda
 * runtime is Node.js 22; a newer system Node.js loads the same ESM bundle.
 */
export function node22(): string | undefined {
  if (nodeMajor() >= 22) return process.execPath;
  return bundledNode22();
}

/** Why each requirement is not met, or nothing when it is. */
export function missing(requirement: Requirement): string | undefined {
  if (requirement === 'node22') {
    if (node22()) return undefined;
    return `Node.js 22 or newer (this is ${process.version}, and no bundled Node.js 22 for ${process.platform}-${process.arch} is installed)`;
  }
  const absent = COMMANDS[requirement].filter((c) => !onPath(c));
  return absent.length > 0 ? `${absent.join(' and ')} (not on PATH)` : undefined;
}

/** One line saying how to get what is missing, for a person on Debian/Ubuntu or macOS. */
export function installHint(requirements: Requirement[]): string {
  const tools = requirements.filter((r): r is Exclude<Requirement, 'node22'> => r !== 'node22');
  const parts: string[] = [];
  if (tools.length > 0)
    parts.push(
      `apt-get install ${tools.map((t) => PACKAGES[t].debian).join(' ')} (Debian/Ubuntu) or brew install ${tools.map((t) => PACKAGES[t].brew).join(' ')} (macOS)`,
    );
  if (requirements.includes('node22'))
    parts.push('Node.js 22 (nvm install 22, fnm install 22, brew install node@22, or NodeSource)');
  return parts.join('; ');
}
