// People get Atom access the Kubernetes way: ClusterRoles labelled to aggregate into the built-in
// view, edit and admin roles. They are bound to nobody and grant the operator nothing.
import { describe, expect, it } from 'vitest';
import { render, scenarios, type Manifest } from './helm.js';

interface Role {
  metadata: { name: string; labels: Record<string, string> };
  rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
}
const aggregateLabel = 'rbac.authorization.k8s.io/aggregate-to-';

function aggregatedRoles(objects: Manifest[]): Role[] {
  return (objects as unknown as (Manifest & Role)[]).filter(
    (o) => o.kind === 'ClusterRole' && Object.keys(o.metadata.labels ?? {}).some((k) => k.startsWith(aggregateLabel)),
  );
}

/** The built-in roles a role folds into, from its labels. */
const aggregatesInto = (role: Role) =>
  Object.entries(role.metadata.labels)
    .filter(([k, v]) => k.startsWith(aggregateLabel) && v === 'true')
    .map(([k]) => k.slice(aggregateLabel.length))
    .sort();

/** Verbs a built-in role gets on a resource once every aggregated role is folded in. */
function verbsOf(roles: Role[], builtIn: string, resource: string): string[] {
  const verbs = roles
    .filter((r) => aggregatesInto(r).includes(builtIn))
    .flatMap((r) => r.rules.filter((rule) => rule.resources.includes(resource)).flatMap((rule) => rule.verbs));
  return [...new Set(verbs)].sort();
}

describe('aggregated ClusterRoles for Atoms', () => {
  const roles = aggregatedRoles(render(scenarios.defaults));

  it('are on by default: a view role folded into view, edit and admin, an edit role into edit and admin', () => {
    expect(roles.map((r) => [r.metadata.name, aggregatesInto(r)])).toEqual([
      ['ops-atom-operator-view', ['admin', 'edit', 'view']],
      ['ops-atom-operator-edit', ['admin', 'edit']],
    ]);
    for (const r of roles) for (const rule of r.rules) expect(rule.apiGroups).toEqual(['atomoperator.io']);
  });

  it('let view read Atoms and their status, edit and admin change Atoms but never their status', () => {
    expect(verbsOf(roles, 'view', 'atoms')).toEqual(['get', 'list', 'watch']);
    expect(verbsOf(roles, 'view', 'atoms/status')).toEqual(['get', 'list', 'watch']);
    const write = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
    expect(verbsOf(roles, 'edit', 'atoms')).toEqual(write);
    expect(verbsOf(roles, 'admin', 'atoms')).toEqual(write);
    for (const builtIn of ['view', 'edit', 'admin'])
      expect(verbsOf(roles, builtIn, 'atoms/status')).toEqual(['get', 'list', 'watch']);
  });

  it('are bound to nobody', () => {
    const objects = render(scenarios.defaults) as unknown as (Manifest & { roleRef?: { name: string } })[];
    const boundNames = objects.filter((o) => o.roleRef).map((o) => o.roleRef?.name);
    for (const r of roles) expect(boundNames).not.toContain(r.metadata.name);
  });

  it('are rendered in namespaced mode too (they follow the user, not the operator), and can be turned off', () => {
    expect(aggregatedRoles(render(scenarios.namespaced))).toHaveLength(2);
    expect(aggregatedRoles(render({ rbac: { aggregateClusterRoles: false } }))).toEqual([]);
  });
});
