// Ages and durations as kubectl shows them ("45s", "3m", "5h", "12d"), and the --expiring flag's
// durations ("30d", "12h", "90m", or a Go duration such as "1h30m").
import { parseGoDuration } from '../util/go-duration.js';

/** kubectl's human duration: the two largest units while they matter. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

/** How long ago `iso` was, or "<unknown>". */
export function age(iso: string | undefined | null, now: Date): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) ? '<unknown>' : humanDuration(now.getTime() - at);
}

/** "in 12d" or "expired 3d ago" for an instant that may lie on either side of now. */
export function untilOrSince(iso: string | undefined, now: Date): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(at)) return '<unknown>';
  const delta = at - now.getTime();
  return delta >= 0 ? `in ${humanDuration(delta)}` : `expired ${humanDuration(-delta)} ago`;
}

/** Milliseconds of "30d", "2w", or any Go duration; undefined when it cannot be read. */
export function parseSpan(text: string): number | undefined {
  const days = /^(\d+)d$/.exec(text);
  if (days) return Number(days[1]) * 86_400_000;
  const weeks = /^(\d+)w$/.exec(text);
  if (weeks) return Number(weeks[1]) * 7 * 86_400_000;
  return parseGoDuration(text);
}
