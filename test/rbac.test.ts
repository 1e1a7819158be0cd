import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../lambda/config.js';
import { OPERATOR_PRESETS } from '../lambda/presets.js';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface RbacObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string }[];
}

const objects = parseAllDocuments(readFileSync('k8s/checker-rbac.yaml', 'utf8')).map(
  (d) => d.toJSON() as RbacObject,
);
const rules = objects.flatMap((o) => (o.rules ?? []).map((rule) => ({ owner: o, rule })));
const READ_VERBS = ['get', 'list'];

/** Every (group, resource, verb) the manifest grants. */
const grants = rules.flatMap(({ owner, rule }) =>
  (rule.apiGroups ?? []).flatMap((group) =>
    (rule.resources ?? []).flatMap((resource) =>
      rule.verbs.map((verb) => ({ group, resource, verb, namespace: owner.metadata.namespace })),
    ),
  ),
);
const can = (group: string, resource: string, verb: string) =>
  grants.some((g) => g.group === group && g.resource === resource && g.verb === verb);

describe('k8s/checker-rbac.yaml', () => {
  it('is read-only: get and list, and create only on SubjectAccessReviews', () => {
    for (const g of grants) {
      if (g.resource === 'subjectaccessreviews')
        expect(g).toMatchObject({ group: 'authorization.k8s.io', verb: 'create' });
      else expect(READ_VERBS).toContain(g.verb);
    }
    for (const { rule } of rules) {
      expect(rule.verbs).not.toContain('*');
      expect(rule.resources ?? []).not.toContain('*');
      expect(rule.apiGroups ?? []).not.toContain('*');
      if (rule.nonResourceURLs) expect(rule.verbs).toEqual(['get']);
    }
  });

  it('can never read Secrets (nor anything that would reveal them)', () => {
    const resources = grants.map((g) => g.resource);
    expect(resources).not.toContain('secrets');
    expect(resources).not.toContain('serviceaccounts/token');
    expect(grants.some((g) => ['impersonate', 'escalate', 'bind', 'watch'].includes(g.verb))).toBe(false);
    // The proxies are confined to the namespaces where the operator and Prometheus run.
    for (const g of grants.filter((g) => g.resource.endsWith('/proxy'))) {
      expect(g.namespace, `${g.resource} must be granted in a namespace, not cluster-wide`).toBeDefined();
    }
  });

  it("covers exactly what the runbook's checks read", () => {
    for (const resource of ['pods', 'events', 'nodes', 'namespaces', 'resourcequotas']) {
      expect(can('', resource, 'list'), resource).toBe(true);
    }
    expect(can('', 'pods/log', 'get')).toBe(true);
    expect(can('apps', 'deployments', 'list')).toBe(true);
    expect(can('apps', 'replicasets', 'list')).toBe(true);
    expect(can('networking.k8s.io', 'networkpolicies', 'list')).toBe(true);
    expect(can('metrics.k8s.io', 'pods', 'list')).toBe(true);
    expect(can('metrics.k8s.io', 'nodes', 'list')).toBe(true);
    expect(can('authorization.k8s.io', 'subjectaccessreviews', 'create')).toBe(true);
    expect(can('', 'pods/proxy', 'get')).toBe(true);
    expect(can('', 'services/proxy', 'get')).toBe(true);
    for (const preset of Object.values(OPERATOR_PRESETS)) {
      for (const crd of [preset.crds.tenant, preset.crds.registry, preset.crds.template]) {
        expect(can(preset.crds.group, crd.plural, 'list'), `${crd.plural}.${preset.crds.group}`).toBe(true);
      }
    }
    const urls = rules.flatMap(({ rule }) => rule.nonResourceURLs ?? []);
    expect(urls).toEqual(expect.arrayContaining(['/livez', '/readyz', '/healthz', '/metrics']));
  });

  it("binds the operator's metrics-reader rule (get /metrics) to the checker's group, for the pods' secure endpoint", () => {
    const role = objects.find(
      (o) => o.kind === 'ClusterRole' && o.metadata.name === 'tenant-checker-metrics-reader',
    );
    expect(role?.rules).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    const binding = objects.find(
      (o) => o.kind === 'ClusterRoleBinding' && o.roleRef?.name === 'tenant-checker-metrics-reader',
    );
    expect(binding?.subjects?.[0]?.name).toBe('tenant-checker-readers');
  });

  it("binds the group the stack's access entry maps the role to, in the operator's namespace", () => {
    const { kubernetesGroup, operator } = parseConfig({
      clusters: [{ name: 'p', region: 'eu-west-1', metrics: { source: 'scrape' } }],
    });
    const bindings = objects.filter((o) => o.kind.endsWith('Binding'));
    expect(bindings.length).toBeGreaterThan(0);
    for (const binding of bindings) {
      expect(binding.subjects).toEqual([
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: kubernetesGroup },
      ]);
      const role = objects.find(
        (o) => o.kind === binding.roleRef?.kind && o.metadata.name === binding.roleRef?.name,
      );
      expect(role, `${binding.metadata.name} refers to a role in the manifest`).toBeDefined();
    }
    const operatorMetrics = objects.find(
      (o) => o.kind === 'Role' && o.rules?.some((r) => r.resources?.includes('pods/proxy')),
    );
    expect(operatorMetrics?.metadata.namespace).toBe(operator.namespace);
  });
});
