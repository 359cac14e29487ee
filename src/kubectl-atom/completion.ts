// Shell completion. `completion bash|zsh` prints a script for the `kubectl-atom` command; for
// `kubectl atom` itself kubectl (1.26+) asks the `kubectl_complete-atom` executable on PATH, which
// runs `kubectl-atom __complete`. Both print cobra's format: candidates, then `:4`
// (ShellCompDirectiveNoFileComp), so kubectl understands the answer.
import type { CommandSpec } from './command.js';
import { globalOptions, allNamespacesOption } from './help.js';

export const noFileCompletion = ':4';

const bash = `# bash completion for kubectl-atom. Load it with:  source <(kubectl atom completion bash)
# "kubectl atom <TAB>" also needs kubectl's own completion and kubectl_complete-atom on PATH.
_kubectl_atom() {
  local IFS=$'\\n'
  local out
  out=$(kubectl-atom __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
  COMPREPLY=( $(printf '%s\\n' "$out" | sed '$d') )
}
complete -F _kubectl_atom kubectl-atom
`;

const zsh = `#compdef kubectl-atom
# zsh completion for kubectl-atom. Load it with:  source <(kubectl atom completion zsh)
_kubectl_atom() {
  local -a candidates
  candidates=("\${(@f)$(kubectl-atom __complete "\${(@)words[2,CURRENT]}" 2>/dev/null | sed '$d')}")
  compadd -- \${candidates:#}
}
compdef _kubectl_atom kubectl-atom
`;

export function completionScript(shell: string): string | undefined {
  return shell === 'bash' ? bash : shell === 'zsh' ? zsh : undefined;
}

function flagsOf(spec: CommandSpec | undefined): string[] {
  const options = {
    ...globalOptions,
    ...(spec?.options ?? {}),
    ...(spec?.allNamespaces ? { 'all-namespaces': allNamespacesOption } : {}),
  };
  return Object.keys(options).map((name) => `--${name}`);
}

export interface CompletionRequest {
  /** Words after `kubectl atom`, the last one being the word under the cursor (maybe ''). */
  words: readonly string[];
  commands: readonly CommandSpec[];
}

export type CompletionAnswer = { kind: 'words'; words: string[] } | { kind: 'atoms' };

/** What may come next: fixed words, or "the names of Atoms" that the caller looks up. */
export function completionCandidates({ words, commands }: CompletionRequest): CompletionAnswer {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const fixed = (list: readonly string[]) => ({
    kind: 'words' as const,
    words: list.filter((w) => w.startsWith(current)),
  });
  const names = [...new Set(commands.map((c) => c.name.split(' ')[0] as string))];
  if (before.length === 0) return fixed([...names, 'completion', 'help']);
  const first = before[0] as string;
  if (first === 'completion') return fixed(before.length === 1 ? ['bash', 'zsh'] : []);
  if (first === 'help') return fixed(before.length === 1 ? names : []);
  if (first === 'rollout' && before.length === 1) return fixed(['status']);
  const spec = commands.find((c) => c.name === (first === 'rollout' ? 'rollout status' : first));
  const previous = before.at(-1) ?? '';
  if (previous === '-o' || previous === '--output') return fixed(['json', 'yaml']);
  if (previous === '--scope') return fixed(['Cluster', 'Namespace']);
  if (previous === '--on') return { kind: 'atoms' };
  if (current.startsWith('-')) return fixed(flagsOf(spec));
  const positionalsSoFar = before.slice(first === 'rollout' ? 2 : 1).filter((w, i, all) => {
    if (w.startsWith('-')) return false;
    const flag = all[i - 1];
    return !(flag?.startsWith('-') && !flag.includes('=') && isValueFlag(flag, spec));
  });
  const takesName = spec?.args.startsWith('NAME') || spec?.args === '[NAME]';
  if (takesName && positionalsSoFar.length === 0) return { kind: 'atoms' };
  return fixed([]);
}

function isValueFlag(flag: string, spec: CommandSpec | undefined): boolean {
  const options = { ...globalOptions, ...(spec?.options ?? {}) };
  const name = flag.replace(/^--?/, '');
  return Object.entries(options).some(([long, o]) => (long === name || o.short === name) && o.type === 'string');
}
