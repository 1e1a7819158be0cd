import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app.js';

export const EXAMPLE_CONFIG = JSON.parse(readFileSync('checker.config.example.json', 'utf8')) as Record<
  string,
  unknown
>;

/** Synthesizes the app as `cdk synth -c config=FILE` would, into a directory of its own. */
export function synthApp(document: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'checker-cdk-'));
  const config = join(dir, 'checker.config.json');
  writeFileSync(config, JSON.stringify(document));
  const outdir = join(dir, 'cdk.out');
  const { app, stack } = buildApp({ outdir, context: { config } });
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  const reportFile = join(outdir, 'validation-report.json');
  const report = existsSync(reportFile)
    ? JSON.parse(readFileSync(reportFile, 'utf8'))
    : { pluginReports: [] };
  return { app, stack, template, assembly, outdir, report };
}

/** Resources of one type, as plain objects. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}
