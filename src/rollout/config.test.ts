import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fleetPolicyConfig, resolveLimit } from './config.js';

describe('fleetPolicyConfig', () => {
  it('fills every default', () => {
    expect(fleetPolicyConfig.parse({})).toEqual({
      maxConcurrent: 1,
      soakSeconds: 300,
      haltThreshold: 2,
      scope: 'Cluster',
      allowCriticalOverride: true,
    });
  });

  it.each([
    [{ maxConcurrent: 5 }],
    [{ maxConcurrent: '25%' }],
    [{ maxConcurrent: '100%' }],
    [{ maxConcurrent: '3' }],
    [{ haltThreshold: '5%', scope: 'Namespace' }],
    [{ soakSeconds: 0 }],
  ])('accepts %j', (input) => {
    expect(fleetPolicyConfig.safeParse(input).success).toBe(true);
  });

  it.each([
    [{ maxConcurrent: 0 }, 'maxConcurrent'],
    [{ maxConcurrent: '0%' }, 'maxConcurrent'],
    [{ maxConcurrent: '101%' }, 'maxConcurrent'],
    [{ maxConcurrent: '25 %' }, 'maxConcurrent'],
    [{ maxConcurrent: 1.5 }, 'maxConcurrent'],
    [{ haltThreshold: '-1' }, 'haltThreshold'],
    [{ soakSeconds: -1 }, 'soakSeconds'],
    [{ scope: 'Global' }, 'scope'],
    [{ maxConcurent: 2 }, ''],
  ])('rejects %j, naming the field', (input, field) => {
    const result = fleetPolicyConfig.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('describes every field, so the generated schema documents them', () => {
    const schema = z.toJSONSchema(fleetPolicyConfig, { io: 'input' }) as {
      properties: Record<string, { description?: string }>;
    };
    for (const [name, property] of Object.entries(schema.properties)) {
      expect(property.description, name).toBeTruthy();
    }
    expect(Object.keys(schema.properties)).toHaveLength(5);
  });
});

describe('resolveLimit', () => {
  it.each<[number | string, number, number]>([
    [3, 100, 3],
    ['3', 100, 3],
    ['10%', 100, 10],
    ['10%', 35, 3],
    ['10%', 5, 1],
    ['10%', 0, 1],
    ['100%', 7, 7],
    ['25%', 7, 1],
  ])('%s of %i Atoms is %i', (value, total, expected) => {
    expect(resolveLimit(value, total)).toBe(expected);
  });
});
