// The platform's view of each Atom against the running operator, the sandbox and the platform
// simulator (issue 16): what a user sees in the Connected condition, status.platform, Degraded,
// events, metrics and the alert rule, for each way the platform can answer GET /atom/v1/self.
// Offline restarts (spec.health.restartWhenOffline) are in atom-offline-restart.test.ts.
import { describe, expect, it } from 'vitest';
import { only, render, scenarios } from '../chart/helm.js';
import { promqlUse } from '../chart/promql.js';
import { useHarness } from '../support/harness.js';

const NS = 'default';
const ctx = useHarness({ operatorArgs: ['--platform-status-poll-interval=1s'] });
// The common name harness.readyAtom gives the registration certificate it issues.
const cn = (name: string) => `${NS}.${name}-registration`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scrape(path: string): Promise<{ status: number; text: string }> {
  const manager = ctx.h.operator!.manager;
  const port = path === '/metrics' ? manager.metricsPort : manager.healthPort;
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
}

/** The series of one metric on /metrics, each as its label map. */
function seriesOf(text: string, metric: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line);
    if (m?.[1] !== metric) continue;
    out.push(Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]])));
  }
  return out;
}
const offlineSeries = (text: string, atom: string) =>
  seriesOf(text, 'atom_operator_atom_offline').filter((s) => s.atom_namespace === NS && s.atom === atom);
const selfRequests = (commonName: string, since = 0) =>
  ctx.h.simulator.requests.filter(
    (r) => r.resource === 'self' && r.clientSubject === commonName && r.at.getTime() >= since,
  );
const warnings = (name: string) => ctx.h.events(NS, name).filter((e) => e.type === 'Warning');

describe('an online Atom', () => {
  it('gets Connected=True, reason Online, and status.platform with atomId and lastContactAt', async () => {
    await ctx.h.readyAtom(NS, 'online');
    await ctx.h.waitFor('Connected=True', () => ctx.h.condition(NS, 'online', 'Connected')?.status === 'True');
    expect(ctx.h.condition(NS, 'online', 'Connected')).toMatchObject({ reason: 'Online' });
    const platform = ctx.h.atom(NS, 'online').status.platform;
    expect(platform.atomId).toBe(cn('online'));
    expect(Date.now() - Date.parse(platform.lastContactAt)).toBeLessThan(60_000);
    expect(platform.offlineRestarts).toBeUndefined();
    // Polled every second, each answer with a fresh lastContactAt: the Atom is not rewritten each time.
    await ctx.h.settle();
    const version = ctx.h.atom(NS, 'online').metadata.resourceVersion;
    await sleep(3_000);
    expect(ctx.h.atom(NS, 'online').metadata.resourceVersion).toBe(version);
  });
});

describe('an Atom offline beyond its grace period, and back', () => {
  const name = 'dropped';
  let podUid: string | undefined;

  it('gets Connected=False, Degraded AtomOffline, one Warning event each, the metric and the alert series', async () => {
    await ctx.h.readyAtom(NS, name, { health: { offlineGracePeriod: '2s' } });
    await ctx.h.waitFor('Connected=True', () => ctx.h.condition(NS, name, 'Connected')?.status === 'True');
    podUid = ctx.h.pods(NS, name)[0]?.metadata?.uid;
    ctx.h.simulator.setSelfStatus(cn(name), { answer: 'offline' });
    await ctx.h.waitFor('Connected=False', () => ctx.h.condition(NS, name, 'Connected')?.status === 'False');
    expect(ctx.h.condition(NS, name, 'Connected')).toMatchObject({ reason: 'ReportedOffline' });
    await ctx.h.waitFor('Degraded AtomOffline', () => ctx.h.condition(NS, name, 'Degraded')?.reason === 'AtomOffline');
    const degraded = ctx.h.condition(NS, name, 'Degraded')!;
    expect(degraded.status).toBe('True');
    expect(degraded.message).toContain('spec.health.offlineGracePeriod (2s)');
    // The pod stays Ready: only the platform knows the Atom is offline.
    expect(ctx.h.condition(NS, name, 'Ready')?.status).toBe('True');
    // Several more polls change nothing: one event per transition, not one per poll, and no status write.
    await ctx.h.settle();
    const version = ctx.h.atom(NS, name).metadata.resourceVersion;
    await sleep(3_000);
    expect(ctx.h.atom(NS, name).metadata.resourceVersion).toBe(version);
    const byReason = (reason: string) => warnings(name).filter((e) => e.reason === reason);
    expect(byReason('ReportedOffline')).toHaveLength(1);
    expect(byReason('AtomOffline')).toHaveLength(1);
    expect(byReason('AtomOffline')[0]!.count ?? 1).toBe(1);
    expect(warnings(name).map((e) => e.reason)).toEqual(expect.arrayContaining(['ReportedOffline', 'AtomOffline']));
    expect(warnings(name)).toHaveLength(2);

    const metrics = await scrape('/metrics');
    expect(metrics.text).toMatch(/atom_operator_atom_offline\{atom_namespace="default",atom="dropped"\} 1/);
    // Only offline Atoms have a series: the online one has none.
    expect(offlineSeries(metrics.text, 'online')).toEqual([]);
    // The chart's alert reads this very series, by the labels the operator gives it.
    const rules = (
      only(render(scenarios.everything), 'PrometheusRule') as unknown as {
        spec: { groups: { rules: { alert: string; expr: string }[] }[] };
      }
    ).spec.groups.flatMap((g) => g.rules);
    const alert = rules.find((r) => r.alert === 'AtomOffline');
    expect(alert, 'the chart has an AtomOffline alert').toBeDefined();
    const use = promqlUse(alert!.expr);
    expect(use.errors).toEqual([]);
    expect(use.metrics).toEqual(['atom_operator_atom_offline']);
    const [series] = offlineSeries(metrics.text, name);
    // job is the scrape target's label, added by Prometheus.
    for (const label of use.labels.filter((l) => l !== 'job')) expect(series, label).toHaveProperty(label);
    // The same Atom is Degraded with reason AtomOffline, which the AtomDegraded alert leaves to this one.
    expect(seriesOf(metrics.text, 'atom_operator_atom_degraded')).toContainEqual({
      atom_namespace: NS,
      atom: name,
      reason: 'AtomOffline',
    });
    expect(rules.find((r) => r.alert === 'AtomDegraded')?.expr).toContain('reason!="AtomOffline"');
  });

  it('recovers when the platform hears from it again, without its pod being replaced', async () => {
    ctx.h.simulator.setSelfStatus(cn(name), { answer: 'online' });
    await ctx.h.waitFor(
      'Connected=True and Degraded=False',
      () =>
        ctx.h.condition(NS, name, 'Connected')?.status === 'True' &&
        ctx.h.condition(NS, name, 'Degraded')?.status === 'False',
    );
    await ctx.h.waitFor('a Reconnected event', () =>
      ctx.h.events(NS, name).some((e) => e.type === 'Normal' && e.reason === 'Reconnected'),
    );
    expect(offlineSeries((await scrape('/metrics')).text, name)).toEqual([]);
    expect(ctx.h.pods(NS, name).map((p) => p.metadata?.uid)).toEqual([podUid]);
    expect(ctx.h.events(NS, name).some((e) => e.reason === 'OfflineRestart')).toBe(false);
  });
});

describe('an Atom the platform lists online but has not heard from for too long', () => {
  it('gets Connected=False ContactOverdue, and leaves no offline series behind once deleted', async () => {
    const name = 'overdue';
    const lastContactAt = new Date(Date.now() - 3_600_000).toISOString();
    ctx.h.simulator.setSelfStatus(cn(name), { answer: 'online', lastContactAt });
    await ctx.h.readyAtom(NS, name, { health: { offlineGracePeriod: '2s' } });
    await ctx.h.waitFor('ContactOverdue', () => ctx.h.condition(NS, name, 'Connected')?.reason === 'ContactOverdue');
    expect(ctx.h.condition(NS, name, 'Connected')?.status).toBe('False');
    await ctx.h.waitFor('Degraded AtomOffline', () => ctx.h.condition(NS, name, 'Degraded')?.reason === 'AtomOffline');
    expect(offlineSeries((await scrape('/metrics')).text, name)).toHaveLength(1);
    // A gone Atom must not keep its alert firing.
    await ctx.h.api.deleteObject({ apiVersion: 'atomoperator.io/v1alpha1', kind: 'Atom', namespace: NS, name });
    await ctx.h.waitFor('the Atom gone', () => !ctx.h.atom(NS, name));
    await ctx.h.settle();
    expect(offlineSeries((await scrape('/metrics')).text, name)).toEqual([]);
  });
});

describe('a platform that does not offer the status', () => {
  it('gives one quiet Connected=Unknown (StatusNotOffered) and is not asked again every interval', async () => {
    const name = 'unoffered';
    ctx.h.simulator.setSelfStatus(cn(name), { answer: 'not-offered' });
    const since = Date.now();
    await ctx.h.readyAtom(NS, name);
    await ctx.h.waitFor(
      'StatusNotOffered',
      () => ctx.h.condition(NS, name, 'Connected')?.reason === 'StatusNotOffered',
    );
    expect(ctx.h.condition(NS, name, 'Connected')?.status).toBe('Unknown');
    expect(ctx.h.condition(NS, name, 'Connected')?.message).toContain('asks again hourly');
    // Four status intervals of 1s.
    await sleep(4_000);
    expect(selfRequests(cn(name), since)).toHaveLength(1);
    expect(warnings(name)).toEqual([]);
    expect(ctx.h.condition(NS, name, 'Degraded')?.status).toBe('False');
    expect(ctx.h.atom(NS, name).status.platform).toBeUndefined();
  });
});

describe('answers the operator cannot use', () => {
  it.each([
    ['malformed', 'StatusMalformed'],
    ['oversized', 'ResponseTooLarge'],
  ] as const)('%s: Connected=Unknown with reason %s, and the operator carries on', async (answer, reason) => {
    const name = `answer-${answer}`;
    ctx.h.simulator.setSelfStatus(cn(name), { answer });
    await ctx.h.readyAtom(NS, name);
    await ctx.h.waitFor(reason, () => ctx.h.condition(NS, name, 'Connected')?.reason === reason);
    expect(ctx.h.condition(NS, name, 'Connected')?.status).toBe('Unknown');
    expect(ctx.h.condition(NS, name, 'Ready')?.status).toBe('True');
    expect(ctx.h.condition(NS, name, 'Degraded')?.status).toBe('False');
    expect(await scrape('/readyz')).toEqual({ status: 200, text: 'ok\n' });
    // Still reconciling other Atoms.
    await ctx.h.readyAtom(NS, `after-${answer}`);
  });
});

describe('a slow platform', () => {
  it('is asked one request at a time, and its answer still counts', async () => {
    const name = 'slow';
    ctx.h.simulator.setSelfStatus(cn(name), { answer: 'online', delayMs: 2_500 });
    await ctx.h.readyAtom(NS, name);
    const since = Date.now();
    await ctx.h.waitFor('Connected=True', () => ctx.h.condition(NS, name, 'Connected')?.status === 'True', 10_000);
    await sleep(6_000);
    const asked = selfRequests(cn(name), since);
    // Each answer takes 2.5 s with a 1 s interval: overlapping requests would be about seven.
    expect(asked.length).toBeLessThanOrEqual(4);
    for (const [i, r] of asked.entries())
      if (i > 0) expect(r.at.getTime() - asked[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(2_400);
    expect(ctx.h.condition(NS, name, 'Connected')?.status).toBe('True');
  });
});

describe('many Atoms on one certificate', () => {
  it('make one status request per interval', async () => {
    const count = 60;
    const names = Array.from({ length: count }, (_, i) => `shared-${String(i).padStart(3, '0')}`);
    await ctx.h.createRegistrationSecret(NS, 'shared-registration', { commonName: 'shared' });
    const registration = { certificateSecretRef: { name: 'shared-registration' } };
    for (const name of names) await ctx.h.applyAtom(NS, name, { registration });
    await ctx.h.waitFor(
      'all Connected',
      () => names.every((n) => ctx.h.condition(NS, n, 'Connected')?.status === 'True'),
      60_000,
    );
    const since = Date.now();
    await sleep(5_000);
    const asked = selfRequests('shared', since).length;
    // Five intervals of 1s: one request each, give or take the edges of the window and a busy machine.
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(asked).toBeLessThanOrEqual(6);
  }, 90_000);
});

describe('an Atom that runs another version than the one rolled out', () => {
  it('shows the running version in the Connected message and status.platform', async () => {
    const name = 'drifted';
    ctx.h.simulator.setSelfStatus(cn(name), { answer: 'online', runningVersion: '4.9.9' });
    await ctx.h.readyAtom(NS, name);
    await ctx.h.waitFor('the version shown', () => ctx.h.condition(NS, name, 'Connected')?.message.includes('4.9.9'));
    const connected = ctx.h.condition(NS, name, 'Connected')!;
    expect(connected).toMatchObject({ status: 'True', reason: 'Online' });
    expect(connected.message).toContain('runs 4.9.9, but the operator rolled out 5.0.2');
    expect(ctx.h.atom(NS, name).status.platform.runningVersion).toBe('4.9.9');
    // The same version says nothing.
    expect(ctx.h.condition(NS, 'online', 'Connected')?.message).not.toContain('rolled out');
  });
});
