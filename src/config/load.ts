// Reads flags and environment once, validates everything with the schema,
// reports every problem together (one line each) and freezes the result.
// This is the only module that looks at the environment.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { buildStamp } from './build-info.js';
import { operatorConfigSchema, type OperatorConfig } from './schema.js';

export const ENV_PREFIX = 'ATOM_OPERATOR_';
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface ConfigField {
  /** Dotted path in the config object, e.g. "leaderElection.leaseDuration". */
  readonly path: string;
  readonly flag: string;
  readonly env: string;
  readonly description: string;
  /** Extra environment variables read when the main one is absent (conventional names like KUBECONFIG). */
  readonly envAliases: readonly string[];
  /** The default as a user would write it ("15s", "k8s-app=kube-dns"); undefined when there is none. */
  readonly defaultValue: string | undefined;
}

const ENV_ALIASES: Record<string, readonly string[]> = { kubeconfig: ['KUBECONFIG'] };

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

interface WrapperDef {
  type?: string;
  innerType?: unknown;
  defaultValue?: unknown;
}

/** The value a .default() or .prefault() wrapper supplies, written as on the command line. */
function defaultOf(schema: z.ZodType): string | undefined {
  let current: unknown = schema;
  for (let i = 0; i < 8; i++) {
    const def = (current as { _zod?: { def?: WrapperDef } })._zod?.def;
    if (!def) return undefined;
    if ((def.type === 'default' || def.type === 'prefault') && def.defaultValue !== undefined) {
      const value = def.defaultValue;
      return Array.isArray(value) ? value.join(',') : String(value);
    }
    if (def.innerType === undefined) return undefined;
    current = def.innerType;
  }
  return undefined;
}

function innerObject(schema: z.ZodType): z.ZodObject | undefined {
  let current: unknown = schema;
  for (let i = 0; i < 8; i++) {
    if (current instanceof z.ZodObject) return current;
    const inner = (current as { _zod?: { def?: { innerType?: unknown } } })._zod?.def?.innerType;
    if (inner === undefined) return undefined;
    current = inner;
  }
  return undefined;
}

/** Every settable leaf of the schema with its flag and environment variable names. */
export function configFields(schema: z.ZodObject = operatorConfigSchema): ConfigField[] {
  const out: ConfigField[] = [];
  const walk = (obj: z.ZodObject, prefix: string[]) => {
    for (const [key, child] of Object.entries(obj.shape as Record<string, z.ZodType>)) {
      const path = [...prefix, key];
      const nested = innerObject(child);
      if (nested) {
        walk(nested, path);
        continue;
      }
      const dotted = path.join('.');
      out.push({
        path: dotted,
        flag: `--${path.map(kebab).join('-')}`,
        env: ENV_PREFIX + path.map(snake).join('_'),
        description: child.description ?? '',
        envAliases: ENV_ALIASES[dotted] ?? [],
        defaultValue: defaultOf(child),
      });
    }
  };
  walk(schema, []);
  return out;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** For tests; default reads the service account namespace file. */
  readonly podNamespace?: () => string | undefined;
  readonly hostname?: () => string;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] ?? path] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function readPodNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Parses flags and environment; throws ConfigError listing every problem. */
export function parseConfig(sources: LoadConfigSources): OperatorConfig {
  const fields = configFields();
  const byFlag = new Map(fields.map((f) => [f.flag, f]));
  const byEnv = new Map(fields.map((f) => [f.env, f]));
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  const origin = new Map<string, string>();

  for (const [name, value] of Object.entries(sources.env)) {
    if (value === undefined || !name.startsWith(ENV_PREFIX)) continue;
    const field = byEnv.get(name);
    if (!field) {
      problems.push(`env ${name}: unknown setting (run with --help for the list)`);
      continue;
    }
    setPath(raw, field.path, value);
    origin.set(field.path, `env ${name}`);
  }
  for (const field of fields) {
    if (origin.has(field.path)) continue;
    for (const alias of field.envAliases) {
      const value = sources.env[alias];
      if (value !== undefined && value !== '') {
        setPath(raw, field.path, value);
        origin.set(field.path, `env ${alias}`);
        break;
      }
    }
  }
  const argv = sources.argv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      problems.push(`argument "${arg}": unexpected; settings are given as --name=value`);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const field = byFlag.get(flag);
    if (!field) {
      problems.push(`flag ${flag}: unknown (see --help)`);
      if (eq < 0 && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('--')) i++;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('--')) value = argv[++i] ?? '';
    else value = 'true';
    setPath(raw, field.path, value);
    origin.set(field.path, `flag ${flag}`);
  }

  const result = operatorConfigSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join('.');
      // List items fail at "watchNamespaces.1": report them against the field that holds the list.
      const field = fields.find((f) => path === f.path || path.startsWith(`${f.path}.`));
      const where =
        (field && origin.get(field.path)) ?? (field ? `${field.flag} / ${field.env}` : path || 'configuration');
      const message =
        issue.code === 'invalid_value' && 'values' in issue
          ? `must be one of ${issue.values.map(String).join(', ')}`
          : issue.message;
      problems.push(`${where}: ${message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);

  const parsed = result.data;
  const identity =
    parsed.leaderElection.identity ?? `${(sources.hostname ?? hostname)()}-${randomBytes(3).toString('hex')}`;
  const namespace = parsed.leaderElection.namespace ?? (sources.podNamespace ?? readPodNamespace)() ?? 'default';
  return deepFreeze({ ...parsed, leaderElection: { ...parsed.leaderElection, identity, namespace } });
}

/** The flag that sets a configuration path ("leaderElection.leaseDuration" -> "--leader-election-lease-duration"). */
export function flagOf(path: string): string {
  const field = configFields().find((f) => f.path === path);
  if (!field) throw new Error(`no configuration field ${path}`);
  return field.flag;
}

/** Help text listing every flag, its environment variable, default and description. */
export function configHelp(): string {
  const lines = [
    'Usage: atom-operator [--flag=value ...]',
    '       atom-operator --help | --version',
    '',
    'Every flag can also be set by its environment variable; flags win.',
    '',
  ];
  for (const field of configFields()) {
    const aliases = field.envAliases.length > 0 ? `, ${field.envAliases.join(', ')}` : '';
    const byDefault = field.defaultValue === undefined ? 'no default' : `default ${JSON.stringify(field.defaultValue)}`;
    lines.push(`  ${field.flag}  (${field.env}${aliases}; ${byDefault})`, `      ${field.description}`);
  }
  return lines.join('\n');
}

/** `--version`: the version and the commit it was built from. */
export function versionLine(): string {
  const { version, commit } = buildStamp();
  return `atom-operator ${version} (commit ${commit})`;
}

/**
 * Entry-point helper: parses, and on failure writes one line per problem to
 * stderr and exits with status 2 (the conventional "usage error" status).
 */
export function loadConfigOrExit(
  sources: LoadConfigSources,
  io: { stdout: (line: string) => void; stderr: (line: string) => void; exit: (code: number) => never } = {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    exit: (code) => process.exit(code),
  },
): OperatorConfig {
  if (sources.argv.includes('--help') || sources.argv.includes('-h')) {
    io.stdout(configHelp());
    return io.exit(0);
  }
  if (sources.argv.includes('--version')) {
    io.stdout(versionLine());
    return io.exit(0);
  }
  try {
    return parseConfig(sources);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) io.stderr(`atom-operator: invalid configuration: ${problem}`);
    return io.exit(2);
  }
}

/** Loads from this process's argv and environment (the one place that reads process.env). */
export function loadConfigFromProcess(): OperatorConfig {
  return loadConfigOrExit({ argv: process.argv.slice(2), env: process.env });
}
