// Apply: carry out a decision with as few writes as possible. A child is written only when the cache
// shows it drifted from what we build; children that do not depend on each other go out together;
// every write is remembered (expectations) until the cache shows it, so no pass repeats one.
import type { Logger } from 'pino';
import type { AtomStatus } from '../../api/atom-status.js';
import { KubeApiError, type KubeErrorCode } from '../../kube/errors.js';
import { CoreTypes, type KubeObject } from '../../kube/resource.js';
import { canonicalJSON, childKinds, contentHash, specHashAnnotation } from '../../resources/index.js';
import type { PlannedEvent } from '../../rollout/index.js';
import type { Decision } from './decide.js';
import { type ChildChange, childChangeEvents } from './events.js';
import { isSubset } from './drift.js';
import type { Expectations } from './expectations.js';
import type { PodFacts } from './observation.js';
import type { CacheReader, ChildWriter, EventSink } from './ports.js';
import { reasons } from '../../api/reasons.js';

export interface ApplyDeps {
  atoms: CacheReader;
  pods: CacheReader;
  /** The cache each child kind is read from, by kind. */
  childCaches: ReadonlyMap<string, CacheReader>;
  writer: ChildWriter;
  events: EventSink;
  expectations: Expectations;
  now: () => Date;
}

/** What the API server said that the decision must hear (it is decided again with it), and what changed. */
export interface ApplyFeedback {
  networkPolicyFailed?: string;
  refused?: string;
  /** The children written in this pass, for the events that tell it. */
  changes: ChildChange[];
}

/** Admission, quota, RBAC or validation said no: retrying at once will not help, a person must act. */
const REFUSALS: ReadonlySet<KubeErrorCode> = new Set<KubeErrorCode>(['KubeForbidden', 'KubeInvalid', 'KubeBadRequest']);

/** Writes the children that drifted (together), removals, then the pod step; returns what to decide again on. */
export async function applyDecision(
  deps: ApplyDeps,
  key: string,
  owner: KubeObject,
  decision: Decision,
  logger: Logger,
): Promise<ApplyFeedback> {
  const feedback: ApplyFeedback = { changes: [] };
  const results = await Promise.allSettled(decision.children.map((c) => applyIfDrifted(deps, key, c, logger)));
  const changes: ChildChange[] = [];
  let failure: unknown;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      if (r.value) changes.push(r.value);
    } else if (decision.children[i]?.kind === 'NetworkPolicy') {
      feedback.networkPolicyFailed = (r.reason as Error).message;
    } else failure ??= r.reason;
  });
  feedback.changes = changes;
  if (failure) {
    // What was written is told even when another child failed: the retry will not write it again.
    for (const e of childChangeEvents(changes, undefined)) deps.events.record(owner, e.type, e.reason, e.message);
    throw failure;
  }
  for (const r of decision.removals) {
    const type = childKinds.find((c) => c.kind === r.kind)?.type;
    if (!type) continue;
    await write(deps, key, deps.childCaches.get(r.kind), r.name, owner.metadata.namespace, r.resourceVersion, () =>
      deps.writer.remove(type, owner.metadata.namespace ?? '', r.name, r.uid ? { uid: r.uid } : {}),
    );
  }
  const refused = await applyPod(deps, key, owner.metadata.namespace ?? '', decision);
  if (refused) feedback.refused = refused;
  return feedback;
}

/** Performs the pod step; resolves why the API server refused a new pod, if it did. */
async function applyPod(
  deps: ApplyDeps,
  key: string,
  namespace: string,
  decision: Decision,
): Promise<string | undefined> {
  const action = decision.pod;
  if (action.kind === 'Create') {
    const name = action.pod.metadata?.name ?? '';
    try {
      await write(deps, key, deps.pods, name, namespace, undefined, () => deps.writer.apply(action.pod as KubeObject));
    } catch (err) {
      if (err instanceof KubeApiError && REFUSALS.has(err.code))
        return `the API server refused pod ${name}: ${err.message}`;
      throw err;
    }
  } else if (action.kind === 'Delete') {
    for (const pod of action.pods) await removePod(deps, key, namespace, pod);
  }
  return undefined;
}

async function removePod(deps: ApplyDeps, key: string, namespace: string, pod: PodFacts): Promise<void> {
  await write(deps, key, deps.pods, pod.name, namespace, pod.resourceVersion ?? null, () =>
    deps.writer.remove(CoreTypes.pods, namespace, pod.name, pod.uid ? { uid: pod.uid } : {}),
  );
}

/** Applies `built` unless the cache already shows all of it; says what happened (for one event per pass). */
async function applyIfDrifted(deps: ApplyDeps, key: string, built: KubeObject, logger: Logger) {
  const cache = deps.childCaches.get(built.kind ?? '');
  const hash = contentHash(built);
  const annotations = { ...built.metadata.annotations, [specHashAnnotation]: hash };
  const desired = { ...built, metadata: { ...built.metadata, annotations } };
  const { namespace, name } = desired.metadata;
  const live = cache?.getByName(namespace, name);
  if (live && inSync(desired, live)) return undefined;
  await write(deps, key, cache, name, namespace, live?.metadata.resourceVersion ?? null, () =>
    deps.writer.apply(desired),
  );
  const what = `${desired.kind} ${name}`;
  if (!live) return { kind: reasons.Created, what } satisfies ChildChange;
  // What we last applied is unchanged, so the difference is someone else's edit.
  if (live.metadata.annotations?.[specHashAnnotation] === hash) {
    logger.info({ kind: desired.kind, name }, 'restored drifted child');
    return { kind: reasons.Restored, what } satisfies ChildChange;
  }
  return { kind: reasons.Updated, what } satisfies ChildChange;
}

function inSync(desired: KubeObject, live: KubeObject): boolean {
  const same = (field: 'labels' | 'annotations' | 'ownerReferences') =>
    isSubset(desired.metadata[field], live.metadata[field]);
  return same('labels') && same('annotations') && same('ownerReferences') && isSubset(body(desired), body(live));
}

function body(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj as KubeObject & { status?: unknown };
  return rest;
}

/** Runs one write and remembers it until the cache shows its effect. */
async function write(
  deps: ApplyDeps,
  key: string,
  cache: CacheReader | undefined,
  name: string,
  namespace: string | undefined,
  before: string | null | undefined,
  run: () => Promise<unknown>,
): Promise<void> {
  await run();
  if (cache) deps.expectations.expect(key, cache, namespace ?? '', name, before ?? null, deps.now().getTime());
}

/** Writes the status when it differs from what the Atom shows, and the decided events. */
export async function applyStatus(
  deps: ApplyDeps,
  key: string,
  raw: KubeObject,
  status: AtomStatus | undefined,
  events: readonly PlannedEvent[],
  logger: Logger,
): Promise<void> {
  for (const e of events) {
    deps.events.record(raw, e.type, e.reason, e.message);
    if (e.type === 'Warning') logger.warn({ reason: e.reason }, e.message);
  }
  const before = (raw as { status?: AtomStatus }).status;
  if (!status || canonicalJSON(before ?? {}) === canonicalJSON(status)) return;
  const { namespace = '', name, resourceVersion } = raw.metadata;
  const written = await deps.writer.writeStatus(
    { namespace, name, ...(resourceVersion ? { resourceVersion } : {}) },
    status,
  );
  if (written && written.metadata.resourceVersion !== resourceVersion) {
    deps.expectations.expect(key, deps.atoms, namespace, name, resourceVersion ?? null, deps.now().getTime());
  }
}
