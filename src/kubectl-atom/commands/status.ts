// kubectl atom status [NAME] [-A] [-o json|yaml]
import { warnUnreadable } from '../atoms-client.js';
import { type CommandSpec, outputOption } from '../command.js';
import { EXIT } from '../errors.js';
import { outputFormat, serialise } from '../output.js';
import { formatStatusTable, statusDocument, statusRow } from '../status-view.js';

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'The fleet at a glance: readiness, versions, rollout state and certificate expiry of each Atom.',
  args: '[NAME]',
  description:
    'Lists the Atoms of the namespace (or one Atom, or all with -A). The exit code is 3 when any Atom shown is ' +
    'Degraded or cannot be read (a warning names it), so scripts and CI can gate on the fleet being healthy; 1 on errors.',
  examples: ['kubectl atom status -A', 'kubectl atom status atom-sample -n default -o yaml'],
  options: { output: outputOption },
  allNamespaces: true,
  minArgs: 0,
  maxArgs: 1,
  async run({ flags, positionals, io, connect }) {
    const format = outputFormat(flags.output);
    const { client, namespace } = connect();
    const [name] = positionals;
    const listed =
      name !== undefined
        ? { atoms: [await client.getAtom(namespace ?? 'default', name)], unreadable: [] }
        : await client.listAtoms(namespace);
    const unreadable = warnUnreadable(listed.unreadable, io.err);
    const rows = listed.atoms.map(statusRow);
    if (format !== 'table') io.out(serialise(statusDocument(rows), format));
    else if (rows.length === 0 && unreadable === 0)
      io.out(namespace === undefined ? 'No Atoms found.\n' : `No Atoms found in namespace ${namespace}.\n`);
    else io.out(formatStatusTable(rows, io.now(), namespace === undefined));
    const degraded = rows.filter((row) => row.degraded);
    if (degraded.length > 0 && format === 'table')
      io.err(`${degraded.length} Atom(s) Degraded; see why with: kubectl atom why NAME -n NAMESPACE\n`);
    return degraded.length > 0 || unreadable > 0 ? EXIT.unhealthy : EXIT.ok;
  },
};
