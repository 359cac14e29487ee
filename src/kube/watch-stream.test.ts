import { describe, expect, it } from 'vitest';
import { consumeWatch, WatchStalledError, type WatchEvent } from './watch-stream.js';

function streamOf(chunks: string[], keepOpen = false): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (!keepOpen) controller.close();
    },
  });
}

const run = async (
  stream: ReadableStream<Uint8Array>,
  stallMs = 5000,
  signal = new AbortController().signal,
  quietUntil = Date.now(),
) => {
  const events: WatchEvent[] = [];
  await consumeWatch(stream, (e) => events.push(e), { quietUntil, stallMs, signal });
  return events;
};

describe('consumeWatch', () => {
  it('decodes events split across chunks and ignores junk lines', async () => {
    const line = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } });
    const events = await run(
      streamOf([line.slice(0, 10), `${line.slice(10)}\nnot json\n`, '{"type":"BOOKMARK","object":{}}']),
    );
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
  });

  it('turns an ERROR event into a typed error (410 -> KubeGone)', async () => {
    const error = JSON.stringify({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' },
    });
    await expect(run(streamOf([`${error}\n`]))).rejects.toMatchObject({ code: 'KubeGone' });
  });

  it('gives up on a stream that stays silent and open past its timeout plus the margin', async () => {
    await expect(run(streamOf(['{"type":"BOOKMARK","object":{}}\n'], true), 100)).rejects.toBeInstanceOf(
      WatchStalledError,
    );
  });

  it('lets a quiet stream be silent until its own timeout, then allows the margin', async () => {
    const abort = new AbortController();
    const startedAt = Date.now();
    // Silent, open, timeout 600 ms from now, margin 100 ms: healthy for 700 ms, then hung.
    const pending = run(streamOf([], true), 100, abort.signal, startedAt + 600);
    const outcome = await Promise.race([
      pending.then(
        () => 'ended',
        (err: unknown) => err,
      ),
      new Promise((r) => setTimeout(() => r('still open'), 500)),
    ]);
    expect(outcome).toBe('still open');
    await expect(pending).rejects.toMatchObject({
      code: 'KubeTimeout',
      message: /not ended by the server 100 ms past/,
    });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(690);
  });

  it('resolves when aborted', async () => {
    const abort = new AbortController();
    const pending = run(streamOf([], true), 60_000, abort.signal);
    abort.abort();
    await expect(pending).resolves.toEqual([]);
  });
});
