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
