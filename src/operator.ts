// The operator as a value: manager + Atom controller + platform client, built
// from a KubeConfig and the parsed configuration. main.ts runs it; integration
// tests, the benchmark and the sandbox demo run the very same thing.
import type { ClusterCredentials } from './kube/client.js';
import type { Logger } from 'pino';
import type { OperatorConfig } from './config/schema.js';
import { registerAtomController, type AtomController } from './controller/atom/controller.js';
import { Manager, type ManagerOptions } from './controller/runtime/manager.js';
import { PlatformClient, type PlatformClientOptions } from './platform/index.js';
import type { AgentProfile } from './resources/profile.js';

export interface OperatorOptions {
  kubeConfig: ClusterCredentials;
  config: OperatorConfig;
  logger: Logger;
  profile: AgentProfile;
  /** Ed25519 release keys (PEM), already read from config.platform.releasePublicKeysFile. */
  releasePublicKeys: readonly string[];
  version?: string;
  commit?: string;
  now?: () => Date;
  /** Test knobs: platform client timeouts/retries and informer tuning. */
  platformClient?: PlatformClientOptions;
  informerDefaults?: ManagerOptions['informerDefaults'];
  onLeadershipLost?: () => void;
}

export interface Operator {
  manager: Manager;
  atoms: AtomController;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** "k=v,k2=v2" pairs (already validated by the config schema) as a label map. */
function labelMap(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

export function createOperator(options: OperatorOptions): Operator {
  const { config, logger } = options;
  const manager = new Manager({
    kubeConfig: options.kubeConfig,
    config,
    logger,
    build: { version: options.version ?? '0.0.0', ...(options.commit ? { commit: options.commit } : {}) },
    ...(options.informerDefaults ? { informerDefaults: options.informerDefaults } : {}),
    ...(options.onLeadershipLost ? { onLeadershipLost: options.onLeadershipLost } : {}),
  });
  const platform = new PlatformClient({
    ...(config.platform.httpsProxy ? { httpsProxy: config.platform.httpsProxy } : {}),
    ...(config.platform.noProxy ? { noProxy: config.platform.noProxy } : {}),
    ...options.platformClient,
  });
  const atoms = registerAtomController(manager, {
    config: {
      ...(config.platform.url ? { defaultPlatformUrl: config.platform.url } : {}),
      profile: options.profile,
      dns: { namespace: config.atoms.dnsNamespace, podLabels: labelMap(config.atoms.dnsPodLabels) },
      certificateWarningDays: config.atoms.certificateWarning / 86_400_000,
    },
    fleet: config.fleet,
    fetcher: platform,
    pollIntervalMs: config.platform.pollInterval,
    statusPollIntervalMs: config.platform.statusPollInterval,
    releasePublicKeys: options.releasePublicKeys,
    registry: manager.metrics.registry,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    manager,
    atoms,
    start: () => manager.start(),
    async stop() {
      await manager.stop();
      await atoms.poller.stop();
      await atoms.statusPoller.stop();
      await platform.close();
    },
  };
}
