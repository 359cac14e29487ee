import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseListenAddress } from './http-server.js';
import { handleShutdownSignals } from './lifecycle.js';
import { createRootLogger, silentLogger } from './logger.js';

function captureLogger() {
  const out = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  out.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { logger: createRootLogger({ level: 'debug', destination: out }), lines };
}

describe('root logger', () => {
  it('writes JSON with a textual level and redacts secret material', async () => {
    const { logger, lines } = captureLogger();
    logger
      .child({ controller: 'atom', namespace: 'a', name: 'b' })
      .info(
        { secret: { data: { 'tls.key': 'PRIVATE' } }, headers: { authorization: 'Bearer t0k3n' }, token: 'abc' },
        'reconciled',
      );
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'reconciled', controller: 'atom', namespace: 'a', name: 'b' });
    const text = JSON.stringify(lines[0]);
    expect(text).not.toMatch(/PRIVATE|t0k3n|"abc"/);
  });
});

describe('handleShutdownSignals', () => {
  const setup = (stop: () => Promise<void>) => {
    const proc = new EventEmitter();
    const exits: number[] = [];
    const remove = handleShutdownSignals({
      stop,
      logger: silentLogger(),
      shutdownTimeoutMs: 1000,
      exit: (c) => void exits.push(c),
      processLike: proc,
    });
    return { proc, exits, remove };
  };

  it('stops once on SIGTERM and exits 0', async () => {
    let stops = 0;
    const { proc, exits } = setup(async () => void stops++);
    proc.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('exits 1 on a second signal while stopping, and on a failed stop', async () => {
    const { proc, exits } = setup(() => new Promise(() => undefined));
    proc.emit('SIGINT', 'SIGINT');
    proc.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([1]);
    const failing = setup(() => Promise.reject(new Error('boom')));
    failing.proc.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(failing.exits).toEqual([1]);
  });
});

describe('parseListenAddress', () => {
  it.each([
    [':8080', undefined, 8080],
    ['127.0.0.1:0', '127.0.0.1', 0],
    ['[::1]:9090', '::1', 9090],
  ])('%s', (address, host, port) => expect(parseListenAddress(address)).toEqual({ host, port }));
});
