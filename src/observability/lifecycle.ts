// Process lifecycle: the first SIGTERM/SIGINT starts a graceful stop (no new
// work, in-flight reconciles finish within the shutdown timeout, the lease is
// released) and exits 0; a second signal, or a stop that hangs past the
// deadline, exits 1 at once.
import type { Logger } from 'pino';

export interface LifecycleOptions {
  readonly stop: () => Promise<void>;
  readonly logger: Logger;
  /** Hard deadline for stop() before exiting anyway. */
  readonly shutdownTimeoutMs: number;
  readonly exit?: (code: number) => void;
  readonly signals?: readonly NodeJS.Signals[];
  readonly processLike?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

/** Installs the handlers; returns a function that removes them. */
export function handleShutdownSignals(options: LifecycleOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target = options.processLike ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal; exiting now');
      exit(1);
      return;
    }
    stopping = true;
    options.logger.info({ signal, shutdownTimeoutMs: options.shutdownTimeoutMs }, 'shutting down');
    // Grace for releasing the lease and closing servers after reconciles had their time.
    const hardDeadline = setTimeout(() => {
      options.logger.error('shutdown did not finish in time; exiting');
      exit(1);
    }, options.shutdownTimeoutMs + 5_000);
    hardDeadline.unref();
    options
      .stop()
      .then(() => {
        clearTimeout(hardDeadline);
        options.logger.info('stopped cleanly');
        exit(0);
      })
      .catch((err: unknown) => {
        clearTimeout(hardDeadline);
        options.logger.error({ err }, 'error while stopping');
        exit(1);
      });
  };
  for (const signal of signals) target.on(signal, onSignal);
  return () => {
    for (const signal of signals) target.off(signal, onSignal);
  };
}
