/**
 * Synth of a fleet: time and template sizes at 20, 100 and 500 clusters (three regions, two
 * accounts, half on AMP: test/helpers/cfn-limits.ts's fleetDocument), against CloudFormation's and IAM's limits.
 * `npm run bench` includes it; `BENCH_ONLY=fleet npm run bench` (or `node --import tsx bench/fleet.ts`)
 * runs it alone and replaces its section of bench/results.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { synthApp } from '../test/helpers/cdk.js';
import { fleetDocument, LIMITS, measureTemplates, rolePolicies } from '../test/helpers/cfn-limits.js';
import { removeScratchDirs } from '../test/helpers/scratch.js';

export const FLEET_HEADING = '## 6. Fleet: synth at 20, 100 and 500 clusters';
const SIZES = [20, 100, 500];

export async function fleetSynth(): Promise<string> {
  const rows: string[] = [];
  // One synth first, not measured: module loading and the JIT would otherwise count against the first size.
  synthApp(fleetDocument(1));
  removeScratchDirs();
  for (const count of SIZES) {
    const started = performance.now();
    const { outdir, report } = synthApp(fleetDocument(count));
    const ms = performance.now() - started;
    const templates = measureTemplates(outdir);
    const [parent, ...nested] = templates;
    const largest = nested.length > 0 ? nested : templates;
    const role = rolePolicies(outdir).find((r) => r.role.startsWith('CheckerRole'));
    const violations = report.pluginReports.flatMap((p: { violations: unknown[] }) => p.violations).length;
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
    rows.push(
      `| ${count} | ${(ms / 1000).toFixed(1)} s | ${templates.length} (${nested.length} nested) | ` +
        `${parent?.resources}, ${kb(parent?.bytes ?? 0)} | ` +
        `${Math.max(...largest.map((t) => t.resources))}, ${kb(Math.max(...largest.map((t) => t.bytes)))} | ` +
        `${templates.reduce((n, t) => n + t.resources, 0)} | ${Math.max(...templates.map((t) => t.parameters))} | ` +
        `${role?.inlineCharacters} + ${role?.managed.length ?? 0} × ≤ ${Math.max(0, ...(role?.managed ?? []))} | ${violations} |`,
    );
    removeScratchDirs();
  }
  return `${FLEET_HEADING}

Run ${new Date().toISOString()} (load average ${loadavg()[0]?.toFixed(1)}), in one process after a
warm-up synth; each synth bundles both functions with esbuild (about 1.5 s of it), writes the
config into the asset and runs cdk-nag on every template. Clusters in three regions and two
accounts (every other one read through a member account's role), half on AMP. The member account's
own stacks are not timed here (test/fleet-synth.test.ts holds them to the same limits). Limits: ${LIMITS.resources} resources and 1 MB a template, ${LIMITS.parameters} parameters,
${LIMITS.outputs} outputs (none are made); ${LIMITS.roleInlineCharacters.toLocaleString('en')} characters
of inline policy per role, ${LIMITS.managedPolicyCharacters.toLocaleString('en')} per managed policy,
${LIMITS.managedPoliciesPerRole} managed policies per role (sizes with intrinsics resolved at their
longest, whitespace not counted).

| clusters | synth | templates | parent: resources, size | largest shard: resources, size | resources in all | most parameters | checker role: inline chars + managed policies × chars | cdk-nag findings |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
}

/** Replaces (or appends) the fleet section of bench/results.md. */
export function writeFleetSection(
  section: string,
  path = join(resolve(import.meta.dirname, '..'), 'bench', 'results.md'),
) {
  const current = readFileSync(path, 'utf8');
  const at = current.indexOf(FLEET_HEADING);
  const after = at >= 0 ? current.indexOf('\n## ', at + FLEET_HEADING.length) : -1;
  const next =
    at >= 0
      ? current.slice(0, at) + section + (after >= 0 ? current.slice(after + 1) : '')
      : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(path, next);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const section = await fleetSynth();
  writeFleetSection(section);
  process.stdout.write(section);
}
