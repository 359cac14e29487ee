// decide() as a table: each case in __fixtures__/decide/*.yaml is an observation (on top of a
// base: a valid Atom, a usable certificate, subscribed, no pods) and the decision a reviewer should
// expect: the pod action, conditions, phase, events and requeue. No cluster, no clock, no I/O.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseAtom } from '../../api/atom.js';
import { certificateReasons } from '../../certificates/inspect.js';
import { connectivityReasons } from '../../health/index.js';
import { platformErrorDocs } from '../../platform/errors.js';
import { contentHash, defaultAgentProfile, desiredPod } from '../../resources/index.js';
import { rolloutReasons } from '../../rollout/index.js';
import type { AtomStatus } from '../../api/atom-status.js';
import { type DecideConfig, type Decision, decide, decideInvalid } from './decide.js';
import type { AtomObservation, PodFacts } from './observation.js';
import { podFacts } from './pod-step.js';
import { reasons } from '../../api/reasons.js';

const dir = fileURLToPath(new URL('./__fixtures__/decide/', import.meta.url));
const NOW = '2026-11-25T12:00:00Z';
const CERT_HASH = 'c0ffee';

interface Case {
  name: string;
  /** The Atom's spec does not parse: these are the problems the parser names. */
  invalid?: string;
  config?: Partial<DecideConfig>;
  atom?: { spec?: Record<string, unknown>; status?: Record<string, unknown>; metadata?: Record<string, unknown> };
  observation?: Record<string, unknown>;
  /** Live pods; `specHash: desired` stands for the hash of the pod the Atom asks for at that image. */
  pods?: (Partial<PodFacts> & {
    specHash?: string;
    ready?: boolean;
    phase?: string;
    restarts?: number;
    waiting?: string;
  })[];
  expect: {
    pod?: 'None' | 'Create' | 'Delete';
    image?: string;
    phase?: string;
    conditions?: Record<string, string>;
    events?: string[];
    requeueAfterMs?: number | null;
    children?: string[];
    removals?: string[];
    started?: string;
    outcomes?: string[];
    memory?: Record<string, unknown>;
    status?: Record<string, unknown>;
  };
}

const config: DecideConfig = {
  defaultPlatformUrl: 'https://platform.example.com',
  profile: defaultAgentProfile,
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
  certificateWarningDays: 30,
  allowCriticalOverride: true,
  requireVerifiedRelease: false,
};

function merge<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (!over || typeof over !== 'object' || Array.isArray(over) || !base || typeof base !== 'object') return over as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out as T;
}

function atomOf(c: Case) {
  const raw = merge(
    {
      apiVersion: 'atomoperator.io/v1alpha1',
      kind: 'Atom',
      metadata: { name: 'a', namespace: 'default', uid: 'u-a', generation: 1 },
      spec: {
        image: { repository: 'registry.example.com/atom' },
        platform: { accountId: 'acme' },
        registration: { certificateSecretRef: { name: 'a-registration' } },
      },
    },
    c.atom,
  );
  const parsed = parseAtom(raw);
  if (!parsed.ok) throw new Error(`fixture ${c.name}: invalid Atom: ${JSON.stringify(parsed.problems)}`);
  return parsed.atom;
}

function observationOf(c: Case, cfg: DecideConfig): AtomObservation {
  const atom = atomOf(c);
  const base: AtomObservation = {
    kind: 'Valid',
    key: 'default/a',
    now: new Date(NOW),
    atom,
    certificate: {
      usable: true,
      reason: 'Valid',
      message: 'the certificate is valid until 2027-06-01T00:00:00Z',
      contentHash: CERT_HASH,
      facts: {
        subject: 'CN=a',
        issuer: 'CN=platform',
        notBefore: '2026-01-01T00:00:00Z',
        notAfter: '2027-06-01T00:00:00Z',
        fingerprintSHA256: 'AB:CD',
      },
    },
    subscribed: true,
    pods: [],
    children: {},
    memory: {},
  };
  const obs = merge(base, c.observation);
  obs.now = new Date(obs.now);
  obs.pods = (c.pods ?? []).map((p) => podOf(p, atom, cfg));
  return obs;
}

function podOf(p: NonNullable<Case['pods']>[number], atom: AtomObservation['atom'], cfg: DecideConfig): PodFacts {
  const image = p.image ?? 'registry.example.com/atom@sha256:1111';
  const desired = podFacts(
    desiredPod(atom, {
      image,
      ...(p.version ? { version: p.version } : {}),
      certificateHash: CERT_HASH,
      platformUrl: atom.spec.platform.url ?? cfg.defaultPlatformUrl ?? '',
      profile: cfg.profile,
    }),
  );
  const ready = p.ready ?? true;
  return {
    name: p.name ?? 'a-agent',
    uid: `uid-${p.name ?? 'a-agent'}`,
    deleting: p.deleting ?? false,
    specHash: p.specHash === 'desired' || p.specHash === undefined ? desired.specHash : p.specHash,
    certificateHash: p.certificateHash ?? CERT_HASH,
    ...(p.version ? { version: p.version } : {}),
    image,
    createdAt: p.createdAt ?? '2026-11-25T11:00:00Z',
    health: {
      phase: p.phase ?? (ready ? 'Running' : 'Pending'),
      ready,
      terminating: p.deleting ?? false,
      crashLooping: p.waiting === 'CrashLoopBackOff',
      restarts: p.restarts ?? 0,
      ...(p.waiting ? { waitingReason: p.waiting } : {}),
      ...(ready ? { readySince: p.health?.readySince ?? '2026-11-25T11:01:00Z' } : {}),
    },
  };
}

function summary(d: Decision) {
  return {
    pod: d.pod.kind,
    image: d.pod.kind === 'Create' ? d.pod.pod.spec?.containers[0]?.image : undefined,
    phase: d.status?.phase,
    conditions: Object.fromEntries(
      (d.status?.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}`]),
    ) as Record<string, string>,
    events: d.events.map((e) => `${e.type} ${e.reason}`),
    requeueAfterMs: d.requeueAfterMs ?? null,
    children: d.children.map((c) => `${c.kind} ${c.metadata.name}`),
    removals: d.removals.map((r) => `${r.kind} ${r.name}`),
    started: d.rollout.started?.version,
    outcomes: d.rollout.outcomes,
    memory: d.memory as Record<string, unknown>,
    status: (d.status ?? {}) as Record<string, unknown>,
  };
}

function invalidSummary(c: Case): ReturnType<typeof summary> {
  const status = c.atom?.status as AtomStatus | undefined;
  const d = decideInvalid({
    kind: 'Invalid',
    now: new Date(NOW),
    generation: 2,
    ...(status ? { status } : {}),
    problems: c.invalid ?? '',
  });
  const conditions = Object.fromEntries((d.status.conditions ?? []).map((x) => [x.type, `${x.status} ${x.reason}`]));
  const events = d.events.map((e) => `${e.type} ${e.reason}`);
  return {
    pod: 'None',
    image: undefined,
    phase: d.status.phase,
    conditions,
    events,
    requeueAfterMs: null,
    children: [],
    removals: [],
    started: undefined,
    outcomes: [],
    memory: {},
    status: d.status,
  };
}

const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const cases = files.flatMap((f) =>
  (load(readFileSync(join(dir, f), 'utf8')) as Case[]).map((c) => ({ ...c, file: f })),
);
const seen = new Set<string>();

describe('decide', () => {
  it.each(cases.map((c) => [`${c.file}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const cfg = { ...config, ...c.config };
    const got = c.invalid ? invalidSummary(c) : summary(decide(observationOf(c, cfg), cfg));
    for (const v of Object.values(got.conditions)) seen.add(v.split(' ')[1] ?? '');
    for (const e of got.events) seen.add(e.split(' ')[1] ?? '');
    for (const r of (got.status as AtomStatus).rolloutHistory ?? []) if (r.reason) seen.add(r.reason);
    const { conditions, events, status, memory, ...rest } = c.expect;
    for (const [k, v] of Object.entries(rest)) expect(got[k as keyof typeof got], k).toEqual(v);
    if (conditions) expect(got.conditions).toMatchObject(conditions);
    if (events) expect(got.events).toEqual(events);
    if (status) expect(got.status).toMatchObject(status);
    if (memory) expect(got.memory).toEqual(memory);
  });

  it('the same observation decides the same (pure: no clock, no hidden state)', () => {
    const c = cases[0]!;
    const obs = observationOf(c, config);
    expect(contentHash(summary(decide(obs, config)))).toBe(contentHash(summary(decide(obs, config))));
  });

  it('the table covers every condition and event reason the troubleshooting guide documents', () => {
    const applyStepReasons = new Set<string>([reasons.Created, reasons.Updated, reasons.Restored]); // apply.test.ts
    const documented = new Set<string>([
      ...Object.values(reasons),
      ...rolloutReasons,
      ...Object.values(certificateReasons),
      ...Object.keys(platformErrorDocs),
      ...connectivityReasons,
    ]);
    const missing = [...documented].filter((r) => !seen.has(r) && !applyStepReasons.has(r)).sort();
    expect(missing, 'add a case to __fixtures__/decide/ that ends in each of these').toEqual([]);
  });
});
