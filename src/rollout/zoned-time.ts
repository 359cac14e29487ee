// Wall-clock time in an IANA time zone, with Intl.DateTimeFormat as the only source of zone
// rules (Node ships the full ICU data). Local times that do not exist or exist twice are
// resolved the way RFC 5545 (iCalendar) and Temporal's "compatible" option do:
//  - in a spring-forward gap, the time is read with the offset before the gap, so 02:30 on
//    a day clocks jump 02:00 -> 03:00 becomes 03:30;
//  - in a fall-back overlap, the first (earlier) of the two instants is used.

export interface WallClock {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const dayMs = 86_400_000;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = formatters.get(timeZone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, cached);
  }
  return cached;
}

/** Undefined when the zone is known, else a sentence saying it is not. */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    formatter(timeZone);
    return undefined;
  } catch {
    return `"${timeZone}" is not an IANA time zone such as Europe/Berlin or UTC`;
  }
}

/** The wall clock in `timeZone` at `instant` (epoch milliseconds). Throws RangeError for an unknown zone. */
export function wallClockAt(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

function asUTC(clock: WallClock): number {
  return Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
}

/** Offset of local time from UTC at `instant`, in milliseconds (+05:30 -> 19800000). */
export function utcOffsetAt(instant: number, timeZone: string): number {
  const wholeSeconds = Math.floor(instant / 1000) * 1000;
  return asUTC(wallClockAt(wholeSeconds, timeZone)) - wholeSeconds;
}

function sameClock(a: WallClock, b: WallClock): boolean {
  return (
    a.year === b.year &&
    a.month === b.month &&
    a.day === b.day &&
    a.hour === b.hour &&
    a.minute === b.minute &&
    a.second === b.second
  );
}

/** The instant a local wall-clock time names in `timeZone` (gap and overlap resolved as above). */
export function instantOfWallClock(clock: WallClock, timeZone: string): number {
  const wall = asUTC(clock);
  // Zones change offset at most once within a day either side, so these two offsets are the
  // only candidates: the one in force before any nearby transition and the one after it.
  const before = utcOffsetAt(wall - dayMs, timeZone);
  const after = utcOffsetAt(wall + dayMs, timeZone);
  const matching = [wall - before, wall - after].filter((instant) => sameClock(wallClockAt(instant, timeZone), clock));
  if (matching.length > 0) return Math.min(...matching);
  return wall - before;
}

/** The calendar date `days` after the given one, with its weekday (0 = Sunday). */
export function addDays(
  date: Pick<WallClock, 'year' | 'month' | 'day'>,
  days: number,
): { year: number; month: number; day: number; weekday: number } {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
  };
}
