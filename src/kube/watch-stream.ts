// Decodes a watch response (one JSON event per line) and detects stalls: a
// watch that delivers neither an event nor a bookmark within the deadline is
// treated as dead, because a half-open TCP connection never errors by itself.
import { KubeApiError, kubeErrorFromResponse } from './errors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: unknown;
}

export class WatchStalledError extends KubeApiError {
  constructor(stallMs: number) {
    super({ code: 'KubeTimeout', status: 0, message: `watch delivered nothing for ${stallMs} ms; restarting it` });
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

/**
 * Reads events until the server closes the stream (resolves), an ERROR event
 * arrives (rejects with the mapped KubeApiError, e.g. KubeGone), the stream
 * stalls for `stallMs` (rejects with WatchStalledError) or `signal` aborts (resolves).
 */
export async function consumeWatch(
  stream: ReadableStream<Uint8Array>,
  onEvent: (event: WatchEvent) => void,
  options: { stallMs: number; signal: AbortSignal },
): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      void reader.cancel().catch(() => undefined);
    }, options.stallMs);
    timer.unref();
  };
  const onAbort = () => void reader.cancel().catch(() => undefined);
  options.signal.addEventListener('abort', onAbort, { once: true });
  arm();
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (stalled) throw new WatchStalledError(options.stallMs);
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
    if (stalled) throw new WatchStalledError(options.stallMs);
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
