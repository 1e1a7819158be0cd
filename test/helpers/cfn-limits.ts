/**
 * CloudFormation's and IAM's limits, measured on a synthesized cloud assembly: every template (the
 * parent and its nested stacks) by resources, bytes, outputs and parameters, and the checker's IAM
 * policies by their size once deployed (intrinsics resolved to their longest plausible values).
 * Used by the fleet synth test (test/fleet-synth.test.ts), which asserts them, and by the bench, which reports them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LIMITS = {
  resources: 500,
  templateBytes: 1_000_000,
  outputs: 200,
  parameters: 200,
  /** All inline policies of one role together, whitespace not counted. */
  roleInlineCharacters: 10_240,
  managedPolicyCharacters: 6_144,
  managedPoliciesPerRole: 10,
} as const;

export interface TemplateMeasure {
  file: string;
  resources: number;
  bytes: number;
  outputs: number;
  parameters: number;
}

interface Template {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
}

/** The templates of an assembly directory: the stacks' and their nested stacks'. */
export function readTemplates(outdir: string): { file: string; template: Template; text: string }[] {
  return readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(outdir, file), 'utf8');
      return { file, template: JSON.parse(text) as Template, text };
    });
}

export function measureTemplates(outdir: string): TemplateMeasure[] {
  return readTemplates(outdir).map(({ file, template, text }) => ({
    file,
    resources: Object.keys(template.Resources ?? {}).length,
    bytes: Buffer.byteLength(text),
    outputs: Object.keys(template.Outputs ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
  }));
}

/** A value as deployed, at its longest: pseudo parameters by their longest value, other references by an ARN's length. */
function resolveLongest(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveLongest);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Ref' in o) {
      const ref = String(o.Ref);
      if (ref === 'AWS::Partition') return 'aws-iso-b';
      if (ref === 'AWS::AccountId') return '123456789012';
      if (ref === 'AWS::Region') return 'ap-southeast-2';
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com.cn';
      return 'x'.repeat(128);
    }
    if ('Fn::GetAtt' in o) return 'x'.repeat(128);
    if ('Fn::Join' in o) {
      const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
      return (resolveLongest(parts) as unknown[]).map(String).join(separator);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolveLongest(v)]));
  }
  return value;
}

/** Characters IAM counts: the resolved document without whitespace. */
export function policyCharacters(document: unknown): number {
  return JSON.stringify(resolveLongest(document)).length;
}

export interface RolePolicies {
  /** The role's logical id, or the parameter a nested stack refers to it by. */
  role: string;
  inlineCharacters: number;
  managed: number[];
}

/**
 * Per role of the parent stack: the size of its inline policies together (AWS::IAM::Policy resources
 * naming it, in any template) and of each managed policy attached to it. A nested stack names a
 * parent role through a parameter whose name starts with the role's logical id.
 */
export function rolePolicies(outdir: string): RolePolicies[] {
  const templates = readTemplates(outdir);
  const roles = new Map<string, RolePolicies>();
  // A nested stack's parameter → what its parent passes (the parent's AWS::CloudFormation::Stack).
  // The nested templates are file assets: their TemplateURL ends in the asset's hash.
  const assetFiles = new Map<string, string>();
  for (const manifest of readdirSync(outdir).filter((f) => f.endsWith('.assets.json'))) {
    const { files } = JSON.parse(readFileSync(join(outdir, manifest), 'utf8')) as {
      files?: Record<string, { source: { path: string } }>;
    };
    for (const [hash, asset] of Object.entries(files ?? {})) assetFiles.set(hash, asset.source.path);
  }
  const passed = new Map<string, Record<string, unknown>>();
  for (const { template } of templates)
    for (const [id, r] of Object.entries(template.Resources ?? {})) {
      if (r.Type === 'AWS::IAM::Role') roles.set(id, { role: id, inlineCharacters: 0, managed: [] });
      if (r.Type !== 'AWS::CloudFormation::Stack') continue;
      const hash = /([0-9a-f]{64})\.json/.exec(JSON.stringify(r.Properties?.TemplateURL))?.[1] ?? '';
      const file = assetFiles.get(hash);
      if (file) passed.set(file, (r.Properties?.Parameters as Record<string, unknown>) ?? {});
    }
  const roleOf = (ref: unknown, file: string): RolePolicies | undefined => {
    const name = (ref as { Ref?: string }).Ref;
    if (!name) return undefined;
    return roles.get(name) ?? roleOf(passed.get(file)?.[name] ?? {}, '');
  };
  for (const { file, template } of templates)
    for (const r of Object.values(template.Resources ?? {})) {
      const document = r.Properties?.PolicyDocument;
      const attached = (r.Properties?.Roles as unknown[] | undefined) ?? [];
      for (const ref of attached) {
        const role = roleOf(ref, file);
        if (!role) continue;
        if (r.Type === 'AWS::IAM::Policy') role.inlineCharacters += policyCharacters(document);
        if (r.Type === 'AWS::IAM::ManagedPolicy') role.managed.push(policyCharacters(document));
      }
    }
  return [...roles.values()];
}

/** Every limit a measured assembly breaks, as readable lines (empty: within all of them). */
export function brokenLimits(outdir: string): string[] {
  const broken: string[] = [];
  for (const t of measureTemplates(outdir)) {
    if (t.resources > LIMITS.resources) broken.push(`${t.file}: ${t.resources} resources`);
    if (t.bytes > LIMITS.templateBytes) broken.push(`${t.file}: ${t.bytes} bytes`);
    if (t.outputs > LIMITS.outputs) broken.push(`${t.file}: ${t.outputs} outputs`);
    if (t.parameters > LIMITS.parameters) broken.push(`${t.file}: ${t.parameters} parameters`);
  }
  for (const r of rolePolicies(outdir)) {
    if (r.inlineCharacters > LIMITS.roleInlineCharacters)
      broken.push(`role ${r.role}: inline policies of ${r.inlineCharacters} characters`);
    if (r.managed.length > LIMITS.managedPoliciesPerRole)
      broken.push(`role ${r.role}: ${r.managed.length} managed policies`);
    for (const size of r.managed)
      if (size > LIMITS.managedPolicyCharacters)
        broken.push(`role ${r.role}: a managed policy of ${size} characters`);
  }
  return broken;
}

/** The fleet's second account: its clusters are read through this role (config `accounts`). */
export const FLEET_MEMBER = {
  account: '222233334444',
  roleArn: 'arn:aws:iam::222233334444:role/tenant-checker/tenant-checker-access',
  externalId: 'tenant-checker-fleet',
} as const;

/**
 * A fleet's config: `count` clusters in three regions and two accounts. Even clusters are the
 * deployment's own (those of the stack's region get access entries; the others are created there,
 * createAccessEntry false); odd ones are in the member account, read through its role. Metrics: half
 * from AMP, a quarter from the operator pods, a quarter from an in-cluster Prometheus.
 */
export function fleetDocument(count: number) {
  const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
  const metrics = (i: number) =>
    i % 4 < 2
      ? { source: 'amp', workspaceId: `ws-${String(i).padStart(8, '0')}-abcd-ef01-2345-6789abcdef01` }
      : i % 4 === 2
        ? { source: 'pods' }
        : { source: 'prometheus' };
  return {
    region: 'eu-west-1',
    // The pods source reads the operator pods from inside the VPC.
    vpc: {
      vpcId: 'vpc-0f1e2d3c4b5a69788',
      subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b1c2d3e4f5a60718'],
    },
    accounts: {
      [FLEET_MEMBER.account]: { roleArn: FLEET_MEMBER.roleArn, externalId: FLEET_MEMBER.externalId },
    },
    clusters: Array.from({ length: count }, (_, i) => {
      const region = regions[i % regions.length] as string;
      const member = i % 2 === 1;
      return {
        name: `fleet-${region}-${String(i).padStart(3, '0')}`,
        region,
        ...(member ? { account: FLEET_MEMBER.account } : {}),
        ...(region === 'eu-west-1' || member ? {} : { createAccessEntry: false }),
        metrics: metrics(i),
      };
    }),
  };
}
