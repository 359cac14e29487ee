// --help texts, generated from the command specs so help and behaviour cannot drift apart.
import type { CommandSpec, OptionSpec } from './command.js';

export const globalOptions: Readonly<Record<string, OptionSpec>> = {
  kubeconfig: {
    type: 'string',
    value: 'FILE',
    description: 'Path to the kubeconfig (default KUBECONFIG, else ~/.kube/config).',
  },
  context: { type: 'string', value: 'NAME', description: 'The kubeconfig context to use.' },
  namespace: { type: 'string', short: 'n', value: 'NAMESPACE', description: "The namespace (default: the context's)." },
  help: { type: 'boolean', short: 'h', description: 'Show this help.' },
};

export const allNamespacesOption: OptionSpec = {
  type: 'boolean',
  short: 'A',
  description: 'Across all namespaces.',
};

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}${description}`);
}

function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const own = { ...spec.options, ...(spec.allNamespaces ? { 'all-namespaces': allNamespacesOption } : {}) };
  return [
    spec.summary,
    '',
    'Usage:',
    `  kubectl atom ${spec.name}${spec.args ? ` ${spec.args}` : ''} [flags]`,
    '',
    wrap(spec.description),
    '',
    'Examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
    ...(Object.keys(own).length > 0 ? ['Flags:', ...optionLines(own), ''] : []),
    'Global flags:',
    ...optionLines(globalOptions),
    '',
  ].join('\n');
}

export function pluginHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 3;
  return [
    'kubectl atom: the Atom fleet at a glance, approvals and halts without editing YAML.',
    '',
    'Usage:',
    '  kubectl atom COMMAND [args] [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global flags:',
    ...optionLines(globalOptions),
    '',
    'Run "kubectl atom COMMAND --help" for the flags of a command. Exit codes: 0 fine, 1 error, 2 wrong usage,',
    '3 the fleet needs attention (status: an Atom is Degraded; rollout status: a rollout is halted).',
    '',
  ].join('\n');
}
