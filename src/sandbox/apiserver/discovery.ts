// Discovery documents (/api, /apis, /api/v1, /apis/{g}/{v}) and /version, built
// from the registry so CRDs appear as soon as they are served.
import { apiVersionOf, type ResourceRegistry, type ResourceType } from './resource-types.js';

export const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T17:59:15Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function coreVersions(address: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }],
  };
}

function groupEntry(name: string, versions: string[]): unknown {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function groupList(registry: ResourceRegistry): unknown {
  const groups = [...registry.groupVersions()]
    .filter(([g]) => g !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([g, versions]) => groupEntry(g, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function group(registry: ResourceRegistry, name: string): unknown | undefined {
  const versions = registry.groupVersions().get(name);
  if (!versions || name === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...(groupEntry(name, versions) as object) };
}

function resourceEntries(t: ResourceType): unknown[] {
  const main: Record<string, unknown> = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.kind.endsWith('Review')
      ? ['create']
      : t.storeKey === '/namespaces'
        ? allVerbs.filter((v) => v !== 'deletecollection')
        : allVerbs,
  };
  if (t.shortNames.length > 0) main.shortNames = t.shortNames;
  if (t.categories.length > 0) main.categories = t.categories;
  const out: unknown[] = [main];
  if (t.hasStatus)
    out.push({
      name: `${t.plural}/status`,
      singularName: '',
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['get', 'patch', 'update'],
    });
  return out;
}

export function resourceList(registry: ResourceRegistry, groupName: string, version: string): unknown | undefined {
  const types = registry.all().filter((t) => t.group === groupName && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group: groupName, version }),
    resources: types.sort((a, b) => (a.plural < b.plural ? -1 : 1)).flatMap(resourceEntries),
  };
}
