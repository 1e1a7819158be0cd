/**
 * The README reads in a terminal and points at what exists: lines no wider than 100 characters,
 * relative links to files that are there, the npm scripts it names, and the Node.js it requires.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(path, 'utf8');
const DOCS = [
  'README.md',
  'docs/configuration.md',
  'docs/architecture.md',
  'docs/reliability.md',
  'docs/development.md',
  'docs/escalation.md',
];

describe('the README and docs/', () => {
  it.each(DOCS)('%s has no line wider than 100 characters', (path) => {
    const wide = read(path)
      .split('\n')
      .map((line, i) => ({ line: i + 1, width: [...line].length }))
      .filter((l) => l.width > 100);
    expect(wide).toEqual([]);
  });

  it.each(DOCS)('%s links only to files that exist', (path) => {
    const links = [...read(path).matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)].map((m) => m[1] as string);
    const missing = links.filter((link) => !existsSync(join(dirname(path), link)));
    expect(missing).toEqual([]);
  });

  it('names the npm scripts and the Node.js that package.json has', () => {
    const readme = read('README.md');
    const pkg = JSON.parse(read('package.json')) as {
      scripts: Record<string, string>;
      engines: { node: string };
    };
    for (const script of readme.matchAll(/npm run (\w+)/g))
      expect(pkg.scripts).toHaveProperty(script[1] as string);
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toMatch(/^npm test\b/m);
    expect(pkg.engines.node).toBe('>=22');
    expect(readme).toContain('Node.js 22');
    expect(readme).not.toMatch(/Node\.js 20/);
  });
});
