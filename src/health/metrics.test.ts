import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConnectivityMetrics } from './metrics.js';

describe('ConnectivityMetrics', () => {
  it('has a series for each offline Atom only, counts offline restarts, and forgets deleted Atoms', async () => {
    const registry = new Registry();
    const metrics = new ConnectivityMetrics(registry);
    metrics.record('eu', 'a', { offline: true, replacePod: { reason: 'OfflineRestart', message: 'm' } });
    metrics.record('eu', 'b', { offline: false });
    const text = await registry.metrics();
    expect(text).toContain('atom_operator_atom_offline{atom_namespace="eu",atom="a"} 1');
    expect(text).not.toContain('atom_operator_atom_offline{atom_namespace="eu",atom="b"}');
    expect(text).toContain('atom_operator_offline_restarts_total{atom_namespace="eu",atom="a"} 1');

    metrics.record('eu', 'a', { offline: false });
    expect(await registry.metrics()).not.toContain('atom_operator_atom_offline{atom_namespace="eu",atom="a"}');

    metrics.forget('eu', 'a');
    expect(await registry.metrics()).not.toContain('atom="a"');
  });
});
