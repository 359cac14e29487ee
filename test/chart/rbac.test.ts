// The chart grants exactly the rules listed in src/rbac/rules.ts: cluster-wide or per watched
// namespace for where Atoms live, and in the release namespace for the operator's own needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rbacRulesTemplate, rbacTemplatePath, securityDoc, securityDocPath } from '../../hack/generate-rbac.js';
import { rulesFor, type RuleFeature } from '../../src/rbac/rules.js';
import { releaseNamespace, render, repoRoot, scenarioList, scenarios, type Manifest } from './helm.js';

interface RenderedRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type Bound = Manifest & {
  rules?: RenderedRule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
};

const strip = (
  rules: { apiGroups: readonly string[]; resources: readonly string[]; verbs: readonly string[] }[],
): RenderedRule[] =>
  rules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));

function features(values: Record<string, unknown>): Set<RuleFeature> {
  const on = new Set<RuleFeature>();
  const leader = values.leaderElection as { enabled?: boolean } | undefined;
  if (leader?.enabled !== false) on.add('leaderElection');
  return on;
}

/** The ClusterRoles for people (aggregated into view/edit/admin, see aggregate-roles.test.ts), not the operator's. */
const aggregated = (o: Manifest) =>
  Object.keys((o.metadata as { labels?: Record<string, string> }).labels ?? {}).some((k) =>
    k.startsWith('rbac.authorization.k8s.io/aggregate-to-'),
  );

describe.each(scenarioList)('RBAC with %s values', (_name, values) => {
  const objects = (render(values) as Bound[]).filter((o) => !aggregated(o));
  const watched = (values.watchNamespaces as string[] | undefined) ?? [];
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

  it('grants the cluster-scope rules where Atoms live, and only there', () => {
    const expected = strip(rulesFor('cluster'));
    if (watched.length === 0) {
      expect(byKind('ClusterRole').map((r) => r.rules)).toEqual([expected]);
      expect(byKind('Role').filter((r) => r.metadata.namespace !== releaseNamespace)).toEqual([]);
    } else {
      expect(byKind('ClusterRole')).toEqual([]);
      expect(byKind('ClusterRoleBinding')).toEqual([]);
      const perNamespace = byKind('Role').filter((r) => !r.metadata.name.endsWith('-self'));
      expect(perNamespace.map((r) => r.metadata.namespace)).toEqual(watched);
      for (const role of perNamespace) expect(role.rules).toEqual(expected);
    }
  });

  it('grants the operator-namespace rules in the release namespace, gated by their features', () => {
    const expected = strip(rulesFor('operator-namespace', features(values)));
    const self = byKind('Role').filter((r) => r.metadata.name.endsWith('-self'));
    if (expected.length === 0) {
      expect(self).toEqual([]);
    } else {
      expect(self.map((r) => [r.metadata.namespace, r.rules])).toEqual([[releaseNamespace, expected]]);
    }
  });

  it('binds every role to the operator ServiceAccount, and nothing else', () => {
    const sa = objects.find((o) => o.kind === 'ServiceAccount');
    const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
    expect(bindings).toHaveLength(roles.length);
    for (const b of bindings) {
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: sa?.metadata.name, namespace: releaseNamespace }]);
      const role = roles.find(
        (r) =>
          r.kind === b.roleRef?.kind &&
          r.metadata.name === b.roleRef.name &&
          r.metadata.namespace === b.metadata.namespace,
      );
      expect(
        role,
        `${b.kind} ${b.metadata.namespace ?? ''}/${b.metadata.name} refers to a role the chart renders`,
      ).toBeDefined();
    }
  });

  it('never grants wildcards, escalation verbs or write access to Secrets', () => {
    for (const role of objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
      for (const rule of role.rules ?? []) {
        expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
        expect(rule.verbs.some((v) => ['bind', 'impersonate', 'escalate'].includes(v))).toBe(false);
        if (rule.resources.includes('secrets')) expect(rule.verbs).toEqual(['get', 'list', 'watch']);
      }
    }
  });
});

it('the chart does not grant leader election rights when leader election is off', () => {
  const objects = render(scenarios.single) as Bound[];
  expect(objects.flatMap((o) => o.rules ?? []).some((r) => r.resources.includes('leases'))).toBe(false);
});

it(`${rbacTemplatePath} is what hack/generate-rbac.ts renders from src/rbac/rules.ts`, () => {
  const onDisk = readFileSync(join(repoRoot, rbacTemplatePath), 'utf8');
  expect(onDisk, 'stale: run `npx tsx hack/generate-rbac.ts`').toBe(rbacRulesTemplate());
});

it(`${securityDocPath} lists every rule of src/rbac/rules.ts with its reason`, () => {
  const onDisk = readFileSync(join(repoRoot, securityDocPath), 'utf8');
  expect(onDisk, 'stale: run `npx tsx hack/generate-rbac.ts`').toBe(securityDoc(onDisk));
});
