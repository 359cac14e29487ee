// A poller on a fake clock with a real PlatformClient against the platform simulator, for the
// release and status poller tests: what was notified, and a way to move time and wait.
import { Registry } from 'prom-client';
import { PlatformClient } from '../../src/platform/client.js';
import { FakeClock } from './fake-clock.js';

export interface PollerUnderTest {
  whenIdle(): Promise<void>;
  stop(): Promise<void>;
}

export interface PollerHarness<P extends PollerUnderTest> {
  poller: P;
  client: PlatformClient;
  clock: FakeClock;
  registry: Registry;
  notified: string[][];
  /** Advances time (default: past the longest jittered interval) and waits for the polls that fired. */
  advance(ms?: number): Promise<void>;
}

export interface PollerDeps {
  client: PlatformClient;
  clock: FakeClock;
  registry: Registry;
  onResult: (keys: string[]) => void;
}

/** Builds harnesses and stops them all after each test (call `stopAll` in afterEach). */
export function pollerHarnesses(intervalMs: number, start = '2026-01-01T00:00:00Z') {
  const running: PollerHarness<PollerUnderTest>[] = [];
  return {
    harness<P extends PollerUnderTest>(make: (deps: PollerDeps) => P): PollerHarness<P> {
      const clock = new FakeClock(Date.parse(start));
      const registry = new Registry();
      const client = new PlatformClient({
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
        handshakeProbeMs: 300,
      });
      const notified: string[][] = [];
      const poller = make({ client, clock, registry, onResult: (keys) => notified.push(keys) });
      const h: PollerHarness<P> = {
        poller,
        client,
        clock,
        registry,
        notified,
        async advance(ms = intervalMs * 1.1 + 1) {
          clock.advance(ms);
          await poller.whenIdle();
        },
      };
      running.push(h);
      return h;
    },
    async stopAll(): Promise<void> {
      await Promise.all(running.splice(0).map(async (h) => (await h.poller.stop(), await h.client.close())));
    },
  };
}

/** The value of one labelled series of a metric (0 when absent). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const found = await registry.getSingleMetric(name)?.get();
  return found?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0;
}
