// Maintenance windows: is an update allowed to start at `now`, and when does that change?
//
// A window opens on each listed weekday at `start` local time in its `timeZone` and stays
// open for `duration` of elapsed time (a Go duration), so it may run past midnight and into
// following days; `days` name the local day the window OPENS on (Mon 22:00 for 4h is open
// early Tuesday). Opening is inclusive, closing exclusive: open at exactly `start`, closed
// at exactly `start + duration`. Local times that do not exist or repeat are resolved as in
// zoned-time.ts (02:30 on a spring-forward day opens at 03:30; on a fall-back day a window
// opens once, at the first 02:30). Because `duration` is elapsed time, a 4h window on a
// fall-back night closes one wall-clock hour "early" and on a spring-forward night one hour
// "late" (01:00 + 4h -> 06:00 local). Windows that overlap or touch merge into one opening.
// No windows means always open.
import type { MaintenanceWindow } from '../api/atom.js';
import { formatDuration, parseGoDuration } from '../util/go-duration.js';
import { addDays, instantOfWallClock, timeZoneProblem, wallClockAt } from './zoned-time.js';

export type WindowSpec = Pick<MaintenanceWindow, 'days' | 'start' | 'duration' | 'timeZone'>;

export interface WindowProblem {
  /** Index in spec.update.windows. */
  index: number;
  message: string;
}

export interface WindowState {
  open: boolean;
  /** When open: the instant the (merged) opening ends; absent when it lasts more than a week or there are no windows. */
  closesAt?: Date;
  /** When closed: the next instant any window opens; absent when no valid window exists. */
  nextOpensAt?: Date;
  /** Windows that cannot be understood; they never open. */
  problems: WindowProblem[];
}

/** The longest window the API documents (a week). */
export const maxWindowMs = 168 * 3_600_000;

const dayMs = 86_400_000;
const weekdayIndex: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const startPattern = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
// Openings are generated this far ahead; a merged opening reaching past `horizonCheckMs`
// might continue beyond what was generated, so its end is reported as unknown.
const lookAheadDays = 16;
const horizonCheckMs = 8 * dayMs;

interface Interval {
  opensAt: number;
  closesAt: number;
}

export interface ValidWindow {
  days: Set<number>;
  hour: number;
  minute: number;
  durationMs: number;
  timeZone: string;
}

/** Validates one window; a string says what is wrong with it. */
export function validateWindow(window: WindowSpec): ValidWindow | string {
  const time = startPattern.exec(window.start);
  if (!time) return `start "${window.start}" is not a time of day HH:MM (24h)`;
  const durationMs = parseGoDuration(window.duration);
  if (durationMs === undefined) return `duration "${window.duration}" is not a duration such as 4h, 90m or 1h30m`;
  if (durationMs <= 0) return `duration "${window.duration}" is zero, so the window never opens`;
  if (durationMs > maxWindowMs) return `duration "${window.duration}" is longer than a week (168h)`;
  if (window.days.length === 0) return 'days is empty, so the window never opens';
  const zoneProblem = timeZoneProblem(window.timeZone);
  if (zoneProblem) return `timeZone ${zoneProblem}`;
  return {
    days: new Set(window.days.map((day) => weekdayIndex[day] ?? -1)),
    hour: Number(time[1]),
    minute: Number(time[2]),
    durationMs,
    timeZone: window.timeZone,
  };
}

function openings(window: ValidWindow, now: number): Interval[] {
  const today = wallClockAt(now, window.timeZone);
  const lookBackDays = Math.ceil(window.durationMs / dayMs) + 1;
  const result: Interval[] = [];
  for (let offset = -lookBackDays; offset <= lookAheadDays; offset++) {
    const date = addDays(today, offset);
    if (!window.days.has(date.weekday)) continue;
    const opensAt = instantOfWallClock(
      { ...date, hour: window.hour, minute: window.minute, second: 0 },
      window.timeZone,
    );
    result.push({ opensAt, closesAt: opensAt + window.durationMs });
  }
  return result;
}

/** Where the windows stand at `now`: open (and until when) or closed (and when they open next). */
export function windowState(windows: readonly WindowSpec[], now: Date): WindowState {
  if (windows.length === 0) return { open: true, problems: [] };
  const at = now.getTime();
  const problems: WindowProblem[] = [];
  const intervals: Interval[] = [];
  windows.forEach((window, index) => {
    const valid = validateWindow(window);
    if (typeof valid === 'string') problems.push({ index, message: `window ${index + 1}: ${valid}` });
    else intervals.push(...openings(valid, at));
  });
  intervals.sort((a, b) => a.opensAt - b.opensAt);

  const containing = intervals.filter((interval) => interval.opensAt <= at && at < interval.closesAt);
  if (containing.length === 0) {
    const next = intervals.find((interval) => interval.opensAt > at);
    return next ? { open: false, nextOpensAt: new Date(next.opensAt), problems } : { open: false, problems };
  }
  // Sweep forward: an opening that starts before (or exactly when) the current one ends extends it.
  let end = Math.max(...containing.map((interval) => interval.closesAt));
  for (const interval of intervals) {
    if (interval.opensAt <= end && interval.closesAt > end) end = interval.closesAt;
  }
  return end - at > horizonCheckMs ? { open: true, problems } : { open: true, closesAt: new Date(end), problems };
}

/** A window as a person reads it: "Mon,Tue 02:00 for 4h (Europe/Berlin)". */
export function describeWindow(window: WindowSpec): string {
  const durationMs = parseGoDuration(window.duration);
  const length = durationMs === undefined ? window.duration : formatDuration(durationMs);
  return `${window.days.join(',')} ${window.start} for ${length} (${window.timeZone})`;
}
