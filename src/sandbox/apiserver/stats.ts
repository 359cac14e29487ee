// Request accounting for tests and benchmarks: counts by verb, resource and
// field manager, and a bounded log of every request.
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  /** Undefined for non-resource requests (discovery, /version). */
  verb?: Verb;
  /** Plural, with subresource: "pods", "atoms/status". */
  resource?: string;
  group?: string;
  namespace?: string;
  name?: string;
  fieldManager?: string;
  /** HTTP status; 0 while the response is still open (watches). */
  code: number;
  /** Time until the response ended (for watches: until the stream closed); undefined while open. */
  durationMs?: number;
}

export interface StatsSnapshot {
  total: number;
  byVerb: Record<string, number>;
  byResource: Record<string, number>;
  byFieldManager: Record<string, number>;
  /** "verb resource", e.g. "patch atoms/status". */
  byVerbAndResource: Record<string, number>;
}

export interface CountFilter {
  verb?: Verb | Verb[];
  resource?: string;
  fieldManager?: string;
  namespace?: string;
}

const writeVerbs: Verb[] = ['create', 'update', 'patch', 'delete'];

export class SandboxStats {
  private log: RequestRecord[] = [];

  constructor(private readonly logLimit = 10_000) {}

  record(r: RequestRecord): void {
    this.log.push(r);
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
  }

  reset(): void {
    this.log = [];
  }

  /** Every retained request, oldest first. */
  requests(): readonly RequestRecord[] {
    return [...this.log];
  }

  count(filter: CountFilter = {}): number {
    const verbs = filter.verb === undefined ? undefined : Array.isArray(filter.verb) ? filter.verb : [filter.verb];
    return this.log.filter(
      (r) =>
        r.verb !== undefined &&
        (verbs === undefined || verbs.includes(r.verb)) &&
        (filter.resource === undefined || r.resource === filter.resource) &&
        (filter.fieldManager === undefined || r.fieldManager === filter.fieldManager) &&
        (filter.namespace === undefined || r.namespace === filter.namespace),
    ).length;
  }

  /** create + update + patch + delete requests, optionally narrowed. */
  writes(filter: Omit<CountFilter, 'verb'> = {}): number {
    return this.count({ ...filter, verb: writeVerbs });
  }

  snapshot(): StatsSnapshot {
    const s: StatsSnapshot = { total: 0, byVerb: {}, byResource: {}, byFieldManager: {}, byVerbAndResource: {} };
    for (const r of this.log) {
      if (!r.verb) continue;
      s.total++;
      s.byVerb[r.verb] = (s.byVerb[r.verb] ?? 0) + 1;
      if (r.resource) {
        s.byResource[r.resource] = (s.byResource[r.resource] ?? 0) + 1;
        const key = `${r.verb} ${r.resource}`;
        s.byVerbAndResource[key] = (s.byVerbAndResource[key] ?? 0) + 1;
      }
      if (r.fieldManager) s.byFieldManager[r.fieldManager] = (s.byFieldManager[r.fieldManager] ?? 0) + 1;
    }
    return s;
  }
}
