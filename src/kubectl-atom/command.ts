// What every command declares (name, flags, arguments, help) and what it is given to run: parsed
// flags, a lazily loaded cluster connection, and the process's outputs, clock and timers.
import type { AtomsClient } from './atoms-client.js';
import type { LoadedKubeconfig } from './kubeconfig.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help: `--version V`. */
  value?: string;
  description: string;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Aborted on Ctrl-C, so --watch ends cleanly. */
  signal: AbortSignal;
}

export interface Connection {
  client: AtomsClient;
  config: LoadedKubeconfig;
  /** The namespace to act in: -n, else the context's; undefined with -A. */
  namespace: string | undefined;
}

export type Flags = Readonly<Record<string, string | boolean | undefined>>;

export interface CommandContext {
  flags: Flags;
  positionals: readonly string[];
  io: Io;
  connect(): Connection;
}

export interface CommandSpec {
  /** One or two words: "status", "rollout status". */
  name: string;
  summary: string;
  /** Arguments after the name, as help shows them: "[NAME]". */
  args: string;
  /** Paragraphs under the usage line. */
  description: string;
  examples: readonly string[];
  options: Readonly<Record<string, OptionSpec>>;
  /** -A is accepted. */
  allNamespaces?: boolean;
  minArgs: number;
  maxArgs: number;
  /** Needs no cluster (help, completion). */
  offline?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

export const outputOption: OptionSpec = {
  type: 'string',
  short: 'o',
  value: 'FORMAT',
  description: 'Output format: json or yaml (default: a table for people).',
};
