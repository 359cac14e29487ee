import { describe, expect, it } from 'vitest';
import type { FleetPolicy } from './config.js';
import { atomsInScope, fleetGateFor, planFleet, type FleetAtomFacts } from './fleet.js';

const now = new Date('2025-11-24T03:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const policy: FleetPolicy = { maxConcurrent: 1, soakSeconds: 300, haltThreshold: 2, scope: 'Cluster' };

type Mod = (atom: FleetAtomFacts) => void;

function atom(name: string, ...mods: Mod[]): FleetAtomFacts {
  const [namespace = 'ns', short = name] = name.includes('/') ? name.split('/') : ['ns', name];
  const facts: FleetAtomFacts = {
    key: `${namespace}/${short}`,
    namespace,
    wave: 0,
    mode: 'Automatic',
    currentVersion: '1.0.0',
    targetVersion: '1.1.0',
    updating: false,
    healthy: true,
    healthySince: ago(86_400),
  };
  for (const mod of mods) mod(facts);
  return facts;
}

const wave =
  (n: number): Mod =>
  (a) => {
    a.wave = n;
  };
const onNew =
  (readyForSeconds = 3600): Mod =>
  (a) => {
    a.currentVersion = '1.1.0';
    a.healthySince = ago(readyForSeconds);
  };
const updating: Mod = (a) => {
  a.updating = true;
  a.healthy = false;
  a.updateStartedAt = ago(60);
};
const unhealthy: Mod = (a) => {
  a.healthy = false;
  a.healthySince = undefined;
};
const failedIt: Mod = (a) => {
  a.failedVersions = ['1.1.0'];
  a.lastRolloutResult = 'RolledBack';
};
const manual: Mod = (a) => {
  a.mode = 'Manual';
};
const pinned: Mod = (a) => {
  a.mode = 'Manual';
  a.pinned = true;
  a.targetVersion = '1.0.0';
};
const outsideWindow: Mod = (a) => {
  a.readyToStart = false;
};
const resume =
  (version: string): Mod =>
  (a) => {
    a.resumeRollout = version;
  };
const target =
  (version: string): Mod =>
  (a) => {
    a.targetVersion = version;
  };

interface Expected {
  allowed: string[];
  waiting?: Record<string, string>;
  halted?: boolean;
}

function summary(atoms: FleetAtomFacts[], overrides: Partial<FleetPolicy> = {}, version = '1.1.0') {
  const plan = planFleet({ atoms, policy: { ...policy, ...overrides }, version, now });
  return {
    allowed: [...plan.allowed],
    waiting: Object.fromEntries([...plan.waiting].map(([key, wait]) => [key, wait.reason])),
    halted: plan.halted,
  };
}

describe('planFleet', () => {
  it.each<[string, FleetAtomFacts[], Partial<FleetPolicy>, Expected]>([
    ['a lone follower may start', [atom('a')], {}, { allowed: ['ns/a'] }],
    // concurrency
    [
      'one at a time, chosen by key whatever the input order',
      [atom('c'), atom('a'), atom('b')],
      {},
      { allowed: ['ns/a'], waiting: { 'ns/b': 'ConcurrencyLimitReached', 'ns/c': 'ConcurrencyLimitReached' } },
    ],
    [
      'an Atom already updating takes the only slot',
      [atom('a', updating), atom('b'), atom('c')],
      {},
      { allowed: [], waiting: { 'ns/b': 'ConcurrencyLimitReached', 'ns/c': 'ConcurrencyLimitReached' } },
    ],
    [
      'maxConcurrent 2 with one updating leaves one slot',
      [atom('a', updating), atom('b'), atom('c')],
      { maxConcurrent: 2 },
      { allowed: ['ns/b'], waiting: { 'ns/c': 'ConcurrencyLimitReached' } },
    ],
    [
      '50% of 4 Atoms is 2',
      [atom('a'), atom('b'), atom('c'), atom('d')],
      { maxConcurrent: '50%' },
      { allowed: ['ns/a', 'ns/b'], waiting: { 'ns/c': 'ConcurrencyLimitReached', 'ns/d': 'ConcurrencyLimitReached' } },
    ],
    [
      '10% of 5 Atoms rounds down but is at least 1',
      [atom('a'), atom('b'), atom('c'), atom('d'), atom('e')],
      { maxConcurrent: '10%' },
      {
        allowed: ['ns/a'],
        waiting: {
          'ns/b': 'ConcurrencyLimitReached',
          'ns/c': 'ConcurrencyLimitReached',
          'ns/d': 'ConcurrencyLimitReached',
          'ns/e': 'ConcurrencyLimitReached',
        },
      },
    ],
    [
      'percentages count every Atom in scope, Manual ones too',
      [
        atom('a'),
        atom('b'),
        atom('c'),
        atom('m1', manual),
        atom('m2', manual),
        atom('m3', manual),
        atom('m4', manual),
        atom('m5', manual),
      ],
      { maxConcurrent: '25%' },
      { allowed: ['ns/a', 'ns/b'], waiting: { 'ns/c': 'ConcurrencyLimitReached' } },
    ],
    [
      'a pinned Atom updating counts toward the limit',
      [atom('p', pinned, updating), atom('a')],
      {},
      { allowed: [], waiting: { 'ns/a': 'ConcurrencyLimitReached' } },
    ],
    ['an Atom outside its own window keeps no slot', [atom('a', outsideWindow), atom('b')], {}, { allowed: ['ns/b'] }],
    // waves and soak
    [
      'wave 1 waits for wave 0',
      [atom('b', wave(1)), atom('a')],
      {},
      { allowed: ['ns/a'], waiting: { 'ns/b': 'WaitingForEarlierWave' } },
    ],
    [
      'wave 1 starts once wave 0 is updated and soaked',
      [atom('a', onNew(300)), atom('b', wave(1))],
      {},
      { allowed: ['ns/b'] },
    ],
    [
      'wave 1 waits while wave 0 soaks',
      [atom('a', onNew(100)), atom('b', wave(1))],
      {},
      { allowed: [], waiting: { 'ns/b': 'WaitingForEarlierWave' } },
    ],
    [
      'wave 1 waits while wave 0 is unhealthy on the new version',
      [atom('a', onNew(), unhealthy), atom('b', wave(1))],
      {},
      { allowed: [], waiting: { 'ns/b': 'WaitingForEarlierWave' } },
    ],
    [
      'wave 1 waits while wave 0 is updating',
      [atom('a', updating), atom('b', wave(1))],
      { maxConcurrent: 5 },
      { allowed: [], waiting: { 'ns/b': 'WaitingForEarlierWave' } },
    ],
    [
      'wave 0 outside its window still holds wave 1 back',
      [atom('a', outsideWindow), atom('b', wave(1))],
      {},
      { allowed: [], waiting: { 'ns/b': 'WaitingForEarlierWave' } },
    ],
    ['Manual Atoms do not block waves', [atom('m', manual), atom('b', wave(1))], {}, { allowed: ['ns/b'] }],
    ['pinned Atoms do not block waves', [atom('p', pinned), atom('b', wave(1))], {}, { allowed: ['ns/b'] }],
    [
      'an Atom that failed the version does not block later waves',
      [atom('f', failedIt), atom('b', wave(1))],
      {},
      { allowed: ['ns/b'] },
    ],
    [
      'a first install takes no slot but holds its wave back',
      [
        atom('new', (a) => {
          a.currentVersion = undefined;
        }),
        atom('a'),
        atom('b', wave(1)),
      ],
      {},
      { allowed: ['ns/a'], waiting: { 'ns/b': 'WaitingForEarlierWave' } },
    ],
    [
      'an Atom already newer neither waits nor blocks',
      [
        atom('n', (a) => {
          a.currentVersion = '1.2.0';
        }),
        atom('b', wave(1)),
      ],
      {},
      { allowed: ['ns/b'] },
    ],
    [
      'the lowest unfinished wave goes first, wherever it is',
      [atom('x', wave(7)), atom('y', wave(3))],
      { maxConcurrent: 5 },
      { allowed: ['ns/y'], waiting: { 'ns/x': 'WaitingForEarlierWave' } },
    ],
    [
      'Atoms following another version are not planned, but their updates count',
      [atom('o', target('1.2.0'), updating), atom('a')],
      {},
      { allowed: [], waiting: { 'ns/a': 'ConcurrencyLimitReached' } },
    ],
    // halt
    ['one failure below the threshold of 2 continues', [atom('f', failedIt), atom('a')], {}, { allowed: ['ns/a'] }],
    [
      'two failures halt the version',
      [atom('f', failedIt), atom('g', failedIt), atom('a'), atom('b', wave(1))],
      {},
      { allowed: [], waiting: { 'ns/a': 'RolloutHalted', 'ns/b': 'RolloutHalted' }, halted: true },
    ],
    [
      'a failure on a Manual Atom counts too',
      [atom('f', failedIt), atom('m', manual, failedIt), atom('a')],
      {},
      { allowed: [], waiting: { 'ns/a': 'RolloutHalted' }, halted: true },
    ],
    [
      '50% of 4 followers: one failure continues',
      [atom('f', failedIt), atom('a'), atom('b'), atom('c')],
      { haltThreshold: '50%', maxConcurrent: 5 },
      { allowed: ['ns/a', 'ns/b', 'ns/c'] },
    ],
    [
      '50% of 4 followers: two failures halt',
      [atom('f', failedIt), atom('g', failedIt), atom('a'), atom('b')],
      { haltThreshold: '50%' },
      { allowed: [], waiting: { 'ns/a': 'RolloutHalted', 'ns/b': 'RolloutHalted' }, halted: true },
    ],
    [
      '10% of 5 followers: the first failure halts',
      [atom('f', failedIt), atom('a'), atom('b'), atom('c'), atom('d')],
      { haltThreshold: '10%' },
      {
        allowed: [],
        waiting: { 'ns/a': 'RolloutHalted', 'ns/b': 'RolloutHalted', 'ns/c': 'RolloutHalted', 'ns/d': 'RolloutHalted' },
        halted: true,
      },
    ],
    [
      'the resume annotation on any Atom in scope lifts the halt',
      [atom('f', failedIt), atom('g', failedIt), atom('m', manual, resume('1.1.0')), atom('a')],
      {},
      { allowed: ['ns/a'] },
    ],
    [
      'a resume annotation for another version does not',
      [atom('f', failedIt), atom('g', failedIt, resume('1.0.9')), atom('a')],
      {},
      { allowed: [], waiting: { 'ns/a': 'RolloutHalted' }, halted: true },
    ],
  ])('%s', (_name, atoms, overrides, expected) => {
    expect(summary(atoms, overrides)).toEqual({ waiting: {}, halted: false, ...expected });
  });

  it('a newer advertised version is planned afresh: failures of the halted one do not count', () => {
    const atoms = [
      atom('f', failedIt, target('1.2.0')),
      atom('g', failedIt, target('1.2.0')),
      atom('a', target('1.2.0')),
    ];
    expect(summary(atoms, {}, '1.1.0').halted).toBe(true);
    expect(summary(atoms, {}, '1.2.0')).toEqual({
      allowed: ['ns/a'],
      waiting: { 'ns/f': 'ConcurrencyLimitReached', 'ns/g': 'ConcurrencyLimitReached' },
      halted: false,
    });
  });

  it('Namespace scope gives each namespace its own limit and halt', () => {
    const atoms = [
      atom('one/a'),
      atom('one/b'),
      atom('two/a'),
      atom('two/b'),
      atom('three/f', failedIt),
      atom('three/g', failedIt),
      atom('three/a'),
    ];
    expect(summary(atoms, { scope: 'Namespace' })).toEqual({
      allowed: ['one/a', 'two/a'],
      waiting: { 'one/b': 'ConcurrencyLimitReached', 'two/b': 'ConcurrencyLimitReached', 'three/a': 'RolloutHalted' },
      halted: true,
    });
    expect(summary(atoms, { scope: 'Cluster' }).allowed).toEqual([]);
  });

  it('tells how long a wave still soaks, and says why it is halted', () => {
    const soaking = planFleet({ atoms: [atom('a', onNew(100)), atom('b', wave(1))], policy, version: '1.1.0', now });
    expect(soaking.waiting.get('ns/b')).toEqual({
      reason: 'WaitingForEarlierWave',
      message: expect.stringContaining('soak'),
      requeueAfter: 200,
    });
    expect(soaking.scopes[0]).toMatchObject({ openWave: 0, updating: 0, maxConcurrent: 1 });

    const halted = planFleet({
      atoms: [atom('f', failedIt), atom('g', failedIt), atom('a')],
      policy,
      version: '1.1.0',
      now,
    });
    expect(halted.haltReason).toContain('2 Atom(s) failed it (threshold 2)');
    expect(halted.haltReason).toContain('atomoperator.io/resume-rollout=1.1.0');
    expect(halted.waiting.get('ns/a')?.requeueAfter).toBeUndefined();
  });
});

describe('fleetGateFor', () => {
  it('translates the plan into the gate decideUpdate takes', () => {
    const plan = planFleet({ atoms: [atom('a'), atom('b'), atom('c', outsideWindow)], policy, version: '1.1.0', now });
    expect(fleetGateFor(plan, 'ns/a')).toEqual({ kind: 'Allowed' });
    expect(fleetGateFor(plan, 'ns/b')).toEqual({
      kind: 'Waiting',
      reason: 'ConcurrencyLimitReached',
      message: expect.stringContaining('1 of at most 1'),
      requeueAfterSeconds: 60,
    });
    expect(fleetGateFor(plan, 'ns/c')).toMatchObject({ kind: 'Waiting', requeueAfterSeconds: 60 });
  });

  it('says who resumed a halted rollout', () => {
    const plan = planFleet({
      atoms: [atom('f', failedIt), atom('g', failedIt, resume('1.1.0')), atom('a')],
      policy,
      version: '1.1.0',
      now,
    });
    expect(fleetGateFor(plan, 'ns/a')).toEqual({
      kind: 'Allowed',
      reason: 'RolloutResumed',
      message: expect.stringContaining('ns/g'),
    });
  });
});

describe('atomsInScope', () => {
  const atoms = [atom('one/a'), atom('two/b')];
  it.each<[FleetPolicy['scope'], string[]]>([
    ['Cluster', ['one/a', 'two/b']],
    ['Namespace', ['one/a']],
  ])('%s scope', (scope, keys) => {
    expect(atomsInScope(atoms, 'one', { scope }).map((a) => a.key)).toEqual(keys);
  });
});
