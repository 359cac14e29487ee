// The composition root of the runtime (controller-runtime's Manager): one API
// client, shared informers, controllers, the leader elector, the event
// recorder, metrics and probe servers. Caches run on every replica (a standby
// is warm and ready); controllers run only on the leader.
import type { ClusterCredentials } from '../../kube/client.js';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { OperatorConfig } from '../../config/schema.js';
import { KubeApi } from '../../kube/api.js';
import { KubeClient } from '../../kube/client.js';
import { EventRecorder } from '../../kube/event-recorder.js';
import { Informer, type InformerOptions } from '../../kube/informer.js';
import { LeaderElector } from '../../kube/leader-election.js';
import { TokenBucket } from '../../kube/rate-limit.js';
import type { KubeObject, ResourceType } from '../../kube/resource.js';
import {
  healthRoutes,
  metricsRoutes,
  startHttpServer,
  type ReadinessReport,
  type RunningServer,
} from '../../observability/http-server.js';
import { silentLogger } from '../../observability/logger.js';
import { OperatorMetrics, type BuildInfo } from '../../observability/metrics.js';
import { Controller, type ControllerOptions } from './controller.js';

/** The part of the configuration the runtime reads (no kubeApi: requests are not rate limited). */
export type ManagerConfig = Pick<
  OperatorConfig,
  | 'watchNamespaces'
  | 'workers'
  | 'leaderElection'
  | 'metricsAddress'
  | 'healthAddress'
  | 'resyncPeriod'
  | 'shutdownTimeout'
> &
  Partial<Pick<OperatorConfig, 'kubeApi'>>;

export interface ManagerOptions {
  readonly kubeConfig: ClusterCredentials;
  readonly config: ManagerConfig;
  readonly logger?: Logger;
  readonly build?: BuildInfo;
  /** Informer tuning shared by all caches (stall deadline, backoff); tests shorten these. */
  readonly informerDefaults?: Partial<
    Pick<InformerOptions, 'watchStallMs' | 'backoff' | 'watchTimeoutSeconds' | 'pageSize'>
  >;
  /**
   * Called when this replica loses leadership. Controllers are already stopped;
   * like controller-runtime, the process should exit so it restarts as a clean standby.
   */
  readonly onLeadershipLost?: () => void;
}

export interface InformerRequest {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Watch every namespace even when the operator is restricted to some (e.g. cluster-wide helpers). */
  readonly allNamespaces?: boolean;
  /** Reduces objects before they are cached (the first request for a type and selector sets it). */
  readonly transform?: InformerOptions['transform'];
  /** Cache metadata only (PartialObjectMetadata); a separate cache from the full objects of the same type. */
  readonly metadataOnly?: boolean;
}

export class Manager {
  readonly client: KubeClient;
  readonly api: KubeApi;
  readonly events: EventRecorder;
  readonly metrics: OperatorMetrics;
  readonly logger: Logger;
  readonly config: ManagerConfig;
  readonly #options: ManagerOptions;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  readonly #controllers: Controller[] = [];
  readonly #elector: LeaderElector | undefined;
  readonly #servers: RunningServer[] = [];
  #started = false;
  #stopping = false;
  #leading = false;
  #controllersRunning = false;

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.config = options.config;
    this.logger = options.logger ?? silentLogger();
    this.metrics = new OperatorMetrics({ ...(options.build ? { build: options.build } : {}), defaultMetrics: true });
    const limit = options.config.kubeApi;
    this.client = new KubeClient(options.kubeConfig, limit ? { limiter: new TokenBucket(limit) } : {});
    this.api = new KubeApi(this.client);
    this.#registerCacheMetrics();
    const le = options.config.leaderElection;
    this.events = new EventRecorder({ client: this.client, instance: le.identity, logger: this.logger });
    const leaseLabel = { lease: `${le.namespace}/${le.leaseName}` };
    this.metrics.leader.set(leaseLabel, 0);
    if (le.enabled) {
      this.#elector = new LeaderElector({
        // Its own client, outside the rate limit: a lease renewal must never queue behind a fleet's writes.
        client: new KubeClient(options.kubeConfig),
        namespace: le.namespace,
        name: le.leaseName,
        identity: le.identity,
        leaseDurationMs: le.leaseDuration,
        renewDeadlineMs: le.renewDeadline,
        retryPeriodMs: le.retryPeriod,
        logger: this.logger,
        onStartedLeading: () => {
          this.#leading = true;
          this.metrics.leader.set(leaseLabel, 1);
          this.#startControllers();
        },
        onStoppedLeading: () => {
          const wasLeading = this.#leading;
          this.#leading = false;
          this.metrics.leader.set(leaseLabel, 0);
          if (!wasLeading) return;
          // Stop at once: another replica may take over as soon as the lease expires.
          void this.#stopControllers(0);
          if (!this.#stopping) {
            this.logger.error('lost leadership');
            this.#options.onLeadershipLost?.();
          }
        },
        onNewLeader: (identity) => {
          if (identity !== le.identity) this.logger.info({ leader: identity }, 'another replica leads');
        },
      });
    }
  }

  get isLeader(): boolean {
    return this.#elector ? this.#leading : this.#started;
  }

  get healthPort(): number | undefined {
    return this.#servers[0]?.port;
  }

  get metricsPort(): number | undefined {
    return this.#servers[1]?.port;
  }

  /** The shared cache for a resource type (one per type and selector), watching the configured namespaces. */
  informer<T extends KubeObject = KubeObject>(type: ResourceType, request: InformerRequest = {}): Informer<T> {
    const key = JSON.stringify([
      type.group,
      type.version,
      type.plural,
      request.labelSelector ?? '',
      request.fieldSelector ?? '',
      request.allNamespaces ?? false,
      request.metadataOnly ?? false,
    ]);
    let informer = this.#informers.get(key);
    if (!informer) {
      if (this.#started) throw new Error(`informer for ${type.plural} requested after the manager started`);
      informer = new Informer<KubeObject>({
        client: this.client,
        type,
        namespaces: request.allNamespaces ? [] : this.config.watchNamespaces,
        ...(request.labelSelector ? { labelSelector: request.labelSelector } : {}),
        ...(request.fieldSelector ? { fieldSelector: request.fieldSelector } : {}),
        resyncPeriodMs: this.config.resyncPeriod,
        logger: this.logger,
        ...(request.transform ? { transform: request.transform } : {}),
        ...(request.metadataOnly ? { metadataOnly: true } : {}),
        ...this.#options.informerDefaults,
      });
      this.#informers.set(key, informer);
    }
    return informer as unknown as Informer<T>;
  }

  /** Registers a controller; it starts when this replica leads (or at once without leader election). */
  addController(options: Omit<ControllerOptions, 'logger' | 'metrics'>): Controller {
    if (this.#started) throw new Error(`controller ${options.name} added after the manager started`);
    const controller = new Controller({
      workers: this.config.workers,
      ...options,
      logger: this.logger,
      metrics: this.metrics,
    });
    this.#controllers.push(controller);
    // Informers built outside manager.informer() are still started, stopped and counted for readiness.
    for (const informer of controller.informers) {
      if (![...this.#informers.values()].includes(informer))
        this.#informers.set(`external:${this.#informers.size}`, informer);
    }
    return controller;
  }

  readiness(): ReadinessReport {
    const reasons: string[] = [];
    if (!this.#started) reasons.push('manager not started');
    if (this.#stopping) reasons.push('shutting down');
    for (const informer of this.#informers.values()) {
      if (!informer.synced) reasons.push(`cache ${informer.type.plural} not synced`);
    }
    return { ready: reasons.length === 0, reasons };
  }

  /** Serves probes and metrics, starts the caches, then campaigns for leadership (or runs controllers directly). */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#servers.push(
      await startHttpServer(
        this.config.healthAddress,
        healthRoutes(() => this.readiness()),
      ),
    );
    this.#servers.push(await startHttpServer(this.config.metricsAddress, metricsRoutes(this.metrics.registry)));
    this.#started = true;
    for (const informer of this.#informers.values()) informer.start();
    if (this.#elector) this.#elector.start();
    else this.#startControllers();
    this.logger.info(
      { healthPort: this.healthPort, metricsPort: this.metricsPort, leaderElection: Boolean(this.#elector) },
      'manager started',
    );
  }

  /** Resolves when every cache has synced, or false if `signal` aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Graceful stop: no new work, in-flight reconciles get shutdownTimeout, the lease is released, servers close. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    await this.#stopControllers(this.config.shutdownTimeout);
    await this.#elector?.stop({ release: true });
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
    await Promise.all(this.#servers.splice(0).map((s) => s.close()));
  }

  // Read at scrape time, so a cache that cannot sync (or grows unexpectedly) is visible in /metrics.
  #registerCacheMetrics(): void {
    const informers = this.#informers;
    const labelsOf = (i: Informer<KubeObject>) => ({
      resource: i.type.group ? `${i.type.plural}.${i.type.group}` : i.type.plural,
    });
    const registers = [this.metrics.registry];
    new Gauge({
      name: 'informer_synced',
      help: '1 once the cache of this resource has completed its first list.',
      labelNames: ['resource'],
      registers,
      collect() {
        for (const i of informers.values()) this.set(labelsOf(i), i.synced ? 1 : 0);
      },
    });
    new Gauge({
      name: 'informer_objects',
      help: 'Objects held in the cache of this resource.',
      labelNames: ['resource'],
      registers,
      collect() {
        for (const i of informers.values()) this.set(labelsOf(i), i.size);
      },
    });
    new Gauge({
      name: 'informer_lists',
      help: 'Completed full lists since start: the first, then one after each 410 Gone.',
      labelNames: ['resource'],
      registers,
      collect() {
        for (const i of informers.values()) this.set(labelsOf(i), i.stats.lists);
      },
    });
  }

  #startControllers(): void {
    if (this.#controllersRunning || this.#stopping) return;
    this.#controllersRunning = true;
    for (const controller of this.#controllers) {
      controller
        .start()
        .catch((err: unknown) => this.logger.error({ err, controller: controller.name }, 'controller failed to start'));
    }
  }

  async #stopControllers(timeoutMs: number): Promise<void> {
    if (!this.#controllersRunning) return;
    this.#controllersRunning = false;
    await Promise.all(this.#controllers.map((c) => c.stop(timeoutMs)));
  }
}
