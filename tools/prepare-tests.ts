/**
 * `npm test`'s first step (npm's `pretest`): brings what the suites need besides npm packages, quietly
 * and only when it is missing, so that the README's test command works on a fresh machine.
 *
 * - kubectl, openssl, the Prometheus server and promtool, headless Chromium: installed from Debian's packages when this
 *   is Debian (or Ubuntu) and we are root; elsewhere one line says what to install.
 * - Node.js 22 (the Lambda runtime's major): when the system Node.js is older, the bundled Node.js 22
 *   of this platform is installed into tools/node22 (`npm ci --prefix tools/node22`), where one exists.
 *
 * It never fails the run: a suite whose tool is still missing is skipped, and says so (see
 * test/helpers/requirements.ts). TENANT_CHECK_NO_INSTALL=1 installs nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  bundledNode22,
  installHint,
  missing,
  NODE22_PLATFORMS,
  NODE22_PREFIX,
  nodeMajor,
  onPath,
  PACKAGES,
  type Requirement,
} from './requirements.js';

const say = (line: string) => process.stderr.write(`tenant-check tests: ${line}\n`);
const installs = process.env.TENANT_CHECK_NO_INSTALL !== '1';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim();
  return { ok: result.status === 0, why: result.error?.message ?? output.split('\n').at(-1) ?? '' };
}

const tools = (['kubectl', 'openssl', 'prometheus'] as const).filter((t) => missing(t));
const debianRoot =
  process.platform === 'linux' &&
  existsSync('/etc/debian_version') &&
  process.getuid?.() === 0 &&
  onPath('apt-get') !== undefined;
// Headless Chromium (and a font) for the test that opens the bundle's summary.html as a reader would.
const browser = ['chromium', 'chromium-browser', 'google-chrome'].some((b) => onPath(b) !== undefined)
  ? []
  : ['chromium', 'fonts-dejavu-core'];
if ((tools.length > 0 || browser.length > 0) && installs && debianRoot) {
  const packages = [...tools.map((t) => PACKAGES[t].debian), ...browser];
  say(`installing ${packages.join(', ')} from Debian's packages (apt-get, once) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = run('apt-get', ['update', '-qq'], env);
  const install = update.ok
    ? run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], env)
    : update;
  if (!install.ok) say(`apt-get could not install ${packages.join(' ')}: ${install.why}`);
}

const platform = `${process.platform}-${process.arch}`;
if (nodeMajor() < 22 && !bundledNode22() && installs && NODE22_PLATFORMS.includes(platform)) {
  say(
    `Node.js ${process.version} is older than 22: installing Node.js 22 for ${platform} into tools/node22 ...`,
  );
  const npm = process.env.npm_execpath;
  const args = ['ci', '--prefix', NODE22_PREFIX, '--no-audit', '--no-fund', '--loglevel=error'];
  const result = npm ? run(process.execPath, [npm, ...args]) : run('npm', args);
  if (!result.ok) say(`npm could not install Node.js 22 into tools/node22: ${result.why}`);
}

const still = (['kubectl', 'openssl', 'prometheus', 'node22'] as Requirement[]).filter((r) => missing(r));
if (still.length > 0)
  say(
    `SKIPPING the suites that need ${still.map((r) => (r === 'node22' ? 'Node.js 22' : PACKAGES[r].what)).join(', ')}; to run them: ${installHint(still)}`,
  );
