import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConnectivityMetrics } from './metrics.js';

describe('ConnectivityMetrics', () => {
  it('shows each offline Atom as 1, a connected one as 0, counts offline restarts, and forgets deleted Atoms', async () => {
    const registry = new Registry();
    const metrics = new ConnectivityMetrics(registry);
    metrics.record('eu', 'a', { offline: true, replacePod: { reason: 'OfflineRestart', message: 'm' } });
    metrics.record('eu', 'b', { offline: false });
    const text = await registry.metrics();
    expect(text).toContain('atom_operator_atom_offline{namespace="eu",atom="a"} 1');
    expect(text).toContain('atom_operator_atom_offline{namespace="eu",atom="b"} 0');
    expect(text).toContain('atom_operator_offline_restarts_total{namespace="eu",atom="a"} 1');

    metrics.forget('eu', 'a');
    const after = await registry.metrics();
    expect(after).not.toContain('atom="a"');
    expect(after).toContain('atom="b"');
  });
});
