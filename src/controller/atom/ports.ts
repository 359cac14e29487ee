// What the Atom reconciler needs from the outside world, as small interfaces:
// caches to read, a writer, an event sink, the release poller and a clock. The
// manager wires real ones; tests may wire the same real ones against the sandbox.
import type { AtomStatus } from '../../api/atom-status.js';
import type { Atom } from '../../api/atom.js';
import type { KubeObject, ResourceType } from '../../kube/resource.js';
import type { ReleasePoller, StatusPoller } from '../../platform/index.js';

/** Secrets whose contents are read on demand: also says why a read failed. */
export interface SecretReader extends CacheReader {
  failureOf?(namespace: string | undefined, name: string): Error | undefined;
}

/** Read access to one informer's cache. */
export interface CacheReader<T extends KubeObject = KubeObject> {
  get(key: string): T | undefined;
  getByName(namespace: string | undefined, name: string): T | undefined;
  byIndex(name: string, value: string): T[];
  list(): T[];
}

export interface ChildWriter {
  /** Server-side apply under our field manager, forcing ownership of the fields we send. */
  apply(obj: KubeObject): Promise<KubeObject>;
  /** Deletes if it still exists (404 is fine); `uid` guards against deleting a newer namesake. */
  remove(
    type: ResourceType,
    namespace: string,
    name: string,
    options?: { uid?: string; gracePeriodSeconds?: number },
  ): Promise<void>;
  /** Writes the Atom's status through the status subresource. */
  /** Resolves the object as the server returned it, or undefined when nothing had to be written. */
  writeStatus(
    atom: { namespace: string; name: string; resourceVersion?: string },
    status: AtomStatus,
  ): Promise<KubeObject | undefined>;
}

export interface EventSink {
  record(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The release poller, seen from the Atoms: subscribe, unsubscribe, read the latest result. */
export type ReleaseSource = Pick<ReleasePoller, 'register' | 'unregister' | 'resultFor'>;

/** The platform's view of the Atoms (GET /atom/v1/self), seen from the Atoms: the same three calls. */
export type StatusSource = Pick<StatusPoller, 'register' | 'unregister' | 'resultFor'>;
export type { PollResult, PollTarget, Release } from '../../platform/index.js';

export type { Atom, AtomStatus };
