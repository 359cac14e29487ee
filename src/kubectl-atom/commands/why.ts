// kubectl atom why NAME: conditions, the last events, and what the troubleshooting doc says.
import type { CommandSpec } from '../command.js';
import { EXIT } from '../errors.js';
import { loadTroubleshooting } from '../troubleshooting.js';
import { formatWhy } from '../why-view.js';

export const whyCommand: CommandSpec = {
  name: 'why',
  summary: 'Why an Atom is in its state: conditions, last events and the troubleshooting entry of each problem.',
  args: 'NAME',
  description:
    'Prints every condition with its reason and message, the newest events about the Atom, and for each ' +
    'condition that is not as it should be (and each Warning event) the matching entry of docs/troubleshooting.md: ' +
    'what it means, what the operator does, and what you can do.',
  examples: ['kubectl atom why fleet-01 -n default'],
  options: {},
  minArgs: 1,
  maxArgs: 1,
  async run({ positionals, io, connect }) {
    const { client, namespace = 'default' } = connect();
    const name = positionals[0] as string;
    const atom = await client.getAtom(namespace, name);
    const events = await client.atomEvents(namespace, name);
    io.out(formatWhy({ atom, events, docs: loadTroubleshooting(), now: io.now() }));
    return EXIT.ok;
  },
};
