// Fault injection: latency and error responses by verb/resource, and watch
// stream disruptions (drop, force 410 on resume, stall).
import type { Verb } from './stats.js';

export interface FaultMatch {
  verb?: Verb;
  /** Plural with optional subresource, as in stats: "pods", "atoms/status". */
  resource?: string;
  /** Probability 0..1 that a matching request is affected (default 1). */
  rate?: number;
  /** Affect at most this many requests, then the rule expires. */
  times?: number;
}

export interface LatencyFault extends FaultMatch {
  ms: number;
}

export interface ErrorFault extends FaultMatch {
  code: 429 | 500 | 503;
  /** Seconds for Retry-After (429/503); default 1. */
  retryAfterSeconds?: number;
}

interface Rule<T> {
  spec: T & FaultMatch;
  used: number;
}

export interface WatchControl {
  drop(resource?: string): void;
  stall(resource?: string): void;
}

export class SandboxFaults {
  private latencies: Rule<LatencyFault>[] = [];
  private errors: Rule<ErrorFault>[] = [];
  private goneResources = new Set<string>();
  private goneAll = false;

  constructor(private readonly watches: WatchControl) {}

  latency(spec: LatencyFault): void {
    this.latencies.push({ spec, used: 0 });
  }

  error(spec: ErrorFault): void {
    this.errors.push({ spec, used: 0 });
  }

  /** Closes open watch streams (all, or of one resource). */
  dropWatches(resource?: string): void {
    this.watches.drop(resource);
  }

  /** The next watch resume (with a resourceVersion) gets an ERROR event with 410 Expired. */
  forceGone(resource?: string): void {
    if (resource) this.goneResources.add(resource);
    else this.goneAll = true;
  }

  /** Keeps watch connections open but sends nothing more on them. */
  stallWatches(resource?: string): void {
    this.watches.stall(resource);
  }

  clear(): void {
    this.latencies = [];
    this.errors = [];
    this.goneResources.clear();
    this.goneAll = false;
  }

  /** Consumes a pending forced 410 for this resource, if any. */
  takeGone(resource: string): boolean {
    if (this.goneAll) {
      this.goneAll = false;
      return true;
    }
    return this.goneResources.delete(resource);
  }

  delayFor(verb: Verb, resource: string): number {
    let total = 0;
    for (const rule of this.latencies) if (this.hit(rule, verb, resource)) total += rule.spec.ms;
    return total;
  }

  errorFor(verb: Verb, resource: string): ErrorFault | undefined {
    for (const rule of this.errors) if (this.hit(rule, verb, resource)) return rule.spec;
    return undefined;
  }

  private hit<T>(rule: Rule<T>, verb: Verb, resource: string): boolean {
    const s = rule.spec;
    if (s.verb !== undefined && s.verb !== verb) return false;
    if (s.resource !== undefined && s.resource !== resource) return false;
    if (s.times !== undefined && rule.used >= s.times) return false;
    if (s.rate !== undefined && Math.random() >= s.rate) return false;
    rule.used++;
    return true;
  }
}
