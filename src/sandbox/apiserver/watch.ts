// Watch streams: newline-delimited JSON events over a chunked response, resumed
// from a resourceVersion out of the store's history, or a 410 ERROR event when
// that history is gone, exactly as the real server frames them.
import type { ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import type { WatchControl } from './faults.js';
import type { FieldSelector, LabelSelector } from './selectors.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject, ObjectStore, StoreEvent } from './store.js';

export interface WatchRequest {
  t: ResourceType;
  /** "pods" or "atoms": what faults and stats call the resource. */
  resource: string;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldSelector;
  resourceVersion?: string;
  allowBookmarks: boolean;
  /** The request accepts a gzip response (fetch asks for it by itself unless told otherwise). */
  acceptsGzip: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  /** Shapes each event's object (version, Table conversion). */
  render: (obj: KubeObject, first: boolean) => unknown;
  /** The kind bookmarks carry when events are converted (PartialObjectMetadata); the watched kind otherwise. */
  bookmarkAs?: { kind: string; apiVersion: string };
  /** When set, the resume is answered with a 410 ERROR event (fault injection). */
  forceGone: boolean;
}

interface Stream {
  resource: string;
  res: ServerResponse;
  stalled: boolean;
  close(): void;
}

export class WatchHub implements WatchControl {
  private readonly streams = new Set<Stream>();

  constructor(
    private readonly store: ObjectStore,
    /** Periodic bookmarks on quiet watches; undefined = none, as kube-apiserver promises none. */
    private readonly bookmarkIntervalMs: number | undefined,
  ) {}

  open(req: WatchRequest, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    let first = true;
    const stream: Stream = { resource: req.resource, res, stalled: false, close: () => undefined };
    const send = (type: string, object: unknown): void => {
      if (stream.stalled || res.writableEnded) return;
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const sendObject = (type: string, obj: KubeObject): void => {
      send(type, req.render(obj, first));
      first = false;
    };
    const matches = (obj: KubeObject | undefined): boolean =>
      obj !== undefined &&
      (req.namespace === undefined || obj.metadata.namespace === req.namespace) &&
      req.labels(obj.metadata.labels ?? {}) &&
      req.fields(obj);
    const deliver = (e: StoreEvent): void => {
      if (e.storeKey !== req.t.storeKey) return;
      const now = matches(e.object);
      const before = e.type === 'MODIFIED' && matches(e.prev);
      if (e.type === 'MODIFIED' && before && !now) sendObject('DELETED', e.object);
      else if (e.type === 'MODIFIED' && !before && now) sendObject('ADDED', e.object);
      else if (now) sendObject(e.type, e.object);
    };
    const bookmark = (extra?: Record<string, string>): void => {
      const metadata: Record<string, unknown> = {
        resourceVersion: String(this.store.currentRevision()),
        creationTimestamp: null,
      };
      if (extra) metadata.annotations = extra;
      send('BOOKMARK', {
        kind: req.bookmarkAs?.kind ?? req.t.kind,
        apiVersion: req.bookmarkAs?.apiVersion ?? (req.t.group ? `${req.t.group}/${req.t.version}` : req.t.version),
        metadata,
      });
    };

    const rv = req.resourceVersion;
    const fromScratch = rv === undefined || rv === '' || rv === '0';
    if (!fromScratch && (req.forceGone || Number(rv) < this.store.compactedRevision())) {
      const err = new ApiError(
        410,
        'Expired',
        `too old resource version: ${rv} (${Math.max(this.store.compactedRevision(), Number(rv) + 1)})`,
      );
      send('ERROR', err.toStatus());
      res.end();
      return;
    }
    const initial: StoreEvent[] =
      fromScratch || req.sendInitialEvents
        ? this.store
            .listShared(req.t.storeKey, req.namespace)
            .map((object) => ({ type: 'ADDED' as const, rv: 0, storeKey: req.t.storeKey, object }))
        : this.store.eventsSince(req.t.storeKey, Number(rv));
    for (const e of initial) deliver(e);
    if (req.sendInitialEvents && req.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    const unsubscribe = this.store.subscribe(deliver);
    const timers: NodeJS.Timeout[] = [];
    // kube-apiserver v1.32 sends a quiet watch a bookmark now and then at best, and none at all through
    // gzip (its compressor holds small writes back): only tests that ask get them, and never through gzip.
    if (req.allowBookmarks && !req.acceptsGzip && this.bookmarkIntervalMs !== undefined) {
      timers.push(setInterval(() => bookmark(), this.bookmarkIntervalMs));
    }
    if (req.timeoutSeconds !== undefined) {
      // A hung (stalled) connection does not deliver the end of the stream either.
      timers.push(
        setTimeout(() => {
          if (!stream.stalled) stream.close();
        }, req.timeoutSeconds * 1000),
      );
    }
    stream.close = () => {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      this.streams.delete(stream);
      if (!res.writableEnded) res.end();
    };
    res.on('close', () => stream.close());
    this.streams.add(stream);
  }

  private select(resource?: string): Stream[] {
    return [...this.streams].filter((s) => resource === undefined || s.resource === resource);
  }

  /** Ends the streams cleanly, as the real server does when a watch times out. */
  drop(resource?: string): void {
    for (const s of this.select(resource)) s.close();
  }

  /** Hangs the streams: nothing more on them, not even their end at timeoutSeconds. */
  stall(resource?: string): void {
    for (const s of this.select(resource)) s.stalled = true;
  }

  count(resource?: string): number {
    return this.select(resource).length;
  }

  closeAll(): void {
    for (const s of [...this.streams]) {
      s.close();
      s.res.socket?.destroy();
    }
  }
}
