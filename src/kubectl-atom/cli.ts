// The plugin's entry logic: find the command, parse its flags, run it, and turn every failure into
// a message and an exit code. No process globals here (main.ts passes them in), so tests can call it.
import { parseArgs } from 'node:util';
import { AtomsClient } from './atoms-client.js';
import type { CommandSpec, Connection, Flags, Io, OptionSpec } from './command.js';
import { approveCommand } from './commands/approve.js';
import { certsCommand } from './commands/certs.js';
import { forgetFailedCommand } from './commands/forget-failed.js';
import { resumeCommand } from './commands/resume.js';
import { rolloutStatusCommand } from './commands/rollout-status.js';
import { statusCommand } from './commands/status.js';
import { whyCommand } from './commands/why.js';
import { completionCandidates, completionScript, noFileCompletion } from './completion.js';
import { EXIT, PluginError } from './errors.js';
import { allNamespacesOption, commandHelp, globalOptions, pluginHelp } from './help.js';
import { loadKubeconfig } from './kubeconfig.js';

export const commands: readonly CommandSpec[] = [
  statusCommand,
  rolloutStatusCommand,
  approveCommand,
  resumeCommand,
  forgetFailedCommand,
  certsCommand,
  whyCommand,
];

const completionCommand: CommandSpec = {
  name: 'completion',
  summary: 'Print a shell completion script: kubectl atom completion bash|zsh.',
  args: 'SHELL',
  description:
    'bash: source <(kubectl atom completion bash); zsh: source <(kubectl atom completion zsh). These complete ' +
    'the kubectl-atom command; "kubectl atom <TAB>" completes through kubectl itself when kubectl_complete-atom ' +
    '(shipped beside kubectl-atom) is on PATH.',
  examples: ['source <(kubectl atom completion bash)', 'source <(kubectl atom completion zsh)'],
  options: {},
  minArgs: 1,
  maxArgs: 1,
  offline: true,
  async run({ positionals, io }) {
    const script = completionScript(positionals[0] ?? '');
    if (!script) throw new PluginError('USAGE', `completion supports bash and zsh, not "${positionals[0]}".`);
    io.out(script);
    return EXIT.ok;
  },
};

const allCommands = [...commands, completionCommand];

function findCommand(argv: readonly string[]): { spec: CommandSpec; rest: string[] } | undefined {
  const [first, second, ...others] = argv;
  if (first === 'rollout') {
    if (second === 'status') return { spec: rolloutStatusCommand, rest: others };
    throw new PluginError(
      'USAGE',
      `unknown rollout command "${second ?? ''}": the one is "kubectl atom rollout status".`,
    );
  }
  const spec = allCommands.find((c) => c.name === first);
  return spec ? { spec, rest: argv.slice(1) } : undefined;
}

function parseFlags(spec: CommandSpec, args: string[]): { flags: Flags; positionals: string[] } {
  const options: Record<string, OptionSpec> = {
    ...globalOptions,
    ...spec.options,
    ...(spec.allNamespaces ? { 'all-namespaces': allNamespacesOption } : {}),
  };
  try {
    const parsed = parseArgs({
      args,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
    return { flags: parsed.values as Flags, positionals: parsed.positionals };
  } catch (err) {
    const message = (err as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message)?.[1];
    // "-n --kubeconfig x": parseArgs will not take a flag as the value; its advice is on a later line.
    const ambiguous = /Option '([^']+)' argument is ambiguous/.exec(message)?.[1];
    const text = unknown
      ? `unknown flag ${unknown} for kubectl atom ${spec.name}`
      : ambiguous
        ? `${ambiguous} needs a value`
        : (message.split('\n')[0] ?? message);
    throw new PluginError('USAGE', `${text} (see kubectl atom ${spec.name} --help).`);
  }
}

async function completeWords(words: string[], io: Io): Promise<string[]> {
  const answer = completionCandidates({ words, commands: allCommands });
  if (answer.kind === 'words') return answer.words;
  // Atom names: best effort with the flags typed so far; no answer beats an error in the shell.
  try {
    const found = findCommand(words);
    const { flags }: { flags: Flags } = found ? parseFlags(found.spec, found.rest.slice(0, -1)) : { flags: {} };
    const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);
    const config = loadKubeconfig(
      { kubeconfig: text(flags.kubeconfig), context: text(flags.context), namespace: text(flags.namespace) },
      io.env,
    );
    const { atoms } = await new AtomsClient(config).listAtoms(config.namespace);
    const current = words.at(-1) ?? '';
    return atoms.map((a) => a.metadata.name).filter((name) => name.startsWith(current));
  } catch {
    return [];
  }
}

export async function runPlugin(argv: readonly string[], io: Io): Promise<number> {
  try {
    if (argv[0] === '__complete') {
      const words = await completeWords(argv.slice(1), io);
      io.out(`${[...words, noFileCompletion].join('\n')}\n`);
      return EXIT.ok;
    }
    if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help') {
      io.out(pluginHelp(allCommands));
      return EXIT.ok;
    }
    if (argv[0] === 'help') {
      const found = argv.length > 1 ? findCommand(argv.slice(1)) : undefined;
      io.out(found ? commandHelp(found.spec) : pluginHelp(allCommands));
      return EXIT.ok;
    }
    const found = findCommand(argv);
    if (!found)
      throw new PluginError(
        'USAGE',
        `unknown command "${argv[0]}". Commands: ${allCommands.map((c) => c.name).join(', ')} (see kubectl atom --help).`,
      );
    const { spec, rest } = found;
    const { flags, positionals } = parseFlags(spec, rest);
    if (flags.help) {
      io.out(commandHelp(spec));
      return EXIT.ok;
    }
    if (positionals.length < spec.minArgs || positionals.length > spec.maxArgs)
      throw new PluginError(
        'USAGE',
        `${spec.name} takes ${spec.args || 'no arguments'}, got ${positionals.length === 0 ? 'none' : `"${positionals.join(' ')}"`}. Usage: kubectl atom ${spec.name}${spec.args ? ` ${spec.args}` : ''} [flags]`,
      );
    if (flags['all-namespaces'] && flags.namespace)
      throw new PluginError('USAGE', '-A and -n exclude each other: choose all namespaces or one.');
    if (flags['all-namespaces'] && positionals.length > 0 && spec.name === 'status')
      throw new PluginError('USAGE', 'an Atom cannot be named across all namespaces: use -n NAMESPACE with NAME.');
    let connection: Connection | undefined;
    const connect = (): Connection => {
      if (!connection) {
        const config = loadKubeconfig(
          {
            kubeconfig: flags.kubeconfig as string | undefined,
            context: flags.context as string | undefined,
            namespace: flags.namespace as string | undefined,
          },
          io.env,
        );
        connection = {
          client: new AtomsClient(config),
          config,
          namespace: flags['all-namespaces'] ? undefined : config.namespace,
        };
      }
      return connection;
    };
    return await spec.run({ flags, positionals, io, connect });
  } catch (err) {
    if (err instanceof PluginError) {
      io.err(`error: ${err.message} [${err.code}]\n`);
      return err.exitCode;
    }
    io.err(`error: ${err instanceof Error ? err.message : String(err)} [INTERNAL]\n`);
    return EXIT.error;
  }
}
