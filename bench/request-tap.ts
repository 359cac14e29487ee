// The sandbox keeps a bounded request log (10,000 entries); a fleet of 10,000
// Atoms makes several times that. The tap drains the log often enough that
// nothing is dropped, and keeps every record for the benchmark's own counting.
import type { RequestRecord, Sandbox } from '../src/sandbox/index.js';

export const BENCH_FIELD_MANAGER = 'atom-bench';
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete']);

export interface RequestCounts {
  total: number;
  writes: number;
  byVerb: Record<string, number>;
  byVerbAndResource: Record<string, number>;
}

/** The operator's requests are everything the benchmark did not send itself. */
export function isOperatorRequest(r: RequestRecord): boolean {
  return r.verb !== undefined && r.fieldManager !== BENCH_FIELD_MANAGER;
}

export function isWrite(r: RequestRecord): boolean {
  return r.verb !== undefined && WRITE_VERBS.has(r.verb);
}

export function countRequests(records: readonly RequestRecord[]): RequestCounts {
  const counts: RequestCounts = { total: 0, writes: 0, byVerb: {}, byVerbAndResource: {} };
  for (const r of records) {
    if (r.verb === undefined) continue;
    counts.total++;
    if (isWrite(r)) counts.writes++;
    counts.byVerb[r.verb] = (counts.byVerb[r.verb] ?? 0) + 1;
    const key = `${r.verb} ${r.resource ?? '?'}`;
    counts.byVerbAndResource[key] = (counts.byVerbAndResource[key] ?? 0) + 1;
  }
  return counts;
}

/** Which Atom a request concerns: the Atom itself or a child named `<atom>-agent|install|egress`. */
export function atomOf(r: RequestRecord): string | undefined {
  if (!r.name || !r.resource) return undefined;
  if (r.resource.startsWith('atoms')) return r.name;
  const child = /^(.+)-(agent|install|egress)$/.exec(r.name);
  return child?.[1];
}

export class RequestTap {
  readonly #sandbox: Sandbox;
  readonly #timer: NodeJS.Timeout;
  #records: RequestRecord[] = [];

  constructor(sandbox: Sandbox, intervalMs = 50) {
    this.#sandbox = sandbox;
    sandbox.stats.reset();
    this.#timer = setInterval(() => this.drain(), intervalMs);
  }

  /** Moves the sandbox's log into the tap; synchronous, so no request falls between read and reset. */
  drain(): void {
    const fresh = this.#sandbox.stats.requests();
    this.#sandbox.stats.reset();
    for (const r of fresh) this.#records.push(r);
  }

  /** Every record since the last take, and forget them. */
  take(): RequestRecord[] {
    this.drain();
    const out = this.#records;
    this.#records = [];
    return out;
  }

  /** Records so far without forgetting them. */
  peek(): readonly RequestRecord[] {
    this.drain();
    return this.#records;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
