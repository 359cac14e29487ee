// Building blocks shared by the Atom spec and status schemas. Each carries the
// OpenAPI markers the CRD generator needs, so the zod schema stays the one source.
import { z } from 'zod';

/** A Kubernetes object name (DNS-1123 subdomain). */
export const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: 'must be a lowercase DNS-1123 name (letters, digits, "-" and ".")',
  });

/** A resource quantity such as `10Gi`, `500m` or `2`: the API server's int-or-string. */
export const quantity = z
  .union([
    z.int().min(0),
    z
      .string()
      .regex(/^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/, { message: 'must be a quantity such as 500m, 2 or 10Gi' }),
  ])
  .meta({ 'x-kubernetes-int-or-string': true });

/** A Go-style duration such as `90m`, `4h` or `1h30m`. */
export const goDuration = z
  .string()
  .regex(/^([0-9]+(\.[0-9]+)?(h|m|s|ms))+$/, { message: 'must be a duration such as 30m, 4h or 1h30m' });

/** An image digest. */
export const digest = z
  .string()
  .regex(/^sha256:[a-f0-9]{64}$/, { message: 'must be "sha256:" followed by 64 lowercase hex digits' });

/** An Atom code version: semver (`1.2.3`, `1.2.3-rc.1`) or the platform's dotted numbers (`24.11.0.2`). */
export const atomVersion = z
  .string()
  .max(64)
  .regex(/^[0-9]+(\.[0-9]+){1,3}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, {
    message: 'must be a version such as 1.2.3, 1.2.3-rc.1 or 24.11.0.2',
  });

/** An IPv4 or IPv6 CIDR. */
export const cidr = z
  .string()
  .regex(
    /^(([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$/,
    {
      message: 'must be a CIDR such as 10.0.0.0/8 or ::/0',
    },
  );

/** A reference to a Secret in the Atom's namespace, with the key to read. */
export const secretKeyRef = (defaultKey: string, what: string) =>
  z
    .object({
      name: objectName.describe(`Name of the Secret, in the Atom's namespace, that holds ${what}.`),
      key: z.string().min(1).default(defaultKey).describe(`Key in the Secret's data. Defaults to ${defaultKey}.`),
    })
    .describe(`Secret holding ${what}.`);

/** Free-form Kubernetes object kept as is (affinity, valueFrom...). */
export const preserved = <T extends z.ZodType>(schema: T) =>
  schema.meta({ 'x-kubernetes-preserve-unknown-fields': true });

export const stringMap = z.record(z.string(), z.string());
