// Field builders that accept both native values and the strings that flags and
// environment variables carry, so one schema validates every source.
import { z } from 'zod';
import { parseGoDuration } from '../util/go-duration.js';

/**
 * The longest delay a Node.js timer keeps: a longer one fires after 1 ms instead, so a resync period or
 * poll interval past it would run in a tight loop. Durations that become timers are capped here.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A Go-style duration ("15s", "5m"); the parsed value is milliseconds. */
export const duration = (options: { min?: number; max?: number } = {}) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseGoDuration(value.trim());
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a duration like "15s", "5m" or "1h30m" (got "${String(value)}")`,
      });
      return z.NEVER;
    }
    if (options.min !== undefined && ms < options.min) {
      ctx.addIssue({ code: 'custom', message: `must be at least ${options.min} ms (got "${String(value)}")` });
      return z.NEVER;
    }
    if (options.max !== undefined && ms > options.max) {
      const limit = options.max === MAX_TIMER_MS ? `${options.max} ms (about 24 days)` : `${options.max} ms`;
      ctx.addIssue({ code: 'custom', message: `must be at most ${limit} (got "${String(value)}")` });
      return z.NEVER;
    }
    return ms;
  });

export const integer = (min: number, max: number) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const n = typeof value === 'number' ? value : /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a whole number from ${min} to ${max} (got "${String(value)}")`,
      });
      return z.NEVER;
    }
    return n;
  });

export const boolean = () =>
  z.union([z.string(), z.boolean()]).transform((value, ctx) => {
    if (typeof value === 'boolean') return value;
    const text = value.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(text)) return true;
    if (['false', '0', 'no'].includes(text)) return false;
    ctx.addIssue({ code: 'custom', message: `must be true or false (got "${value}")` });
    return z.NEVER;
  });

/** A comma-separated list ("a,b") or an array; blanks are dropped. */
export const stringList = (item: z.ZodType<string, string> = z.string()) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((value) =>
      (typeof value === 'string' ? value.split(',') : value).map((s) => s.trim()).filter((s) => s !== ''),
    )
    .pipe(z.array(item));

/** "host:port" or ":port" (all interfaces). */
export const listenAddress = () =>
  z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, 'must be "host:port" or ":port", e.g. ":8080"');

export const httpsUrl = () =>
  z.string().refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an https:// URL');

/** RFC 1123 label, the shape of a namespace name. */
export const dnsLabel = () =>
  z
    .string()
    .regex(
      /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
      'must be a valid namespace name (lowercase letters, digits and "-")',
    );
