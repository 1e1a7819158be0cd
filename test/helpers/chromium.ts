/**
 * Headless Chromium (Debian's `chromium`) for tests that must see a page as a browser renders it:
 * no network, no profile of the machine's, no updates, no sync, a screenshot or the DOM after load.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The browser's path, or undefined. */
export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export const isDebian = () => existsSync('/etc/debian_version');

function run(binary: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--hide-scrollbars',
  '--force-device-scale-factor=1',
];

/** Opens a page and writes a screenshot of the given size. */
export async function screenshot(binary: string, url: string, png: string, size: [number, number]) {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  try {
    return await run(binary, [
      ...FLAGS,
      `--user-data-dir=${profile}`,
      `--window-size=${size[0]},${size[1]}`,
      `--screenshot=${png}`,
      url,
    ]);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Opens a page and returns the DOM as the browser built it. */
export async function dumpDom(binary: string, url: string) {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  try {
    return await run(binary, [...FLAGS, `--user-data-dir=${profile}`, '--dump-dom', url]);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
