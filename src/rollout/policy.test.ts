import { describe, expect, it } from 'vitest';
import { decideUpdate, readyToStart, type UpdateInput, type VerifiedRelease } from './policy.js';

const repository = 'registry.example.com/vendor/atom';
const digest = `sha256:${'a'.repeat(64)}`;
const pinDigest = `sha256:${'b'.repeat(64)}`;
const windowOpenAt = '2025-11-24T03:00:00Z'; // Monday, inside Mon 02:00 +4h UTC
const windowClosedAt = '2025-11-24T12:00:00Z';

type Mod = (input: UpdateInput) => void;

function input(...mods: Mod[]): UpdateInput {
  const base: UpdateInput = {
    spec: { image: { repository }, update: { mode: 'Automatic', windows: [], allowCriticalOutsideWindow: false } },
    status: { currentVersion: '1.0.0' },
    fleet: { kind: 'Allowed' },
    allowCriticalOverride: true,
    now: new Date(windowOpenAt),
  };
  for (const mod of mods) mod(base);
  return base;
}

const advertised =
  (version: string, extra: Partial<VerifiedRelease> = {}): Mod =>
  (i) => {
    i.release = { version, image: repository, digest, critical: false, publishedAt: '2025-11-20T00:00:00Z', ...extra };
  };
const mode =
  (value: UpdateInput['spec']['update']['mode']): Mod =>
  (i) => {
    i.spec.update.mode = value;
  };
const pinned =
  (version: string): Mod =>
  (i) => {
    i.spec.version = version;
  };
const specDigest =
  (value: string): Mod =>
  (i) => {
    i.spec.image.digest = value;
  };
const running =
  (version: string | undefined): Mod =>
  (i) => {
    i.status = { ...i.status, currentVersion: version };
  };
const failed =
  (...versions: string[]): Mod =>
  (i) => {
    i.status = { ...i.status, failedVersions: versions };
  };
const mondayWindow: Mod = (i) => {
  i.spec.update.windows = [{ days: ['Mon'], start: '02:00', duration: '4h', timeZone: 'UTC' }];
};
const at =
  (iso: string): Mod =>
  (i) => {
    i.now = new Date(iso);
  };
const criticalAllowedByAtom: Mod = (i) => {
  i.spec.update.allowCriticalOutsideWindow = true;
};
const operatorForbidsCritical: Mod = (i) => {
  i.allowCriticalOverride = false;
};
const fleet =
  (gate: UpdateInput['fleet']): Mod =>
  (i) => {
    i.fleet = gate;
  };

const started = (version: string, image: string, reason: string, initial = false) => ({
  kind: 'Start',
  to: { version, image, byTag: false },
  initial,
  reason,
  condition: { status: 'False', reason },
});

describe('decideUpdate', () => {
  it.each<[string, Mod[], Record<string, unknown>]>([
    // Automatic
    [
      'newer advertised version starts on the verified digest',
      [advertised('1.1.0')],
      started('1.1.0', `${repository}@${digest}`, 'UpdateStarting'),
    ],
    [
      'the advertised version already runs',
      [advertised('1.0.0')],
      { kind: 'UpToDate', reason: 'UpToDate', condition: { status: 'True', reason: 'UpToDate' } },
    ],
    [
      'an older advertised version is not a downgrade',
      [advertised('0.9.0')],
      { kind: 'UpToDate', message: expect.stringContaining('not downgraded') },
    ],
    [
      'nothing advertised yet',
      [],
      {
        kind: 'UpToDate',
        reason: 'NoReleaseAdvertised',
        condition: { status: 'Unknown', reason: 'NoReleaseAdvertised' },
      },
    ],
    [
      'an unparseable running version is replaced',
      [running('latest'), advertised('1.1.0')],
      started('1.1.0', `${repository}@${digest}`, 'UpdateStarting'),
    ],
    [
      'first install starts at once, ignoring window and fleet',
      [
        running(undefined),
        advertised('1.1.0'),
        mondayWindow,
        at(windowClosedAt),
        fleet({ kind: 'Waiting', reason: 'ConcurrencyLimitReached', message: 'busy' }),
      ],
      started('1.1.0', `${repository}@${digest}`, 'InitialInstall', true),
    ],
    // Disabled and Manual
    [
      'Disabled with a newer version shows it',
      [mode('Disabled'), advertised('1.1.0')],
      {
        kind: 'Disabled',
        reason: 'UpdatesDisabled',
        condition: { status: 'False', reason: 'UpdatesDisabled', message: expect.stringContaining('1.1.0') },
      },
    ],
    [
      'Disabled with nothing newer is up to date',
      [mode('Disabled'), advertised('1.0.0')],
      { kind: 'Disabled', condition: { status: 'True', reason: 'UpToDate' } },
    ],
    [
      'Manual awaits approval',
      [mode('Manual'), advertised('1.1.0')],
      {
        kind: 'AwaitingApproval',
        version: '1.1.0',
        reason: 'UpdateAvailable',
        condition: {
          status: 'False',
          reason: 'UpdateAvailable',
          message: expect.stringContaining('set spec.version to 1.1.0'),
        },
      },
    ],
    [
      'Manual with nothing installed still awaits approval',
      [mode('Manual'), running(undefined), advertised('1.1.0')],
      { kind: 'AwaitingApproval', version: '1.1.0' },
    ],
    ['Manual and up to date', [mode('Manual'), advertised('1.0.0')], { kind: 'UpToDate' }],
    // pins
    [
      'pin running, newer advertised: Manual shows UpdateAvailable',
      [mode('Manual'), pinned('1.0.0'), advertised('1.1.0')],
      {
        kind: 'Pinned',
        version: '1.0.0',
        condition: {
          status: 'False',
          reason: 'UpdateAvailable',
          message: expect.stringContaining('set spec.version to 1.1.0'),
        },
      },
    ],
    [
      'pin running, nothing newer',
      [mode('Manual'), pinned('1.0.0'), advertised('1.0.0')],
      { kind: 'Pinned', condition: { status: 'True', reason: 'Pinned' } },
    ],
    [
      'pin running, newer advertised: Disabled says so',
      [mode('Disabled'), pinned('1.0.0'), advertised('1.1.0')],
      { kind: 'Pinned', condition: { status: 'False', reason: 'UpdatesDisabled' } },
    ],
    [
      'approved pin equal to the advertised version uses its digest',
      [mode('Manual'), pinned('1.1.0'), advertised('1.1.0')],
      started('1.1.0', `${repository}@${digest}`, 'PinRollingOut'),
    ],
    [
      'pin in Disabled mode is still rolled out',
      [mode('Disabled'), pinned('1.1.0'), advertised('1.1.0')],
      started('1.1.0', `${repository}@${digest}`, 'PinRollingOut'),
    ],
    [
      'pin other than advertised uses spec.image.digest',
      [mode('Manual'), pinned('1.0.5'), specDigest(pinDigest), advertised('1.1.0')],
      started('1.0.5', `${repository}@${pinDigest}`, 'PinRollingOut'),
    ],
    [
      'pin without any known digest goes by tag, and says so',
      [mode('Manual'), pinned('1.0.5'), advertised('1.1.0')],
      {
        kind: 'Start',
        to: { version: '1.0.5', image: `${repository}:1.0.5`, byTag: true },
        reason: 'PinRollingOutByTag',
        message: expect.stringContaining('no verified digest'),
      },
    ],
    [
      'pin with build metadata becomes a valid tag',
      [mode('Manual'), pinned('1.0.5+7')],
      { kind: 'Start', to: { version: '1.0.5+7', image: `${repository}:1.0.5_7`, byTag: true } },
    ],
    [
      'pin older than the running version rolls back to it',
      [mode('Manual'), pinned('0.9.0'), specDigest(pinDigest)],
      started('0.9.0', `${repository}@${pinDigest}`, 'PinRollingOut'),
    ],
    [
      'pin that failed before is not retried',
      [mode('Manual'), pinned('1.1.0'), failed('1.1.0'), advertised('1.1.0')],
      { kind: 'KnownBad', version: '1.1.0', message: expect.stringContaining('pin another version') },
    ],
    [
      'pinned rollout does not wait for the fleet',
      [
        mode('Manual'),
        pinned('1.1.0'),
        advertised('1.1.0'),
        fleet({ kind: 'Waiting', reason: 'RolloutHalted', message: 'halted' }),
      ],
      { kind: 'Start' },
    ],
    [
      'pinned rollout waits for the window',
      [mode('Manual'), pinned('1.1.0'), advertised('1.1.0'), mondayWindow, at(windowClosedAt)],
      { kind: 'WaitingForWindow', version: '1.1.0' },
    ],
    [
      'first install of a pin does not wait for the window',
      [mode('Manual'), running(undefined), pinned('1.1.0'), advertised('1.1.0'), mondayWindow, at(windowClosedAt)],
      started('1.1.0', `${repository}@${digest}`, 'InitialInstall', true),
    ],
    // known bad
    [
      'advertised version that failed here is not retried',
      [advertised('1.1.0'), failed('1.1.0')],
      {
        kind: 'KnownBad',
        version: '1.1.0',
        reason: 'KnownBadVersion',
        condition: { status: 'False', reason: 'KnownBadVersion' },
      },
    ],
    [
      'a newer version than the failed one is tried',
      [advertised('1.2.0'), failed('1.1.0')],
      started('1.2.0', `${repository}@${digest}`, 'UpdateStarting'),
    ],
    // windows and critical override
    ['inside the window it starts', [advertised('1.1.0'), mondayWindow], { kind: 'Start' }],
    [
      'outside the window it waits until the next opening',
      [advertised('1.1.0'), mondayWindow, at(windowClosedAt)],
      {
        kind: 'WaitingForWindow',
        version: '1.1.0',
        reason: 'OutsideMaintenanceWindow',
        nextOpensAt: new Date('2025-12-01T02:00:00Z'),
        requeueAt: new Date('2025-12-01T02:00:00Z'),
        message: expect.stringContaining('Mon 02:00 for 4h (UTC)'),
      },
    ],
    [
      'critical release overrides the window when both allow it',
      [advertised('1.1.0', { critical: true }), mondayWindow, at(windowClosedAt), criticalAllowedByAtom],
      started('1.1.0', `${repository}@${digest}`, 'CriticalUpdateOutsideWindow'),
    ],
    [
      'critical release waits when the Atom does not allow the override',
      [advertised('1.1.0', { critical: true }), mondayWindow, at(windowClosedAt)],
      { kind: 'WaitingForWindow', message: expect.stringContaining('allowCriticalOutsideWindow') },
    ],
    [
      'critical release waits when the operator does not allow the override',
      [
        advertised('1.1.0', { critical: true }),
        mondayWindow,
        at(windowClosedAt),
        criticalAllowedByAtom,
        operatorForbidsCritical,
      ],
      { kind: 'WaitingForWindow', message: expect.stringContaining('fleet.allowCriticalOverride') },
    ],
    [
      'a release that is not critical never overrides',
      [advertised('1.1.0'), mondayWindow, at(windowClosedAt), criticalAllowedByAtom],
      { kind: 'WaitingForWindow' },
    ],
    [
      'a window it cannot understand blocks updates',
      [
        advertised('1.1.0'),
        (i) => {
          i.spec.update.windows = [{ days: ['Mon'], start: '02:00', duration: '4h', timeZone: 'Europe/Atlantis' }];
        },
      ],
      {
        kind: 'InvalidWindow',
        reason: 'InvalidMaintenanceWindow',
        message: expect.stringContaining('Europe/Atlantis'),
      },
    ],
    // fleet
    [
      'fleet concurrency makes it wait and requeue',
      [
        advertised('1.1.0'),
        fleet({
          kind: 'Waiting',
          reason: 'ConcurrencyLimitReached',
          message: '1 of 1 Atoms are updating.',
          requeueAfterSeconds: 60,
        }),
      ],
      {
        kind: 'WaitingForFleet',
        version: '1.1.0',
        reason: 'ConcurrencyLimitReached',
        requeueAt: new Date('2025-11-24T03:01:00Z'),
        condition: { status: 'False', reason: 'ConcurrencyLimitReached' },
      },
    ],
    [
      'halted fleet makes it wait',
      [
        advertised('1.1.0'),
        fleet({ kind: 'Waiting', reason: 'RolloutHalted', message: 'Rollout of 1.1.0 is halted.' }),
      ],
      { kind: 'WaitingForFleet', reason: 'RolloutHalted', message: expect.stringContaining('halted') },
    ],
    [
      'window is checked before the fleet',
      [
        advertised('1.1.0'),
        mondayWindow,
        at(windowClosedAt),
        fleet({ kind: 'Waiting', reason: 'RolloutHalted', message: 'halted' }),
      ],
      { kind: 'WaitingForWindow' },
    ],
    [
      'a resumed rollout says so when it starts',
      [
        advertised('1.1.0'),
        fleet({
          kind: 'Allowed',
          reason: 'RolloutResumed',
          message: 'Resumed by atomoperator.io/resume-rollout on ns/a.',
        }),
      ],
      { kind: 'Start', message: expect.stringContaining('Resumed by') },
    ],
  ])('%s', (_name, mods, expected) => {
    expect(decideUpdate(input(...mods))).toMatchObject(expected);
  });

  it('never targets a mutable tag for an advertised version', () => {
    const decision = decideUpdate(
      input(advertised('1.1.0'), (i) => {
        i.spec.image.digest = undefined;
      }),
    );
    expect(decision.kind === 'Start' && decision.to.image).toBe(`${repository}@${digest}`);
  });
});

describe('readyToStart', () => {
  it.each<[string, Mod[], boolean]>([
    ['inside the window', [advertised('1.1.0'), mondayWindow], true],
    ['outside the window', [advertised('1.1.0'), mondayWindow, at(windowClosedAt)], false],
    ['up to date', [advertised('1.0.0')], false],
    ['known bad', [advertised('1.1.0'), failed('1.1.0')], false],
  ])('%s: %s', (_name, mods, expected) => {
    const { fleet: _ignored, ...rest } = input(
      ...mods,
      fleet({ kind: 'Waiting', reason: 'RolloutHalted', message: 'halted' }),
    );
    expect(readyToStart(rest)).toBe(expected);
  });
});
