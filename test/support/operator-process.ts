// The operator as a real process (src/main.ts under Node with the tsx loader), so
// tests can kill it with SIGKILL and start it again: nothing of it survives in the
// test process. Node runs the entry directly (not the tsx CLI, which would leave
// its child running when the parent is killed).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MAX_OUTPUT = 64 * 1024;

export interface OperatorProcess {
  readonly identity: string;
  readonly pid: number | undefined;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** True until the process has exited. */
  running(): boolean;
  /** The last 64 KiB of stdout and stderr, for failure messages. */
  output(): string;
  /** Sends `signal` and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface OperatorProcessOptions {
  kubeconfigPath: string;
  /** Leader election identity; also names the process in messages. */
  identity: string;
  args?: readonly string[];
}

export function spawnOperator(options: OperatorProcessOptions): OperatorProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/main.ts',
      `--kubeconfig=${options.kubeconfigPath}`,
      `--leader-election-identity=${options.identity}`,
      ...(options.args ?? []),
    ],
    // A clean environment: the operator reads only ATOM_OPERATOR_* and must not pick up the tester's.
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-MAX_OUTPUT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let alive = true;
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      alive = false;
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return {
    identity: options.identity,
    pid: child.pid,
    exited,
    running: () => alive,
    output: () => output,
    async kill(signal = 'SIGKILL') {
      if (alive) child.kill(signal);
      return exited;
    },
  };
}
