// kubectl atom certs [-A] [--expiring 30d] [-o json|yaml]
import { warnUnreadable } from '../atoms-client.js';
import { type CommandSpec, outputOption } from '../command.js';
import { EXIT, PluginError } from '../errors.js';
import { certificateRows, formatCertificates } from '../certs-view.js';
import { outputFormat, serialise } from '../output.js';
import { parseSpan } from '../time.js';

export const certsCommand: CommandSpec = {
  name: 'certs',
  summary: 'Registration certificates of the Atoms with their expiry, soonest first.',
  args: '',
  description:
    'Shows what the operator read from each registration Secret (status.certificate: never the key): expiry, ' +
    'subject and the CertificateValid reason. --expiring keeps those that expire within the span (expired ones ' +
    'included). The Secrets themselves are not read, so no RBAC on Secrets is needed.',
  examples: ['kubectl atom certs -A', 'kubectl atom certs -A --expiring 30d'],
  options: {
    expiring: { type: 'string', value: 'SPAN', description: 'Only certificates expiring within SPAN: 30d, 2w, 12h.' },
    output: outputOption,
  },
  allNamespaces: true,
  minArgs: 0,
  maxArgs: 0,
  async run({ flags, io, connect }) {
    const format = outputFormat(flags.output);
    let within: number | undefined;
    if (flags.expiring !== undefined) {
      within = parseSpan(String(flags.expiring));
      if (within === undefined)
        throw new PluginError(
          'USAGE',
          `--expiring takes a span such as 30d, 2w or 12h, not "${String(flags.expiring)}".`,
        );
    }
    const { client, namespace } = connect();
    const now = io.now();
    const listed = await client.listAtoms(namespace);
    const unreadable = warnUnreadable(listed.unreadable, io.err);
    const rows = certificateRows(listed.atoms, now, within);
    if (format !== 'table') io.out(serialise({ kind: 'AtomCertificateList', items: rows }, format));
    else if (rows.length === 0)
      io.out(
        within === undefined
          ? 'No Atoms found.\n'
          : `No registration certificate expires within ${String(flags.expiring)}.\n`,
      );
    else io.out(formatCertificates(rows, now, namespace === undefined));
    // An Atom that cannot be read may hold the certificate that expires first.
    return unreadable > 0 ? EXIT.unhealthy : EXIT.ok;
  },
};
