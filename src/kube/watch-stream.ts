// Decodes a watch response (one JSON event per line) and detects hung streams.
// A healthy watch on quiet objects may send nothing at all until the server ends
// it at its own timeoutSeconds (kube-apiserver promises no bookmark on a quiet
// watch), so silence alone proves nothing. A stream that neither delivers
// anything nor ends by `quietUntil` plus a margin is dead: a half-open TCP
// connection never errors by itself.
import { KubeApiError, kubeErrorFromResponse } from './errors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: unknown;
}

export class WatchStalledError extends KubeApiError {
  constructor(what: string) {
    super({ code: 'KubeTimeout', status: 0, message: `watch hung: ${what}; restarting it` });
  }
}

const EVENT_TYPES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

function decodeLine(line: string): WatchEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { type, object } = parsed as { type?: unknown; object?: unknown };
  if (type === 'ERROR') {
    const status = typeof object === 'object' && object !== null ? (object as { code?: unknown }).code : undefined;
    throw kubeErrorFromResponse(typeof status === 'number' ? status : 500, object, undefined, 'watch');
  }
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return undefined;
  return { type: type as WatchEventType, object };
}

export interface ConsumeWatchOptions {
  /** Epoch ms until which silence is normal: the end of the watch's own timeoutSeconds. */
  readonly quietUntil: number;
  /** Silence tolerated past `quietUntil` (and after the last event) before the stream counts as hung. */
  readonly stallMs: number;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/**
 * Reads events until the server closes the stream (resolves), an ERROR event
 * arrives (rejects with the mapped KubeApiError, e.g. KubeGone), nothing
 * arrives past `quietUntil` + `stallMs` (rejects with WatchStalledError) or
 * `signal` aborts (resolves).
 */
export async function consumeWatch(
  stream: ReadableStream<Uint8Array>,
  onEvent: (event: WatchEvent) => void,
  options: ConsumeWatchOptions,
): Promise<void> {
  const now = options.now ?? Date.now;
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  let silentSince = now();
  const arm = () => {
    if (timer !== undefined) clearTimeout(timer);
    silentSince = now();
    timer = setTimeout(
      () => {
        stalled = true;
        void reader.cancel().catch(() => undefined);
      },
      Math.max(options.quietUntil - silentSince, 0) + options.stallMs,
    );
    timer.unref();
  };
  const hung = () =>
    new WatchStalledError(
      `silent for ${Math.round(now() - silentSince)} ms and not ended by the server ${options.stallMs} ms past its timeout`,
    );
  const onAbort = () => void reader.cancel().catch(() => undefined);
  options.signal.addEventListener('abort', onAbort, { once: true });
  arm();
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (stalled) throw hung();
        if (options.signal.aborted) return;
        throw err;
      }
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line !== '') {
          const event = decodeLine(line);
          if (event) {
            arm();
            onEvent(event);
          }
        }
        newline = buffer.indexOf('\n');
      }
    }
    if (stalled) throw hung();
    const rest = buffer.trim();
    if (rest !== '') {
      const event = decodeLine(rest);
      if (event) onEvent(event);
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}
