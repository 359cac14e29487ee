// Properties of the platform's view of an Atom: whatever GET /atom/v1/self answers, the client
// ends in a valid SelfStatus or a documented PlatformError, and the connectivity decision never
// throws and only decides what its rules allow.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomStatus } from '../../src/api/atom-status.js';
import { decideConnectivity, type ConnectivityInput } from '../../src/health/connectivity.js';
import { PlatformClient } from '../../src/platform/client.js';
import type { Endpoint } from '../../src/platform/dispatchers.js';
import {
  PlatformError,
  PlatformUnreachableError,
  StatusMalformedError,
  TimeoutError,
  platformErrorDocs,
} from '../../src/platform/errors.js';
import { parseSelfStatus, selfStatusSchema } from '../../src/platform/self-status.js';
import type { StatusPollResult } from '../../src/platform/status-poller.js';
import { startPlatformSimulator, type PlatformSimulator } from '../../src/sandbox/platform-simulator/index.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const camelCase = /^[A-Z][A-Za-z0-9]*$/;
const NOW = Date.parse('2026-12-01T12:00:00Z');

const timestamp = fc.oneof(
  fc
    .date({ min: new Date(NOW - 86_400_000 * 30), max: new Date(NOW + 3_600_000), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom('2026-12-01T12:00:00+02:00', '2026-12-01 12:00', 'yesterday', '', '9999-12-31T23:59:59Z'),
);
/** Mostly plausible answers with wrong types, extra fields and broken JSON mixed in. */
const selfBody = fc.oneof(
  fc
    .record(
      {
        atomId: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)),
        online: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, null)),
        lastContactAt: timestamp,
        runningVersion: fc.oneof(fc.constantFrom('5.0.2', '24.11.0.1', ''), fc.string({ maxLength: 10 })),
        extra: fc.anything({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', 'null', '{', '<html>502 Bad Gateway</html>', '{"atomId":"a","online":true}'),
);

describe('parseSelfStatus', () => {
  it('returns a valid answer or throws StatusMalformed, nothing else', () => {
    fc.assert(
      fc.property(selfBody, (body) => {
        try {
          const status = parseSelfStatus(body);
          expect(selfStatusSchema.safeParse(status).success).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(StatusMalformedError);
          expect((error as Error).message.length).toBeGreaterThan(20);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fetchSelf against the simulator', () => {
  let sim: PlatformSimulator;
  let endpoint: Endpoint;
  const client = new PlatformClient({ retry: { maxAttempts: 1 } });

  beforeAll(async () => {
    sim = await startPlatformSimulator();
    const issued = await sim.issueRegistrationCertificate('fuzz-atom');
    endpoint = { url: sim.url, caPem: sim.caPem, credential: { certPem: issued.cert, keyPem: issued.key } };
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it('ends every random body in a valid answer or a documented PlatformError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(selfBody, fc.constant('x'.repeat(100 * 1024))), async (body) => {
        sim.setSelfStatus('fuzz-atom', { answer: 'malformed', body });
        const outcome = await client.fetchSelf(endpoint).then(
          (answer) => ({ answer }),
          (error: unknown) => ({ error }),
        );
        if ('answer' in outcome) {
          expect(outcome.answer.offered).toBe(true);
          if (outcome.answer.offered) expect(selfStatusSchema.safeParse(outcome.answer.status).success).toBe(true);
        } else {
          expect(outcome.error).toBeInstanceOf(PlatformError);
          expect(Object.keys(platformErrorDocs)).toContain((outcome.error as PlatformError).code);
        }
      }),
      { numRuns: Math.min(RUNS, 60) },
    );
  }, 60_000);
});

const pollResult: fc.Arbitrary<StatusPollResult | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant({ kind: 'not-offered' as const, checkedAt: new Date(NOW) }),
  fc
    .constantFrom(new TimeoutError('slow'), new StatusMalformedError('bad'), new PlatformUnreachableError('down'))
    .map((error) => ({
      kind: 'error' as const,
      checkedAt: new Date(NOW),
      error,
    })),
  fc
    .record({
      atomId: fc.string({ minLength: 1, maxLength: 20 }),
      online: fc.boolean(),
      lastContactAt: fc.option(
        fc.integer({ min: -3_600_000, max: 86_400_000 * 3 }).map((ago) => new Date(NOW - ago).toISOString()),
        { nil: undefined },
      ),
      runningVersion: fc.option(fc.constantFrom('5.0.2', '5.0.3'), { nil: undefined }),
      stalled: fc.boolean(),
    })
    .map(({ stalled, lastContactAt, runningVersion, ...status }) => ({
      kind: 'answer' as const,
      checkedAt: new Date(NOW),
      stalled,
      status: { ...status, ...(lastContactAt ? { lastContactAt } : {}), ...(runningVersion ? { runningVersion } : {}) },
    })),
);
const agoDate = fc.integer({ min: 0, max: 86_400_000 * 3 }).map((ago) => new Date(NOW - ago));
const condition = (type: string) =>
  fc.option(
    fc.record({
      type: fc.constant(type),
      status: fc.constantFrom('True' as const, 'False' as const, 'Unknown' as const),
      reason: fc.constantFrom('Online', 'ReportedOffline', 'AtomOffline', 'RolledBack'),
      message: fc.constant(''),
      lastTransitionTime: agoDate.map((d) => d.toISOString()),
    }),
    { nil: undefined },
  );

const connectivityInput: fc.Arbitrary<ConnectivityInput> = fc.record({
  now: fc.constant(new Date(NOW)),
  poll: pollResult,
  health: fc.record({
    offlineGracePeriod: fc.constantFrom('5m', '30s', '1h30m', '0s', '.5h', '72h'),
    restartWhenOffline: fc.boolean(),
  }),
  pod: fc.record({ ready: fc.boolean(), readySince: fc.option(agoDate, { nil: undefined }) }),
  rolloutInProgress: fc.boolean(),
  expectedVersion: fc.option(fc.constantFrom('5.0.2', '5.0.3'), { nil: undefined }),
  previous: fc.record({
    connected: condition('Connected'),
    degraded: condition('Degraded'),
    platform: fc.option(
      fc.record(
        {
          atomId: fc.constant('a'),
          offlineRestarts: fc.nat(40),
          lastOfflineRestartTime: agoDate.map((d) => d.toISOString()),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
  }),
  fleet: fc.record({ inFlight: fc.nat(5), maxConcurrent: fc.integer({ min: 1, max: 5 }) }),
});

describe('decideConnectivity', () => {
  it('never throws, writes a valid status, and only restarts what its rules allow', () => {
    fc.assert(
      fc.property(connectivityInput, (input) => {
        const d = decideConnectivity(input);
        expect(d.connected.reason).toMatch(camelCase);
        expect(d.connected.message.length).toBeGreaterThan(10);
        expect(atomStatus.safeParse({ platform: d.platform, conditions: [] }).success).toBe(true);
        for (const event of d.events) expect(event.reason).toMatch(camelCase);
        if (d.requeueAfterMs !== undefined) expect(d.requeueAfterMs).toBeGreaterThanOrEqual(1000);
        expect(d.offline).toBe(d.degraded !== undefined);
        if (d.degraded) expect(input.pod.ready && d.connected.status === 'False').toBe(true);
        if (d.replacePod) {
          expect(d.degraded).toBeDefined();
          expect(input.health.restartWhenOffline && !input.rolloutInProgress).toBe(true);
          expect(input.fleet.inFlight).toBeLessThan(input.fleet.maxConcurrent);
          expect(d.platform?.lastOfflineRestartTime).toBe('2026-12-01T12:00:00Z');
        }
      }),
      { numRuns: RUNS },
    );
  });
});
