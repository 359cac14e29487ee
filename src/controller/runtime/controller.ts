// A controller: informers feed keys into a work queue, N workers reconcile
// keys one at a time per key. Level-triggered: reconcile gets a key and reads
// current state from the caches, never an event payload.
import type { Logger } from 'pino';
import type { Informer } from '../../kube/informer.js';
import { objectKey, splitKey, type KubeObject } from '../../kube/resource.js';
import { OperatorMetrics } from '../../observability/metrics.js';
import { silentLogger } from '../../observability/logger.js';
import type { Clock } from '../../util/clock.js';
import { classifyFailure, errorCode } from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { WorkQueue } from './work-queue.js';

export interface ReconcileContext {
  readonly key: string;
  readonly namespace: string | undefined;
  readonly name: string;
  /** Child logger with controller/namespace/name bound. */
  readonly logger: Logger;
  /** Aborted when the controller is stopping and the shutdown deadline passed. */
  readonly signal: AbortSignal;
  /** How many times this key failed in a row before this attempt. */
  readonly retries: number;
}

// biome-ignore lint/suspicious/noConfusingVoidType: a reconcile that returns nothing means "done, no requeue"
export type ReconcileResult = { readonly requeueAfter?: number } | void;

export interface WatchSource {
  readonly informer: Informer<KubeObject>;
  /** Keys of primary objects to reconcile when `obj` changes. */
  readonly map: (obj: KubeObject) => readonly string[];
}

export interface ControllerOptions {
  readonly name: string;
  readonly primary: Informer<KubeObject>;
  /** Children: changes enqueue the primary named by their controller ownerReference. */
  readonly owns?: readonly Informer<KubeObject>[];
  readonly watches?: readonly WatchSource[];
  readonly reconcile: (key: string, ctx: ReconcileContext) => Promise<ReconcileResult>;
  readonly workers?: number;
  readonly logger?: Logger;
  readonly metrics?: OperatorMetrics;
  readonly clock?: Clock;
  readonly rateLimiter?: RateLimiter<string>;
}

export type ReconcileOutcome = 'success' | 'requeue_after' | 'conflict' | 'error' | 'terminal';

export class Controller {
  readonly name: string;
  #queue: WorkQueue;
  #stopped: Promise<unknown> = Promise.resolve();
  readonly #options: ControllerOptions;
  readonly #logger: Logger;
  readonly #metrics: OperatorMetrics;
  readonly #unsubscribe: (() => void)[] = [];
  #workers: Promise<void>[] = [];
  #abort = new AbortController();
  #started = false;
  // Last terminal failure per key, so a resync of a broken object does not log the same error again.
  readonly #terminal = new Map<string, string>();

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger()).child({ controller: options.name });
    this.#metrics = options.metrics ?? new OperatorMetrics();
    this.#queue = this.#newQueue();
  }

  /** The current work queue (a fresh one after each restart). */
  get queue(): WorkQueue {
    return this.#queue;
  }

  #newQueue(): WorkQueue {
    return new WorkQueue({
      name: this.#options.name,
      registry: this.#metrics.registry,
      ...(this.#options.clock ? { clock: this.#options.clock } : {}),
      ...(this.#options.rateLimiter ? { rateLimiter: this.#options.rateLimiter } : {}),
    });
  }

  /** Every informer this controller reads; the manager starts them and waits for their sync. */
  get informers(): Informer<KubeObject>[] {
    const all = [
      this.#options.primary,
      ...(this.#options.owns ?? []),
      ...(this.#options.watches ?? []).map((w) => w.informer),
    ];
    return [...new Set(all)];
  }

  /**
   * Subscribes to the informers, waits for them to sync, then runs the workers.
   * Can be called again after stop() (a replica that regains leadership); it
   * first waits for the previous run's workers so no key is ever processed twice at once.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#stopped;
    if (this.#queue.shuttingDown) this.#queue = this.#newQueue();
    this.#abort = new AbortController();
    const enqueue = (obj: KubeObject) => this.#queue.add(objectKey(obj));
    this.#unsubscribe.push(
      this.#options.primary.addEventHandler({ add: enqueue, update: (_, obj) => enqueue(obj), delete: enqueue }),
    );
    const primaryType = this.#options.primary.type;
    for (const owned of this.#options.owns ?? []) {
      const enqueueOwner = (obj: KubeObject) => {
        for (const ref of obj.metadata.ownerReferences ?? []) {
          // Owners are matched by kind and group; the version may differ between our type and the reference.
          const slash = ref.apiVersion.indexOf('/');
          const refGroup = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
          if (ref.controller && ref.kind === primaryType.kind && refGroup === primaryType.group) {
            this.#queue.add(
              primaryType.namespaced && obj.metadata.namespace ? `${obj.metadata.namespace}/${ref.name}` : ref.name,
            );
          }
        }
      };
      this.#unsubscribe.push(
        owned.addEventHandler({
          add: enqueueOwner,
          update: (old, obj) => {
            enqueueOwner(old);
            enqueueOwner(obj);
          },
          delete: enqueueOwner,
        }),
      );
    }
    for (const watch of this.#options.watches ?? []) {
      const enqueueMapped = (obj: KubeObject) => {
        for (const key of watch.map(obj)) this.#queue.add(key);
      };
      this.#unsubscribe.push(
        watch.informer.addEventHandler({
          add: enqueueMapped,
          update: (old, obj) => {
            enqueueMapped(old);
            enqueueMapped(obj);
          },
          delete: enqueueMapped,
        }),
      );
    }
    const signal = this.#abort.signal;
    const synced = await Promise.all(this.informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    const workers = Math.max(1, this.#options.workers ?? 1);
    this.#logger.info({ workers }, 'starting workers');
    const queue = this.#queue;
    this.#workers = Array.from({ length: workers }, () => this.#work(queue));
  }

  /**
   * Stops taking keys and waits up to `timeoutMs` for in-flight reconciles to
   * finish; after that their ctx.signal aborts. Resolves true if all finished in time.
   */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    this.#started = false;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#queue.shutDown();
    this.#stopped = Promise.all(this.#workers);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = await Promise.race([Promise.all(this.#workers).then(() => true as const), deadline]);
    clearTimeout(timer);
    this.#abort.abort();
    if (!finished)
      this.#logger.warn({ timeoutMs }, 'reconciles still running at the shutdown deadline; abandoning them');
    return finished;
  }

  // Workers hold on to their queue: after a restart, stragglers finish against the old one.
  async #work(queue: WorkQueue): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await this.#process(queue, key);
      } finally {
        queue.done(key);
      }
    }
  }

  async #process(queue: WorkQueue, key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const logger = this.#logger.child(namespace ? { namespace, name } : { name });
    const retries = queue.numRequeues(key);
    const started = performance.now();
    let outcome: ReconcileOutcome;
    try {
      const result = await this.#options.reconcile(key, {
        key,
        namespace,
        name,
        logger,
        signal: this.#abort.signal,
        retries,
      });
      queue.forget(key);
      this.#terminal.delete(key);
      if (result && result.requeueAfter !== undefined && result.requeueAfter > 0) {
        queue.addAfter(key, result.requeueAfter);
        outcome = 'requeue_after';
      } else {
        outcome = 'success';
      }
    } catch (err) {
      const kind = classifyFailure(err);
      if (kind === 'conflict') {
        // Someone else wrote first: re-read and retry quietly, it is not a failure.
        logger.debug('conflict writing; requeueing');
        queue.addRateLimited(key);
        outcome = 'conflict';
      } else if (kind === 'terminal') {
        // Retrying cannot help; a new event (the user fixing the object) brings the key back.
        queue.forget(key);
        const signature = `${errorCode(err)}:${err instanceof Error ? err.message : String(err)}`;
        if (this.#terminal.get(key) !== signature) {
          this.#terminal.set(key, signature);
          logger.error({ err, code: errorCode(err) }, 'reconcile failed permanently; waiting for a change');
          this.#metrics.reconcileErrors.inc({ controller: this.name, code: errorCode(err) });
        }
        outcome = 'terminal';
      } else {
        queue.addRateLimited(key);
        logger.error({ err, code: errorCode(err), retries: retries + 1 }, 'reconcile failed; retrying with backoff');
        this.#metrics.reconcileErrors.inc({ controller: this.name, code: errorCode(err) });
        outcome = 'error';
      }
    }
    const labels = { controller: this.name, result: outcome };
    this.#metrics.reconcileTotal.inc(labels);
    this.#metrics.reconcileDuration.observe(labels, (performance.now() - started) / 1000);
  }
}
