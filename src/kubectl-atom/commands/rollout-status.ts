// kubectl atom rollout status [--watch] [--scope Cluster|Namespace] [-A] [-o json|yaml]
import { warnUnreadable } from '../atoms-client.js';
import { type CommandSpec, outputOption } from '../command.js';
import { EXIT, PluginError } from '../errors.js';
import { outputFormat, serialise } from '../output.js';
import { formatRollouts } from '../rollout-format.js';
import { detectScope, type FleetScope, fleetRollouts, rolloutsSettled, type ScopeRollout } from '../rollout-view.js';
import { parseSpan } from '../time.js';

function scopeFlag(value: string | boolean | undefined): FleetScope | undefined {
  if (value === undefined) return undefined;
  if (value === 'Cluster' || value === 'Namespace') return value;
  throw new PluginError(
    'USAGE',
    `--scope must be Cluster or Namespace (the operator's fleet.scope), not "${String(value)}".`,
  );
}

export const rolloutStatusCommand: CommandSpec = {
  name: 'rollout status',
  summary: 'Rollouts of advertised versions per fleet scope: waves, Atoms in flight, failures, halts.',
  args: '',
  description:
    'For every version the platform advertises, per scope (the whole cluster, or each namespace when the operator ' +
    "runs with fleet.scope Namespace; detected from the operator's messages unless --scope says): how many " +
    'following Atoms run it, each wave done, in progress or pending, the Atoms updating now, those that failed it, ' +
    'whether the rollout is halted and why. Derived from the Atoms, as the operator plans it. Without -n or -A ' +
    'it looks at all namespaces. With --watch it prints again on every change until each rollout is complete or ' +
    'halted. The exit code is 3 when a rollout is halted (a person must act), else 0.',
  examples: [
    'kubectl atom rollout status',
    'kubectl atom rollout status --watch',
    'kubectl atom rollout status -n atoms-eu -o json',
  ],
  options: {
    watch: {
      type: 'boolean',
      short: 'w',
      description: 'Keep printing changes until every rollout is complete or halted.',
    },
    interval: { type: 'string', value: 'DURATION', description: 'How often --watch reads the Atoms (default 2s).' },
    scope: { type: 'string', value: 'SCOPE', description: "Cluster or Namespace: the operator's fleet.scope." },
    output: outputOption,
  },
  allNamespaces: true,
  minArgs: 0,
  maxArgs: 0,
  async run({ flags, io, connect }) {
    const format = outputFormat(flags.output);
    const forcedScope = scopeFlag(flags.scope);
    const interval = flags.interval === undefined ? 2_000 : parseSpan(String(flags.interval));
    if (interval === undefined || interval < 100)
      throw new PluginError(
        'USAGE',
        `--interval must be a duration of at least 100ms, such as 2s, not "${String(flags.interval)}".`,
      );
    const { client, namespace } = connect();
    // The fleet is planned across namespaces; only an explicit -n narrows the view.
    const ns = flags.namespace ? namespace : undefined;
    let unreadable = 0;
    const warned = new Set<string>();
    const read = async (): Promise<ScopeRollout[]> => {
      const listed = await client.listAtoms(ns);
      const fresh = listed.unreadable.filter((bad) => !warned.has(`${bad.namespace}/${bad.name}`));
      for (const bad of fresh) warned.add(`${bad.namespace}/${bad.name}`);
      warnUnreadable(fresh, io.err);
      unreadable = listed.unreadable.length;
      return fleetRollouts(listed.atoms, forcedScope ?? detectScope(listed.atoms));
    };
    const render = (rollouts: ScopeRollout[]) =>
      format === 'table'
        ? formatRollouts(rollouts)
        : serialise({ kind: 'AtomRolloutStatus', scopes: rollouts }, format);
    let rollouts = await read();
    let last = render(rollouts);
    io.out(last);
    if (flags.watch) {
      while (!rolloutsSettled(rollouts) && !io.signal.aborted) {
        await io.sleep(interval, io.signal);
        if (io.signal.aborted) break;
        rollouts = await read();
        const text = render(rollouts);
        if (text !== last) io.out(`${format === 'table' ? '\n' : ''}${text}`);
        last = text;
      }
    }
    return rollouts.some((r) => r.halted) || unreadable > 0 ? EXIT.unhealthy : EXIT.ok;
  },
};
