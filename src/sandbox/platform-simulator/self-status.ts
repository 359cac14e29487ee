// How the simulator answers GET /atom/v1/self, per registration certificate (by common name):
// what a real platform says about an online or offline Atom, and the ways it can go wrong.
import { z } from 'zod';

export const selfAnswers = ['online', 'offline', 'not-offered', 'malformed', 'oversized'] as const;

export const selfBehaviourSchema = z
  .object({
    answer: z.enum(selfAnswers),
    /** When the platform last heard from the Atom: default now for online, when this behaviour was set for offline. */
    lastContactAt: z.iso.datetime({ offset: true }).optional(),
    runningVersion: z.string().min(1).optional(),
    /** malformed: serve exactly this body (default: JSON cut off in the middle). */
    body: z.string().max(1_000_000).optional(),
    /** Wait this long before answering (a slow platform). */
    delayMs: z.int().min(0).max(600_000).optional(),
  })
  .strict();

export type SelfBehaviour = z.infer<typeof selfBehaviourSchema>;

/** The CLI's --self-status file: common name of a registration certificate -> behaviour. */
export const selfStatusFileSchema = z.record(z.string().min(1), selfBehaviourSchema);

export interface SelfAnswer {
  status: number;
  body: Buffer;
  /** Sent without a length, in chunks, so a client's streaming size cap is exercised. */
  chunked: boolean;
}

const oversizedBytes = 256 * 1024;

/**
 * The answer for one request. `setAt` is when the behaviour was set (an offline Atom's last contact
 * unless given); an online Atom was heard from just now.
 */
export function selfAnswer(commonName: string, behaviour: SelfBehaviour, setAt: Date, now: Date): SelfAnswer {
  const json = (status: number, value: unknown): SelfAnswer => ({
    status,
    body: Buffer.from(JSON.stringify(value)),
    chunked: false,
  });
  switch (behaviour.answer) {
    case 'not-offered':
      return json(404, { error: 'not found' });
    case 'malformed':
      return { status: 200, body: Buffer.from(behaviour.body ?? '{"atomId": "'), chunked: false };
    case 'oversized':
      return { status: 200, body: Buffer.alloc(oversizedBytes, ' '), chunked: true };
    default: {
      const online = behaviour.answer === 'online';
      const lastContactAt = behaviour.lastContactAt ?? (online ? now : setAt).toISOString();
      const runningVersion = behaviour.runningVersion ? { runningVersion: behaviour.runningVersion } : {};
      return json(200, { atomId: commonName, online, lastContactAt, ...runningVersion });
    }
  }
}
