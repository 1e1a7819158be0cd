/**
 * Reads the rule file a config names (`rules.file`, relative to the config file) into
 * `rules.inline`, and validates it, for the CDK app at synth and the CLI. A file that is missing or
 * unusable fails with a ConfigError naming `rules.file`, each problem naming the group and rule.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, unreadableReason } from '../../errors.js';
import { parseRules } from './parse.js';

/** The document with the rule file's text in `rules.inline`; unchanged when no file is named. */
export function withRuleFile(document: unknown, configPath: string): unknown {
  if (typeof document !== 'object' || document === null) return document;
  const rules = (document as { rules?: unknown }).rules;
  if (typeof rules !== 'object' || rules === null) return document;
  const file = (rules as { file?: unknown }).file;
  if (typeof file !== 'string' || file === '') return document;
  const path = resolve(dirname(configPath), file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(configPath, [`rules.file: cannot read ${path}: ${unreadableReason(error)}`]);
  }
  const parsed = parseRules(text, file);
  if (!parsed.ok)
    throw new ConfigError(
      configPath,
      parsed.error.problems.map((p) => `rules.file (${file}): ${p}`),
    );
  if (parsed.rules.alerting.length === 0)
    throw new ConfigError(configPath, [`rules.file (${file}): expected at least one alerting rule`]);
  return { ...document, rules: { ...rules, inline: text } };
}
