// The operator process in one call: configuration, root logger, kubeconfig,
// manager, signal handling. main.ts registers its controllers in `register`.
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { loadConfigFromProcess } from '../../config/load.js';
import type { OperatorConfig } from '../../config/schema.js';
import { handleShutdownSignals } from '../../observability/lifecycle.js';
import { createRootLogger } from '../../observability/logger.js';
import type { BuildInfo } from '../../observability/metrics.js';
import { Manager } from './manager.js';

export interface RunOptions {
  /** Adds informers and controllers to the manager before it starts. */
  readonly register: (manager: Manager, config: OperatorConfig, logger: Logger) => void | Promise<void>;
  readonly build?: BuildInfo;
  /** Defaults to flags and environment of this process. */
  readonly config?: OperatorConfig;
}

/** The KubeConfig for the configured path, else in-cluster / KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export async function runOperator(options: RunOptions): Promise<Manager> {
  const config = options.config ?? loadConfigFromProcess();
  const logger = createRootLogger({ level: config.logLevel });
  const manager = new Manager({
    kubeConfig: loadKubeConfig(config.kubeconfig),
    config,
    logger,
    ...(options.build ? { build: options.build } : {}),
    // Like controller-runtime: a replica that lost the lease exits and restarts as a clean standby.
    onLeadershipLost: () => {
      void manager.stop().finally(() => process.exit(1));
    },
  });
  await options.register(manager, config, logger);
  handleShutdownSignals({ stop: () => manager.stop(), logger, shutdownTimeoutMs: config.shutdownTimeout });
  await manager.start();
  return manager;
}
