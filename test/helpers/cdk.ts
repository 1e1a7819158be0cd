import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app.js';
import { scratchDir } from './scratch.js';

export const EXAMPLE_CONFIG = JSON.parse(readFileSync('checker.config.example.json', 'utf8')) as Record<
  string,
  unknown
>;

/** cdk.json's context: the feature flags `cdk synth` and `cdk deploy` run the app with. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> }
).context;

/** Synthesizes the app as `cdk synth -c config=FILE` would (cdk.json's flags too), into a directory of its own. */
export function synthApp(document: unknown) {
  const dir = scratchDir('checker-cdk-');
  const config = join(dir, 'checker.config.json');
  writeFileSync(config, JSON.stringify(document));
  const outdir = join(dir, 'cdk.out');
  const { app, stack } = buildApp({ outdir, context: { ...CDK_JSON_CONTEXT, config } });
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

/** The one resource of a type whose logical id starts with `prefix` (e.g. the checker's function). */
export function resourceNamed(template: Template, type: string, prefix: string) {
  const found = Object.entries(resourcesOf(template, type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${found.length}`);
  return (found[0] as [string, { Properties: Record<string, unknown> }])[1];
}
