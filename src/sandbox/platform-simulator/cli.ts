// The platform simulator as a process, for the kind end-to-end test (hack/e2e/platform-simulator.yaml):
// it serves the TLS material and signed releases it is given, logs who asked, and stops on SIGTERM.
//   node /app/platform-simulator.mjs (hack/e2e/platform-simulator.Dockerfile) --listen=0.0.0.0:443 --tls-cert=F --tls-key=F \
//     --client-ca=F --signing-key=F --releases=F [--self-status=F]
// --self-status says how GET /atom/v1/self answers each certificate (by common name; `*` for the
// rest); SIGHUP reads the file again, so a test can take an Atom offline while it runs.
// Bad input exits 2 with one line per problem, so a misconfigured Deployment says what to fix.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { selfStatusFileSchema, type SelfBehaviour } from './self-status.js';
import { startPlatformSimulator, type GivenTLS, type PlatformSimulator } from './simulator.js';

const FLAGS = ['listen', 'tls-cert', 'tls-key', 'client-ca', 'signing-key', 'releases', 'self-status'] as const;
type Flag = (typeof FLAGS)[number];
const OPTIONAL: ReadonlySet<Flag> = new Set(['self-status']);

export const USAGE =
  'usage: platform-simulator --listen=HOST:PORT --tls-cert=PEM_FILE --tls-key=PEM_FILE --client-ca=PEM_FILE --signing-key=ED25519_PEM_FILE --releases=JSON_FILE [--self-status=JSON_FILE]';

/** One advertised release per channel; the simulator adds `channel` and `signature`. */
export const releasesFileSchema = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'channel names are letters, digits, ".", "_" and "-"'),
  z
    .object({
      version: z.string().min(1),
      image: z.string().min(1),
      digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256: followed by 64 lowercase hex digits'),
      publishedAt: z.iso.datetime({ offset: true }),
      critical: z.boolean(),
    })
    .strict(),
);
export type ReleasesFile = z.infer<typeof releasesFileSchema>;

const listenSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/, 'must be HOST:PORT, e.g. 0.0.0.0:443')
  .transform((value, ctx) => {
    const colon = value.lastIndexOf(':');
    const port = Number(value.slice(colon + 1));
    if (port > 65_535) {
      ctx.addIssue({ code: 'custom', message: 'port must be 0 to 65535' });
      return z.NEVER;
    }
    return { host: value.slice(0, colon).replace(/^\[|\]$/g, ''), port };
  });

// OpenSSL's own messages ("PEM routines::no start line") do not tell a person what was expected.
function pemCertificate(text: string): X509Certificate {
  try {
    return new X509Certificate(text);
  } catch {
    throw new Error('is not a PEM certificate (-----BEGIN CERTIFICATE-----)');
  }
}

function pemPrivateKey(text: string): KeyObject {
  try {
    return createPrivateKey(text);
  } catch {
    throw new Error('is not an unencrypted PEM private key');
  }
}

export interface SimulatorCliOptions {
  host: string;
  port: number;
  tls: GivenTLS;
  signingKeyPem: string;
  releases: ReleasesFile;
  /** Common name -> how /atom/v1/self answers it; empty: every Atom is online. */
  selfStatus: Record<string, SelfBehaviour>;
  /** The --self-status file, read again on SIGHUP. */
  selfStatusPath?: string;
}

/** Reads a --self-status file; problems are one line each, prefixed with the flag. */
export function readSelfStatusFile(
  text: string,
): { ok: true; value: Record<string, SelfBehaviour> } | { ok: false; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`--self-status: not JSON (${(err as Error).message})`] };
  }
  const parsed = selfStatusFileSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map(
      (i) => `--self-status: ${i.path.map(String).join('.') || '(file)'}: ${i.message}`,
    ),
  };
}

export type ParsedCli = { ok: true; options: SimulatorCliOptions } | { ok: false; problems: string[] };

/** Checks every flag and file and reports every problem, not just the first. */
export function parseSimulatorArgs(
  argv: readonly string[],
  readText: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ParsedCli {
  const problems: string[] = [];
  const given = new Map<Flag, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/s.exec(arg);
    const name = match?.[1] as Flag | undefined;
    if (!match || name === undefined || !FLAGS.includes(name)) {
      problems.push(`${arg}: unknown argument; flags are --name=value (${FLAGS.map((f) => `--${f}`).join(', ')})`);
      continue;
    }
    if (match[2] === '') problems.push(`--${name}: needs a value`);
    else given.set(name, match[2] ?? '');
  }
  for (const flag of FLAGS)
    if (!OPTIONAL.has(flag) && !given.has(flag) && !argv.some((a) => a.startsWith(`--${flag}=`)))
      problems.push(`--${flag}: required`);

  const file = (flag: Flag): string | undefined => {
    const path = given.get(flag);
    if (path === undefined) return undefined;
    try {
      return readText(path);
    } catch (err) {
      problems.push(`--${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return undefined;
    }
  };
  const check = <T>(flag: Flag, text: string | undefined, parse: (text: string) => T): T | undefined => {
    if (text === undefined) return undefined;
    try {
      return parse(text);
    } catch (err) {
      problems.push(`--${flag}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };

  let listen: { host: string; port: number } | undefined;
  const listenText = given.get('listen');
  if (listenText !== undefined) {
    const parsed = listenSchema.safeParse(listenText);
    if (parsed.success) listen = parsed.data;
    else for (const issue of parsed.error.issues) problems.push(`--listen: ${issue.message} (got "${listenText}")`);
  }
  const cert = check('tls-cert', file('tls-cert'), (text) => ({ text, parsed: pemCertificate(text) }));
  const key = check('tls-key', file('tls-key'), (text) => ({ text, parsed: pemPrivateKey(text) }));
  if (cert && key && !cert.parsed.checkPrivateKey(key.parsed))
    problems.push('--tls-key: is not the private key of the --tls-cert certificate');
  const clientCa = check('client-ca', file('client-ca'), (text) => {
    if (!pemCertificate(text).ca) throw new Error('is not a CA certificate (basicConstraints CA:TRUE)');
    return text;
  });
  const signingKey = check('signing-key', file('signing-key'), (text) => {
    const type = pemPrivateKey(text).asymmetricKeyType;
    if (type !== 'ed25519') throw new Error(`must be an ed25519 private key (got ${type ?? 'unknown'})`);
    return text;
  });
  const releases = check('releases', file('releases'), (text) => {
    const parsed = releasesFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      problems.push(`--releases: ${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`);
    return undefined;
  });

  let selfStatus: Record<string, SelfBehaviour> = {};
  const selfText = file('self-status');
  if (selfText !== undefined) {
    const read = readSelfStatusFile(selfText);
    if (read.ok) selfStatus = read.value;
    else problems.push(...read.problems);
  }

  if (
    problems.length > 0 ||
    !listen ||
    !cert ||
    !key ||
    clientCa === undefined ||
    signingKey === undefined ||
    !releases
  ) {
    return { ok: false, problems: problems.length > 0 ? problems : [USAGE] };
  }
  return {
    ok: true,
    options: {
      ...listen,
      tls: { cert: cert.text, key: key.text, clientCa },
      signingKeyPem: signingKey,
      releases,
      selfStatus,
      ...(given.has('self-status') ? { selfStatusPath: given.get('self-status') ?? '' } : {}),
    },
  };
}

/** Starts the simulator with the parsed options, every channel advertised and signed. */
export async function startFromOptions(options: SimulatorCliOptions): Promise<PlatformSimulator> {
  const simulator = await startPlatformSimulator({ host: options.host, port: options.port, tls: options.tls });
  simulator.signWith(options.signingKeyPem);
  for (const [channel, release] of Object.entries(options.releases)) simulator.setRelease(channel, release);
  for (const [name, behaviour] of Object.entries(options.selfStatus)) simulator.setSelfStatus(name, behaviour);
  return simulator;
}

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseSimulatorArgs(argv);
  if (!parsed.ok) {
    for (const problem of parsed.problems) process.stderr.write(`${problem}\n`);
    process.exit(2);
  }
  const { options } = parsed;
  let simulator: PlatformSimulator;
  try {
    simulator = await startFromOptions(options);
  } catch (err) {
    process.stderr.write(
      `cannot listen on ${options.host}:${options.port}: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  }
  const channels = Object.entries(options.releases).map(([channel, r]) => `${channel}=${r.version}`);
  console.log(
    `platform simulator listening on ${simulator.url} (bound to ${options.host}), advertising ${channels.join(', ') || 'nothing'}`,
  );

  // One line per request for `kubectl logs`, and the record is emptied so a long run does not grow.
  const flush = () => {
    for (const r of simulator.requests)
      console.log(
        `${r.at.toISOString()} GET ${r.resource === 'self' ? 'self' : `releases/${r.channel}`} from ${r.clientSubject ?? '?'} -> ${r.status || 'dropped'}`,
      );
    simulator.clear();
  };
  const timer = setInterval(flush, 2_000);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    flush();
    console.log(`${signal}: stopping the platform simulator`);
    simulator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  let applied = Object.keys(options.selfStatus);
  process.on('SIGHUP', () => {
    if (options.selfStatusPath === undefined) return;
    let read: ReturnType<typeof readSelfStatusFile>;
    try {
      read = readSelfStatusFile(readFileSync(options.selfStatusPath, 'utf8'));
    } catch (err) {
      read = { ok: false, problems: [`--self-status: cannot read ${options.selfStatusPath}: ${String(err)}`] };
    }
    // A broken file keeps what was served, so a typo does not take every Atom offline.
    if (!read.ok) return void process.stderr.write(`${read.problems.join('\n')}\n`);
    for (const name of applied) simulator.setSelfStatus(name, null);
    for (const [name, behaviour] of Object.entries(read.value)) simulator.setSelfStatus(name, behaviour);
    applied = Object.keys(read.value);
    console.log(`SIGHUP: self status of ${applied.length} certificate(s) reloaded`);
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
