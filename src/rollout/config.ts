// The fleet section of the operator's configuration. main.ts embeds `fleetPolicyConfig` in its
// own schema; every field has a default and a description (they end up in values.schema.json).
import { z } from 'zod';

const countOrPercentagePattern = /^([1-9][0-9]*|(100|[1-9][0-9]?)%)$/;

/** A positive whole number, or a percentage from 1% to 100% ("25%"); digit strings are accepted for env and flags. */
export const countOrPercentage = z.union([
  z.int().min(1),
  z.string().regex(countOrPercentagePattern, {
    message: 'must be a whole number of at least 1 or a percentage from 1% to 100%, such as 3 or 25%',
  }),
]);

export type CountOrPercentage = z.infer<typeof countOrPercentage>;

/**
 * An absolute limit from a count or a percentage of `total`: percentages round down, and the
 * result is never below 1, so a small fleet still makes progress and one failure can halt.
 */
export function resolveLimit(value: CountOrPercentage, total: number): number {
  if (typeof value === 'number') return value;
  if (value.endsWith('%')) return Math.max(1, Math.floor((Number(value.slice(0, -1)) * total) / 100));
  return Math.max(1, Number(value));
}

export const fleetPolicyConfig = z
  .strictObject({
    maxConcurrent: countOrPercentage
      .default(1)
      .describe(
        'Most Atoms updating at once in a scope, as a number or a percentage of the Atoms in the scope (rounded down, at least 1). ' +
          'Default 1: the halt threshold only limits damage when few Atoms are in flight, since updates already started are not stopped; ' +
          'raise it (with waves and a matching haltThreshold) for large fleets.',
      ),
    soakSeconds: z
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(300)
      .describe(
        'A wave is done when all its Atoms run the new version and have been Ready this many seconds; the next wave starts after that.',
      ),
    haltThreshold: countOrPercentage
      .default(2)
      .describe(
        'Failures of one version in a scope that halt its rollout, as a number or a percentage of the Atoms following that version (rounded down, at least 1). ' +
          'A halt lasts until a different version is advertised or an Atom in the scope is annotated atomoperator.io/resume-rollout with the version.',
      ),
    scope: z
      .enum(['Cluster', 'Namespace'])
      .default('Cluster')
      .describe(
        'Where the limits apply: Cluster counts every Atom the operator manages together; Namespace gives each namespace its own limits, waves and halts.',
      ),
    allowCriticalOverride: z
      .boolean()
      .default(true)
      .describe(
        'Let releases marked critical start outside maintenance windows on Atoms that set update.allowCriticalOutsideWindow. False keeps every update inside the windows.',
      ),
  })
  .describe('How advertised updates roll out across the fleet of Atoms.');

export type FleetPolicyConfig = z.infer<typeof fleetPolicyConfig>;
export type FleetPolicy = Pick<FleetPolicyConfig, 'maxConcurrent' | 'soakSeconds' | 'haltThreshold' | 'scope'>;
