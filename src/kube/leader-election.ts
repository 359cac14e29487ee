// Leader election on a coordination.k8s.io/v1 Lease, after client-go's
// leaderelection.go: expiry is judged by when *we* last saw the record change
// (local clock, immune to skew between replicas), writes use resourceVersion
// for optimistic concurrency, and a leader that cannot renew within
// renewDeadline (< leaseDuration) stops acting before anyone else may start.
import type { Logger } from 'pino';
import { silentLogger } from '../observability/logger.js';
import { sleep } from './backoff.js';
import type { KubeClient } from './client.js';
import { isAlreadyExists, isConflict, isNotFound, toKubeError } from './errors.js';
import { CoreTypes, resourcePath } from './resource.js';

export interface LeaderElectionOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Clear the holder on stop() so a successor takes over at once (default true). */
  readonly releaseOnStop?: boolean;
  readonly onStartedLeading?: (signal: AbortSignal) => void;
  readonly onStoppedLeading?: () => void;
  readonly onNewLeader?: (identity: string) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
}

interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string | undefined;
  renewTime: string | undefined;
  leaseTransitions: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: Partial<LeaseRecord>;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function readRecord(lease: Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime,
    renewTime: spec.renewTime,
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

export class LeaderElector {
  readonly #o: Required<
    Pick<LeaderElectionOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs' | 'releaseOnStop'>
  > &
    LeaderElectionOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  #observed: LeaseRecord | undefined;
  #observedRaw = '';
  #observedAt = 0;
  #lease: Lease | undefined;
  #leading = false;
  #lastRenew = 0;
  #reportedLeader = '';
  #stop = new AbortController();
  #term: AbortController | undefined;
  #running: Promise<void> | undefined;
  #deadline: NodeJS.Timeout | undefined;

  constructor(options: LeaderElectionOptions) {
    const o = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      releaseOnStop: true,
      ...options,
    };
    if (o.renewDeadlineMs >= o.leaseDurationMs)
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    if (o.retryPeriodMs * 1.2 >= o.renewDeadlineMs)
      throw new Error('leader election: retryPeriod * 1.2 must be shorter than renewDeadline');
    this.#o = o;
    this.#logger = (options.logger ?? silentLogger()).child({
      lease: `${options.namespace}/${options.name}`,
      identity: options.identity,
    });
    this.#now = options.now ?? Date.now;
  }

  get identity(): string {
    return this.#o.identity;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** The holder we last observed ('' when none). */
  get observedLeader(): string {
    return this.#observed?.holderIdentity ?? '';
  }

  /** Campaigns, leads, and campaigns again after losing the lease, until stop(). */
  start(): void {
    if (this.#running) return;
    this.#stop = new AbortController();
    this.#running = this.#loop(this.#stop.signal);
  }

  /** Stops campaigning; if leading, stops leading and (unless releaseOnStop=false) releases the lease. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.#stop.abort();
    await this.#running;
    this.#running = undefined;
    const release = options.release ?? this.#o.releaseOnStop;
    this.#stopLeading();
    // Also when not leading: an acquire may have landed just as we stopped. #release checks the holder first.
    if (release && this.#lease) await this.#release();
  }

  async #loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // Acquire: try every retryPeriod (jittered) until we hold the lease.
      while (!signal.aborted && !(await this.#tryAcquireOrRenew())) {
        await sleep(this.#o.retryPeriodMs * (1 + 0.2 * Math.random()), signal);
      }
      if (signal.aborted) return;
      this.#leading = true;
      this.#lastRenew = this.#now();
      this.#armDeadline();
      this.#term = new AbortController();
      this.#logger.info('acquired the lease; leading');
      this.#o.onStartedLeading?.(this.#term.signal);
      // Renew: every retryPeriod; if no renewal succeeded within renewDeadline, leadership is lost.
      while (!signal.aborted) {
        await sleep(this.#o.retryPeriodMs, signal);
        if (signal.aborted) return;
        const renewed = await this.#tryAcquireOrRenew();
        // The deadline timer may have ended our term while the request hung.
        if (!this.#leading) break;
        if (renewed) {
          this.#lastRenew = this.#now();
          this.#armDeadline();
          continue;
        }
        if (
          this.#now() - this.#lastRenew >= this.#o.renewDeadlineMs ||
          this.#observed?.holderIdentity !== this.#o.identity
        ) {
          this.#logger.warn('failed to renew the lease within the renew deadline; stopped leading');
          this.#stopLeading();
          break;
        }
      }
    }
  }

  // Fires if no renewal succeeds within renewDeadline even while a request hangs,
  // so we stop acting before another replica may consider the lease expired.
  #armDeadline(): void {
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = setTimeout(() => {
      this.#logger.warn('renew deadline passed; stopped leading');
      this.#stopLeading();
    }, this.#o.renewDeadlineMs);
    this.#deadline.unref();
  }

  #stopLeading(): void {
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = undefined;
    if (!this.#leading) return;
    this.#leading = false;
    this.#term?.abort();
    this.#o.onStoppedLeading?.();
  }

  #path(name?: string): string {
    return resourcePath(CoreTypes.leases, { namespace: this.#o.namespace, name });
  }

  #observe(record: LeaseRecord): void {
    const raw = JSON.stringify(record);
    if (raw !== this.#observedRaw) {
      this.#observedRaw = raw;
      this.#observed = record;
      this.#observedAt = this.#now();
    }
    if (record.holderIdentity !== '' && record.holderIdentity !== this.#reportedLeader) {
      this.#reportedLeader = record.holderIdentity;
      this.#o.onNewLeader?.(record.holderIdentity);
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = this.#now();
    const me = this.#o.identity;
    const desired = (previous: LeaseRecord | undefined): LeaseRecord => {
      const holding = previous?.holderIdentity === me;
      return {
        holderIdentity: me,
        leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
        acquireTime: holding ? previous?.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: holding ? (previous?.leaseTransitions ?? 0) : (previous?.leaseTransitions ?? -1) + 1,
      };
    };
    try {
      let lease: Lease;
      try {
        lease = (await this.#o.client.request({
          method: 'GET',
          path: this.#path(this.#o.name),
          timeoutMs: this.#o.renewDeadlineMs,
        })) as Lease;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const record = { ...desired(undefined), leaseTransitions: 0 };
        const created = (await this.#o.client.request({
          method: 'POST',
          path: this.#path(),
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.#o.name, namespace: this.#o.namespace },
            spec: record,
          },
          timeoutMs: this.#o.renewDeadlineMs,
        })) as Lease;
        this.#lease = created;
        this.#observe(record);
        return true;
      }
      const current = readRecord(lease);
      this.#observe(current);
      const expired = this.#observedAt + (current.leaseDurationSeconds * 1000 || this.#o.leaseDurationMs) <= now;
      if (current.holderIdentity !== '' && current.holderIdentity !== me && !expired) return false;
      const record = desired(current);
      const updated = (await this.#o.client.request({
        method: 'PUT',
        path: this.#path(this.#o.name),
        body: { ...lease, spec: { ...lease.spec, ...record } },
        timeoutMs: this.#o.renewDeadlineMs,
      })) as Lease;
      this.#lease = updated;
      this.#observe(record);
      return true;
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) return false;
      const error = toKubeError(err, 'lease update');
      this.#logger.warn({ code: error.code }, `lease update failed: ${error.message}`);
      return false;
    }
  }

  /** Gives the lease up so a successor need not wait for it to expire. */
  async #release(): Promise<void> {
    const lease = this.#lease;
    if (!lease) return;
    try {
      const current = (await this.#o.client.request({ method: 'GET', path: this.#path(this.#o.name) })) as Lease;
      if (readRecord(current).holderIdentity !== this.#o.identity) return;
      const now = microTime(this.#now());
      await this.#o.client.request({
        method: 'PUT',
        path: this.#path(this.#o.name),
        body: {
          ...current,
          spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
        },
      });
      this.#logger.info('released the lease');
    } catch (err) {
      this.#logger.warn({ code: toKubeError(err).code }, 'could not release the lease; it will expire');
    }
  }
}
