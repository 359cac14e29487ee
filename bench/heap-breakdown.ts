// npx tsx bench/heap-breakdown.ts FILE.heapsnapshot --atoms=N
// What holds the operator's heap, from a snapshot taken by `npm run bench -- --heap-snapshot`:
// retained size by holder (each informer's cache by resource, the poller, the parse cache,
// the work queue, metrics...), the cached Kubernetes objects by kind and, for Atoms, by field;
// everything divided by the number of Atoms. Run it with a large heap (--max-old-space-size).
import { parseArgs } from 'node:util';
import { HeapGraph } from './heap-graph.js';

/** Objects of these classes hold state on purpose; each is reported with what it retains. */
const HOLDERS = [
  'Informer',
  'ReferencedObjects',
  'ReleasePoller',
  'ParseCache',
  'WorkQueue',
  'Controller',
  'FleetView',
  'AtomReconciler',
  'Registry',
  'EventRecorder',
  'KubeClient',
  'KubeApi',
  'Manager',
  'LeaderElector',
];
const KINDS = [
  'Atom',
  'Pod',
  'PersistentVolumeClaim',
  'NetworkPolicy',
  'ServiceAccount',
  'Secret',
  'PartialObjectMetadata',
];

const kib = (bytes: number) => Math.round(bytes / 1024);
const perAtom = (bytes: number, atoms: number) => (atoms > 0 ? Math.round(bytes / atoms) : 0);

function informerLabel(g: HeapGraph, node: number): string {
  const type = g.property(node, 'type');
  const plural = type === undefined ? undefined : g.property(type, 'plural');
  return plural === undefined ? 'Informer' : `Informer ${g.name(plural)}`;
}

/** The nearest holder above `node` in the dominator tree, or undefined. */
function holderOf(g: HeapGraph, node: number, holders: Map<number, string>): string | undefined {
  for (let v = g.idom[node] ?? -1, steps = 0; v > 0 && steps < 10_000; v = g.idom[v] ?? -1, steps += 1) {
    const label = holders.get(v);
    if (label) return label;
  }
  return undefined;
}

export function heapBreakdown(path: string, atoms: number): string {
  const g = new HeapGraph(path);
  const lines: string[] = [];
  const total = g.retained[0] ?? 0;
  lines.push(`heap reachable: ${kib(total)} KiB (${perAtom(total, atoms)} B per Atom at N=${atoms})`);

  const holders = new Map<number, string>();
  for (let v = 0; v < g.count; v += 1) {
    if (g.type(v) !== 'object') continue;
    const name = g.name(v);
    if (HOLDERS.includes(name)) holders.set(v, name === 'Informer' ? informerLabel(g, v) : name);
  }
  // Each holder counts what it retains except what a holder inside it retains (reported on its own line).
  const byHolder = new Map<string, { count: number; bytes: number }>();
  for (const [v, label] of holders) {
    const inner = holderOf(g, v, holders);
    const row = byHolder.get(label) ?? { count: 0, bytes: 0 };
    row.count += 1;
    row.bytes += g.retained[v] ?? 0;
    byHolder.set(label, row);
    if (inner) {
      const outer = byHolder.get(inner) ?? { count: 0, bytes: 0 };
      outer.bytes -= g.retained[v] ?? 0;
      byHolder.set(inner, outer);
    }
  }
  lines.push('', 'retained by holder (KiB, bytes per Atom, instances):');
  for (const [label, row] of [...byHolder].sort((a, b) => b[1].bytes - a[1].bytes)) {
    lines.push(
      `  ${label.padEnd(36)} ${String(kib(row.bytes)).padStart(9)} ${String(perAtom(row.bytes, atoms)).padStart(7)}  x${row.count}`,
    );
  }

  // Cached objects by kind, and each Atom's retained size by field.
  const kinds = new Map<string, { count: number; bytes: number; holders: Map<string, number> }>();
  const fieldsByKind = new Map<string, Map<string, number>>();
  for (let v = 0; v < g.count; v += 1) {
    if (g.type(v) !== 'object') continue;
    const kindNode = g.property(v, 'kind');
    if (kindNode === undefined) continue;
    const kind = g.name(kindNode);
    if (!KINDS.includes(kind) || g.property(v, 'metadata') === undefined) continue;
    const row = kinds.get(kind) ?? { count: 0, bytes: 0, holders: new Map<string, number>() };
    row.count += 1;
    row.bytes += g.retained[v] ?? 0;
    const holder = holderOf(g, v, holders) ?? '(no holder)';
    row.holders.set(holder, (row.holders.get(holder) ?? 0) + 1);
    kinds.set(kind, row);
    const fields = fieldsByKind.get(kind) ?? new Map<string, number>();
    fieldsByKind.set(kind, fields);
    for (const [type, field, to] of g.edges(v)) {
      if (type !== 'property' || g.idom[to] !== v) continue;
      fields.set(field, (fields.get(field) ?? 0) + (g.retained[to] ?? 0));
      for (const [t2, sub, to2] of g.edges(to)) {
        if (t2 === 'property' && g.idom[to2] === to) {
          const key = `${field}.${sub}`;
          fields.set(key, (fields.get(key) ?? 0) + (g.retained[to2] ?? 0));
        }
      }
    }
  }
  lines.push('', 'Kubernetes objects by kind (count, KiB, bytes each, held by):');
  for (const [kind, row] of [...kinds].sort((a, b) => b[1].bytes - a[1].bytes)) {
    const where = [...row.holders].map(([h, c]) => `${h} ${c}`).join(', ');
    lines.push(
      `  ${kind.padEnd(24)} ${String(row.count).padStart(6)} ${String(kib(row.bytes)).padStart(8)} ${String(Math.round(row.bytes / row.count)).padStart(6)}  ${where}`,
    );
  }
  for (const [kind, row] of [...kinds].sort((a, b) => b[1].bytes - a[1].bytes)) {
    const top = [...(fieldsByKind.get(kind) ?? [])].sort((a, b) => b[1] - a[1]).slice(0, kind === 'Atom' ? 16 : 8);
    lines.push('', `${kind} objects by field (bytes per object, over ${row.count}):`);
    for (const [field, bytes] of top) {
      lines.push(`  ${field.padEnd(36)} ${String(Math.round(bytes / row.count)).padStart(7)}`);
    }
  }

  // Self size by constructor: where the bytes are, whoever holds them.
  const bySelf = new Map<string, number>();
  for (let v = 0; v < g.count; v += 1) {
    if (g.idom[v] === -1) continue;
    const key = g.type(v) === 'object' ? g.name(v) : `(${g.type(v)})`;
    bySelf.set(key, (bySelf.get(key) ?? 0) + (g.selfSize[v] ?? 0));
  }
  lines.push('', 'self size by constructor or type, top 15 (KiB, bytes per Atom):');
  for (const [name, bytes] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    lines.push(
      `  ${name.slice(0, 40).padEnd(40)} ${String(kib(bytes)).padStart(9)} ${String(perAtom(bytes, atoms)).padStart(7)}`,
    );
  }
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { atoms: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  const atoms = Number(values.atoms ?? '0');
  if (!file || !Number.isInteger(atoms) || atoms < 0) {
    process.stderr.write('usage: tsx bench/heap-breakdown.ts FILE.heapsnapshot --atoms=N\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`${heapBreakdown(file, atoms)}\n`);
  }
}
