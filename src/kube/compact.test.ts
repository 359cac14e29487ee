import { describe, expect, it } from 'vitest';
import { shareStrings, sharedString, withoutManagedFields } from './compact.js';

describe('cached objects kept small', () => {
  it('keeps every value while sharing strings, nested in objects and arrays', () => {
    const text = JSON.stringify({
      kind: 'NetworkPolicy',
      metadata: { labels: { 'app.kubernetes.io/managed-by': 'atom-operator' }, generation: 2 },
      spec: { egress: [{ ports: [{ protocol: 'TCP', port: 443 }], to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
      flags: [true, null, '443', 'x'.repeat(500)],
    });
    expect(shareStrings(JSON.parse(text))).toEqual(JSON.parse(text));
    expect(sharedString('')).toBe('');
    expect(sharedString('0')).toBe('0');
    expect(sharedString('x'.repeat(500))).toBe('x'.repeat(500));
  });

  it('drops managedFields and keeps the rest of the metadata', () => {
    const metadata = { name: 'a', managedFields: [{ manager: 'm' }], labels: { k: 'v' } };
    expect(withoutManagedFields(metadata)).toEqual({ name: 'a', labels: { k: 'v' } });
    const bare: { name: string; managedFields?: unknown } = { name: 'b' };
    expect(withoutManagedFields(bare)).toBe(bare);
  });
});
