// The operator under test as its own OS process, so its memory and CPU are its
// own: compiled dist/main.js on Node (default) or src/main.ts through tsx.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export type OperatorRuntime = 'dist' | 'tsx';

export interface ProcessUsage {
  /** Resident set now (VmRSS), bytes. */
  rssBytes: number;
  /** Peak resident set (VmHWM), bytes. */
  peakRssBytes: number;
  /** User + system CPU seconds so far. */
  cpuSeconds: number;
}

export interface OperatorProcess {
  pid: number;
  metricsUrl: string;
  usage(): ProcessUsage;
  /** Prometheus text from the operator's /metrics. */
  metrics(): Promise<string>;
  /** Recent stderr, for error messages when something goes wrong. */
  stderrTail(): string;
  /** Writes a V8 heap snapshot of the operator (needs `heapSnapshotDir` at start); resolves with its path. */
  heapSnapshot(): Promise<string>;
  stop(): Promise<void>;
}

const root = new URL('..', import.meta.url).pathname;
const CLOCK_TICKS = 100;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Bundles the production entry into dist/main.js (npm run build). */
export async function buildOperator(): Promise<void> {
  const tsx = join(root, 'node_modules/.bin/tsx');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(tsx, ['hack/build.ts'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', resolve);
  });
  if (code !== 0 || !existsSync(join(root, 'dist/main.js')))
    throw new Error(`npm run build produced no dist/main.js (exit ${code})`);
}

function readUsage(pid: number): ProcessUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM'), cpuSeconds: ticks / CLOCK_TICKS };
}

async function waitReady(url: string, child: ChildProcess, tail: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the operator exited with ${child.exitCode}:\n${tail()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the operator was not ready within ${timeoutMs} ms:\n${tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `profileDir`: write a V8 CPU profile of the operator there when it stops (dist runtime only).
 * `nodeFlags`: Node options before the entry (dist runtime only), e.g. the image's --enable-source-maps.
 * `heapSnapshotDir`: where heapSnapshot() writes (dist runtime only).
 */
export async function startOperatorProcess(
  runtime: OperatorRuntime,
  args: readonly string[],
  profileDir?: string,
  nodeFlags: readonly string[] = [],
  heapSnapshotDir?: string,
): Promise<OperatorProcess> {
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const node = join(root, 'node_modules/.bin/node');
  const profile = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    // Node writes a snapshot into the diagnostic directory when it receives the signal.
    ...(heapSnapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapSnapshotDir}`] : []),
  ];
  const command =
    runtime === 'dist'
      ? [node, ...nodeFlags, ...profile, join(root, 'dist/main.js')]
      : [join(root, 'node_modules/.bin/tsx'), join(root, 'src/main.ts')];
  const flags = [
    '--leader-election-enabled=false',
    `--metrics-address=127.0.0.1:${metricsPort}`,
    `--health-address=127.0.0.1:${healthPort}`,
    '--log-level=warn',
    ...args,
  ];
  const [bin, ...pre] = command as [string, ...string[]];
  const child = spawn(bin, [...pre, ...flags], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });
  const tail = () => stderr;
  // tsx runs the operator in a child of its own: measure that one, not the wrapper.
  await waitReady(`http://127.0.0.1:${healthPort}/readyz`, child, tail, 60_000);
  const pid = runtime === 'dist' ? child.pid! : operatorPidUnder(child.pid!);
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  return {
    pid,
    metricsUrl,
    usage: () => readUsage(pid),
    async metrics() {
      const res = await fetch(metricsUrl);
      return res.text();
    },
    stderrTail: tail,
    async heapSnapshot() {
      if (!heapSnapshotDir || runtime !== 'dist')
        throw new Error('heap snapshots need heapSnapshotDir and --operator=dist');
      return writeHeapSnapshot(pid, heapSnapshotDir, metricsUrl);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The deepest descendant of `pid` (tsx -> node running main.ts). */
function operatorPidUnder(pid: number): number {
  for (;;) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      return pid;
    }
    const next = children.map(Number).find((c) => readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('main.ts'));
    if (next === undefined) return pid;
    pid = next;
  }
}

/** Sum of the samples of one Prometheus metric, optionally only those whose labels contain `labelText`. */
export function metricSum(text: string, name: string, labelText = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue;
    if (labelText && !rest.includes(labelText)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** Signals the operator to write a heap snapshot and waits until the file is complete. */
async function writeHeapSnapshot(pid: number, dir: string, metricsUrl: string): Promise<string> {
  const snapshots = () => new Set(readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')));
  const before = snapshots();
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 300_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const fresh = [...snapshots()].find((f) => !before.has(f));
    if (fresh) {
      const path = join(dir, fresh);
      // The snapshot is written on the operator's main thread: once it answers again, the file is whole.
      const size = statSync(path).size;
      const answered = await fetch(metricsUrl).then(
        (r) => r.ok,
        () => false,
      );
      if (answered && size > 0 && statSync(path).size === size) return path;
    }
    if (Date.now() > deadline) throw new Error(`no heap snapshot of ${pid} appeared in ${dir}`);
  }
}
