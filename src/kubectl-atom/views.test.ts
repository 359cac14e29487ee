// The pure views: rows, rollouts per scope, certificates, why, tables and times.
import { describe, expect, it } from 'vitest';
import { parseAtom, type Atom } from '../api/atom.js';
import type { Condition } from '../api/atom-status.js';
import { certificateRows } from './certs-view.js';
import { formatRollout, nameList } from './rollout-format.js';
import { detectScope, fleetRollouts, rolloutsSettled } from './rollout-view.js';
import { headline, rolloutState, statusRow } from './status-view.js';
import { formatTable, truncate } from './table.js';
import { humanDuration, parseSpan, untilOrSince } from './time.js';
import { formatWhy, needsAttention, pluginHint } from './why-view.js';

const now = new Date('2026-12-01T00:00:00Z');
const t = '2026-11-30T00:00:00Z';
const cond = (type: string, status: Condition['status'], reason: string, message = `${type} ${reason}`): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: t,
});

type Shape = {
  ns?: string;
  mode?: 'Automatic' | 'Manual' | 'Disabled';
  wave?: number;
  version?: string;
  status?: Record<string, unknown>;
  annotations?: Record<string, string>;
  channel?: string;
};

function atom(name: string, shape: Shape = {}): Atom {
  const parsed = parseAtom({
    apiVersion: 'atomoperator.io/v1alpha1',
    kind: 'Atom',
    metadata: {
      name,
      namespace: shape.ns ?? 'default',
      ...(shape.annotations ? { annotations: shape.annotations } : {}),
    },
    spec: {
      platform: { accountId: 'acme' },
      registration: { certificateSecretRef: { name: `${name}-registration` } },
      ...(shape.version ? { version: shape.version } : {}),
      update: {
        mode: shape.mode ?? 'Automatic',
        wave: shape.wave ?? 0,
        ...(shape.channel ? { channel: shape.channel } : {}),
      },
    },
    ...(shape.status ? { status: shape.status } : {}),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.atom;
}

const ready = cond('Ready', 'True', 'PodReady');
const running = (version: string, advertised: string, extra: Record<string, unknown> = {}) => ({
  currentVersion: version,
  advertisedVersion: advertised,
  conditions: [ready],
  ...extra,
});
const updating = (from: string, to: string) => ({
  currentVersion: from,
  advertisedVersion: to,
  conditions: [cond('Ready', 'False', 'PodStarting')],
  rolloutHistory: [{ from, to, startedAt: t, result: 'InProgress' }],
});

describe('status rows', () => {
  it.each([
    ['an open rollout', updating('1.0.0', '1.1.0'), 'Updating to 1.1.0'],
    [
      'the UpToDate reason',
      running('1.0.0', '1.1.0', { conditions: [ready, cond('UpToDate', 'False', 'RolloutHalted')] }),
      'RolloutHalted',
    ],
    ['nothing reported yet', undefined, 'Unknown'],
  ])('the rollout column shows %s', (_, status, expected) => {
    expect(rolloutState(atom('a', status ? { status } : {}))).toBe(expected);
  });

  it.each([
    [
      'Degraded first',
      [cond('Ready', 'False', 'PodNotReady', 'not ready'), cond('Degraded', 'True', 'RolledBack', 'rolled back')],
      'rolled back',
    ],
    [
      'then Ready',
      [cond('Ready', 'False', 'PodNotReady', 'not ready'), cond('UpToDate', 'False', 'UpdateAvailable', 'new')],
      'not ready',
    ],
    ['then UpToDate', [ready, cond('UpToDate', 'False', 'UpdateAvailable', 'approve 2.0')], 'approve 2.0'],
    ['nothing when all is well', [ready, cond('UpToDate', 'True', 'UpToDate', 'fine')], ''],
    ['a pinned Atom is fine', [ready, cond('UpToDate', 'False', 'Pinned', 'pinned')], ''],
  ])('the message: %s', (_, conditions, expected) => {
    expect(headline(atom('a', { status: { conditions } }))).toBe(expected);
  });

  it('marks Degraded and keeps versions, wave and certificate expiry', () => {
    const row = statusRow(
      atom('a', {
        wave: 3,
        status: {
          ...running('1.0.0', '1.1.0'),
          conditions: [ready, cond('Degraded', 'True', 'RolledBack'), cond('Connected', 'False', 'NotConnected')],
          certificate: { notAfter: '2027-01-01T00:00:00Z' },
        },
      }),
    );
    expect(row).toMatchObject({
      ready: 'True',
      connected: 'False',
      version: '1.0.0',
      advertised: '1.1.0',
      wave: 3,
      degraded: true,
      certificateNotAfter: '2027-01-01T00:00:00Z',
    });
  });
});

describe('fleet rollouts', () => {
  const fleet = [
    atom('w0-a', { wave: 0, status: running('1.1.0', '1.1.0') }),
    atom('w0-b', { wave: 0, status: running('1.0.0', '1.1.0', { failedVersions: ['1.1.0'] }) }),
    atom('w1-a', { wave: 1, status: updating('1.0.0', '1.1.0') }),
    atom('w1-b', { wave: 1, status: running('1.0.0', '1.1.0') }),
    atom('w2-a', { wave: 2, status: running('1.0.0', '1.1.0') }),
    atom('manual', { mode: 'Manual', version: '1.0.0', status: running('1.0.0', '1.1.0') }),
    // No certificate, never heard of a release: still a follower of what its channel advertises.
    atom('silent', { wave: 2 }),
  ];

  it('counts waves, Atoms in flight, failures and approvals, as the fleet plan does', () => {
    const [rollout] = fleetRollouts(fleet, 'Cluster');
    expect(rollout).toEqual({
      scope: '',
      version: '1.1.0',
      followers: 6,
      done: 1,
      waves: [
        { wave: 0, atoms: 2, done: 1, updating: 0, failed: 1, state: 'Done' },
        { wave: 1, atoms: 2, done: 0, updating: 1, failed: 0, state: 'InProgress' },
        { wave: 2, atoms: 2, done: 0, updating: 0, failed: 0, state: 'Pending' },
      ],
      inFlight: ['default/w1-a'],
      failed: ['default/w0-b'],
      halted: false,
      awaitingApproval: ['default/manual'],
      complete: false,
    });
    expect(rolloutsSettled([rollout!])).toBe(false);
  });

  it('is halted when the operator says so, unless an Atom carries the resume annotation', () => {
    const halt = cond(
      'UpToDate',
      'False',
      'RolloutHalted',
      'Version 1.1.0 waits for the fleet: The rollout of 1.1.0 is halted: 2 failed.',
    );
    const halted = [
      ...fleet,
      atom('held', { wave: 2, status: running('1.0.0', '1.1.0', { conditions: [ready, halt] }) }),
    ];
    const [rollout] = fleetRollouts(halted, 'Cluster');
    expect(rollout).toMatchObject({ halted: true, haltReason: 'The rollout of 1.1.0 is halted: 2 failed.' });
    expect(rolloutsSettled([rollout!])).toBe(true);
    expect(formatRollout(rollout!)).toMatch(
      /To resume:\s+kubectl atom resume --version 1\.1\.0 \(sets atomoperator\.io\/resume-rollout\)/,
    );
    const resumed = [
      ...halted.slice(1),
      atom('w0-b', { annotations: { 'atomoperator.io/resume-rollout': '1.1.0' }, status: running('1.0.0', '1.1.0') }),
    ];
    expect(fleetRollouts(resumed, 'Cluster')[0]).toMatchObject({ halted: false, resumedBy: 'default/w0-b' });
  });

  it('a halt belongs to the version its Atoms follow, not to every version its message mentions', () => {
    // 5.0.3 halted on channel beta; 5.0 on channel lts is fine, though " 5.0" is in the halt message.
    const halt = cond('UpToDate', 'False', 'RolloutHalted', 'The rollout of 5.0.3 is halted: 2 failed.');
    const rollouts = fleetRollouts(
      [
        atom('beta', { channel: 'beta', status: running('4.9', '5.0.3', { conditions: [ready, halt] }) }),
        atom('lts', { channel: 'lts', status: running('4.9', '5.0') }),
      ],
      'Cluster',
    );
    expect(rollouts.map((r) => [r.version, r.halted])).toEqual([
      ['5.0', false],
      ['5.0.3', true],
    ]);
  });

  it('plans each namespace on its own with Namespace scope, and finds that scope in the messages', () => {
    const a = atom('a', { ns: 'x', status: running('1.1.0', '1.1.0') });
    const b = atom('b', {
      ns: 'y',
      status: running('1.0.0', '1.1.0', {
        conditions: [
          ready,
          cond('UpToDate', 'False', 'ConcurrencyLimitReached', '1 of at most 1 Atom(s) in namespace y are updating'),
        ],
      }),
    });
    expect(detectScope([a, b])).toBe('Namespace');
    expect(detectScope([a])).toBe('Cluster');
    const rollouts = fleetRollouts([a, b], 'Namespace');
    expect(rollouts.map((r) => [r.scope, r.complete])).toEqual([
      ['x', true],
      ['y', false],
    ]);
  });

  it('tells versions of different channels apart, oldest first', () => {
    const rollouts = fleetRollouts(
      [
        atom('s', { status: running('1.0.0', '1.1.0') }),
        atom('b', { channel: 'beta', status: running('1.0.0', '2.0.0-beta.1') }),
      ],
      'Cluster',
    );
    expect(rollouts.map((r) => [r.version, r.followers])).toEqual([
      ['1.1.0', 1],
      ['2.0.0-beta.1', 1],
    ]);
  });

  it('names at most five Atoms, then how many more', () => {
    expect(nameList([])).toBe('none');
    expect(nameList(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('a, b, c, d, e and 2 more');
  });
});

describe('certificates', () => {
  it('sorts by expiry, unknown last, and filters by --expiring (expired included)', () => {
    const cert = (notAfter: string) => ({ certificate: { notAfter } });
    const atoms = [
      atom('later', { status: cert('2027-06-01T00:00:00Z') }),
      atom('unknown'),
      atom('expired', { status: cert('2026-11-01T00:00:00Z') }),
      atom('soon', { status: cert('2026-12-10T00:00:00Z') }),
    ];
    expect(certificateRows(atoms, now).map((r) => r.name)).toEqual(['expired', 'soon', 'later', 'unknown']);
    expect(certificateRows(atoms, now, parseSpan('30d')).map((r) => r.name)).toEqual(['expired', 'soon']);
  });
});

describe('why', () => {
  it.each([
    [cond('Ready', 'False', 'PodNotReady'), true],
    [cond('Ready', 'True', 'PodReady'), false],
    [cond('Degraded', 'True', 'RolledBack'), true],
    [cond('Degraded', 'False', 'AsExpected'), false],
    [cond('CertificateValid', 'True', 'ExpiresSoon'), true],
    [cond('Progressing', 'True', 'UpdateProgressing'), false],
  ])('%o needs attention: %s', (condition, expected) => {
    expect(needsAttention(condition)).toBe(expected);
  });

  it.each([
    [
      'UpdateAvailable',
      { mode: 'Manual' as const, version: '1.0.0' },
      'kubectl atom approve a --version 1.1.0 -n default',
    ],
    ['UpdateAvailable', {}, undefined],
    ['RolloutHalted', {}, 'kubectl atom rollout status, then kubectl atom resume --version 1.1.0'],
    ['RolledBack', {}, 'kubectl atom forget-failed a 1.1.0 -n default (to retry 1.1.0)'],
    ['PodReady', {}, undefined],
  ])('%s %o suggests %s', (reason, shape, hint) => {
    const status = running('1.0.0', '1.1.0', { failedVersions: ['1.1.0'] });
    expect(pluginHint(reason, atom('a', { ...shape, status }))).toBe(hint);
  });

  it('quotes the doc entry of each reason that needs attention, and of Warning events', () => {
    const text = formatWhy({
      atom: atom('a', {
        status: {
          conditions: [cond('Ready', 'False', 'PodNotReady', 'waiting'), cond('Degraded', 'False', 'AsExpected')],
        },
      }),
      events: [
        {
          type: 'Warning',
          reason: 'ImagePullBackOff',
          message: 'cannot pull',
          count: 2,
          lastTimestamp: t,
          metadata: {},
          involvedObject: {},
        },
      ],
      docs: new Map([
        ['PodNotReady', '- Means: not ready.'],
        ['ImagePullBackOff', '- Means: cannot pull.'],
      ]),
      now,
    });
    expect(text).toContain('PodNotReady (Ready=False)\n  - Means: not ready.');
    expect(text).toContain('ImagePullBackOff (Warning event)\n  - Means: cannot pull.');
    expect(text).not.toContain('AsExpected (');
    expect(text).toMatch(/24h\s+Warning\s+ImagePullBackOff\s+2\s+cannot pull/);
  });
});

describe('tables and times', () => {
  it('pads columns to the widest cell, three spaces apart, without trailing blanks', () => {
    expect(
      formatTable(
        ['NAME', 'X'],
        [
          ['a', ''],
          ['longer', 'yes'],
        ],
      ),
    ).toBe('NAME     X\na\nlonger   yes\n');
    expect(truncate('a  b\nc', 10)).toBe('a b c');
    expect(truncate('abcdefghijkl', 8)).toBe('abcde...');
  });

  it.each([
    [5_000, '5s'],
    [150_000, '2m30s'],
    [3_600_000 * 5 + 60_000 * 7, '5h7m'],
    [86_400_000 * 3, '3d'],
    [86_400_000 * 40, '40d'],
    [86_400_000 * 800, '2y'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('reads spans and says which side of now an instant is', () => {
    expect([parseSpan('30d'), parseSpan('2w'), parseSpan('1h30m'), parseSpan('soon')]).toEqual([
      30 * 86_400_000,
      14 * 86_400_000,
      5_400_000,
      undefined,
    ]);
    expect(untilOrSince('2026-12-03T00:00:00Z', now)).toBe('in 2d');
    expect(untilOrSince('2026-11-29T00:00:00Z', now)).toBe('expired 2d ago');
  });
});
