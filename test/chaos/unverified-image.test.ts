// Found by the chaos suite: with release public keys configured, a new Atom that
// follows the platform must not start on a guessed tag (repository:latest) when the
// platform's first answer is an error; it waits for a verified, signed release.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { watchFleetInvariants, type FleetInvariants } from '../support/fleet-invariants.js';
import { spawnOperator, type OperatorProcess } from '../support/operator-process.js';
import {
  CHANNEL,
  NS,
  atomState,
  convergenceGaps,
  fleetOperatorArgs,
  imageOf,
  releaseOf,
  startChaosFleet,
  type ChaosFleet,
} from './chaos-fleet.js';

let fleet: ChaosFleet;
let invariants: FleetInvariants;
let operator: OperatorProcess | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  fleet = await startChaosFleet(3);
  invariants = watchFleetInvariants(fleet.sandbox);
}, 60_000);

afterAll(async () => {
  await operator?.kill('SIGKILL');
  invariants?.stop();
  await fleet?.stop();
});

it('keeps a new Atom without a pod while the platform fails, then installs the signed release', async () => {
  fleet.simulator.signWith(fleet.simulator.releaseKeys.privateKeyPem);
  fleet.simulator.setRelease(CHANNEL, releaseOf('1.0.0', '1'));
  invariants.trust(imageOf('1'));
  fleet.simulator.failNext(1_000_000, 503);
  operator = spawnOperator({
    kubeconfigPath: fleet.sandbox.kubeconfigPath,
    identity: 'solo',
    args: ['--leader-election-enabled=false', ...fleetOperatorArgs(fleet)],
  });
  const name = fleet.names[0]!;
  const upToDate = () => atomState(fleet, name)?.status?.conditions?.find((c) => c.type === 'UpToDate');
  const deadline = Date.now() + 30_000;
  while (!fleet.simulator.requests.some((r) => r.status === 503) || !upToDate()) {
    if (Date.now() > deadline || !operator.running())
      throw new Error(`no status after a failed platform answer:\n${operator.output()}`);
    await sleep(50);
  }
  // A few reconciles and polls more: still nothing may run.
  await sleep(3_000);
  expect(invariants.violations()).toEqual([]);
  expect(fleet.sandbox.store.list('pods', NS)).toEqual([]);
  expect(upToDate()?.status).not.toBe('True');

  fleet.simulator.failNext(0, 503);
  const installed = Date.now() + 30_000;
  while (convergenceGaps(fleet, '1.0.0', imageOf('1')).length > 0) {
    if (Date.now() > installed)
      throw new Error(
        `not installed once the platform answered: ${convergenceGaps(fleet, '1.0.0', imageOf('1')).join('; ')}`,
      );
    await sleep(100);
  }
  expect(invariants.violations()).toEqual([]);
}, 90_000);
