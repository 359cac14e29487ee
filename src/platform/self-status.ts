// What the platform says about one Atom (GET /atom/v1/self with its registration certificate).
// Pure: the shape is checked here once, so the poller and the decisions only see valid answers.
import { z } from 'zod';
import { StatusMalformedError } from './errors.js';

/**
 * `atomId` and `online` are the answer itself; `lastContactAt` is absent for an Atom that never
 * reported, `runningVersion` before its first report. Unknown fields are ignored so the platform
 * can add some without breaking older operators.
 */
export const selfStatusSchema = z.looseObject({
  atomId: z.string().min(1).max(256),
  online: z.boolean(),
  lastContactAt: z.iso.datetime({ offset: true }).optional(),
  runningVersion: z.string().min(1).max(128).optional(),
});

export interface SelfStatus {
  atomId: string;
  online: boolean;
  /** RFC 3339, as the platform sent it. */
  lastContactAt?: string;
  runningVersion?: string;
}

/** The platform's answer as a SelfStatus; anything else is a StatusMalformed error saying what is wrong. */
export function parseSelfStatus(body: string): SelfStatus {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    const start = body.slice(0, 40).replace(/\s+/g, ' ');
    throw new StatusMalformedError(
      `The platform's answer about this Atom is not JSON (it starts with "${start}"); check that the platform URL points at the platform, not a portal or proxy page.`,
    );
  }
  const parsed = selfStatusSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
    throw new StatusMalformedError(
      `The platform's answer about this Atom does not have the expected fields (${problems.slice(0, 4).join('; ')}).`,
    );
  }
  const { atomId, online, lastContactAt, runningVersion } = parsed.data;
  const status: SelfStatus = { atomId, online };
  if (lastContactAt !== undefined) status.lastContactAt = lastContactAt;
  if (runningVersion !== undefined) status.runningVersion = runningVersion;
  return status;
}

/** The same answer, field by field (the poller tells subscribers only about real changes). */
export function sameSelfStatus(a: SelfStatus | undefined, b: SelfStatus | undefined): boolean {
  return (
    a?.atomId === b?.atomId &&
    a?.online === b?.online &&
    a?.lastContactAt === b?.lastContactAt &&
    a?.runningVersion === b?.runningVersion
  );
}
