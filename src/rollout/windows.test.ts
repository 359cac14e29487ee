import { describe, expect, it } from 'vitest';
import { formatDuration, parseGoDuration } from '../util/go-duration.js';
import { describeWindow, windowState, type WindowSpec } from './windows.js';

type Day = WindowSpec['days'][number];

function win(days: Day[], start: string, duration: string, timeZone = 'UTC'): WindowSpec {
  return { days, start, duration, timeZone };
}

const at = (iso: string) => new Date(iso);
const open = (closesAt?: string) => ({ open: true, ...(closesAt ? { closesAt: at(closesAt) } : {}), problems: [] });
const closed = (nextOpensAt?: string) => ({
  open: false,
  ...(nextOpensAt ? { nextOpensAt: at(nextOpensAt) } : {}),
  problems: [],
});

describe('parseGoDuration', () => {
  it.each([
    ['4h', 4 * 3_600_000],
    ['90m', 90 * 60_000],
    ['1h30m', 90 * 60_000],
    ['1.5h', 90 * 60_000],
    ['2h45m30s', (2 * 3600 + 45 * 60 + 30) * 1000],
    ['300ms', 300],
    ['1500us', 2],
    ['0', 0],
    ['0s', 0],
  ])('%s is %i ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '4', 'h', '4 h', '-1h', '1d', '1h 30m', '1.h.5', 'PT4H'])('%j is not a Go duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it('formats durations the way people write them', () => {
    expect(formatDuration(90 * 60_000)).toBe('1h30m');
    expect(formatDuration(4 * 3_600_000)).toBe('4h');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('windowState', () => {
  it.each<[string, WindowSpec[], string, ReturnType<typeof open>]>([
    ['no windows: always open', [], '2025-11-24T12:00:00Z', open()],
    // edges
    ['exactly at start: open', [win(['Mon'], '02:00', '4h')], '2025-11-24T02:00:00Z', open('2025-11-24T06:00:00Z')],
    [
      'one second before start: closed',
      [win(['Mon'], '02:00', '4h')],
      '2025-11-24T01:59:59Z',
      closed('2025-11-24T02:00:00Z'),
    ],
    [
      'exactly at end: closed until next week',
      [win(['Mon'], '02:00', '4h')],
      '2025-11-24T06:00:00Z',
      closed('2025-12-01T02:00:00Z'),
    ],
    [
      'other day of the week: closed',
      [win(['Mon'], '02:00', '4h')],
      '2025-11-26T03:00:00Z',
      closed('2025-12-01T02:00:00Z'),
    ],
    // crossing midnight and days
    [
      'Mon 22:00 for 4h is open early Tuesday',
      [win(['Mon'], '22:00', '4h')],
      '2025-11-25T01:00:00Z',
      open('2025-11-25T02:00:00Z'),
    ],
    [
      'Mon 22:00 for 4h is closed early Monday',
      [win(['Mon'], '22:00', '4h')],
      '2025-11-24T01:00:00Z',
      closed('2025-11-24T22:00:00Z'),
    ],
    [
      'Fri 18:00 for 60h spans the weekend',
      [win(['Fri'], '18:00', '60h')],
      '2025-11-23T12:00:00Z',
      open('2025-11-24T06:00:00Z'),
    ],
    ['1h30m window', [win(['Mon'], '02:00', '1h30m')], '2025-11-24T03:29:00Z', open('2025-11-24T03:30:00Z')],
    // time zones
    [
      'Asia/Kolkata 02:00 is 20:30 UTC the day before',
      [win(['Mon'], '02:00', '2h', 'Asia/Kolkata')],
      '2025-11-23T20:30:00Z',
      open('2025-11-23T22:30:00Z'),
    ],
    [
      'Asia/Kolkata just before opening',
      [win(['Mon'], '02:00', '2h', 'Asia/Kolkata')],
      '2025-11-23T20:29:00Z',
      closed('2025-11-23T20:30:00Z'),
    ],
    [
      'Asia/Kolkata: Monday in UTC is already past the window',
      [win(['Mon'], '02:00', '2h', 'Asia/Kolkata')],
      '2025-11-24T02:00:00Z',
      closed('2025-11-30T20:30:00Z'),
    ],
    [
      'America/New_York in winter (UTC-5)',
      [win(['Mon'], '09:00', '1h', 'America/New_York')],
      '2025-11-24T14:00:00Z',
      open('2025-11-24T15:00:00Z'),
    ],
    [
      'America/New_York in summer (UTC-4)',
      [win(['Mon'], '09:00', '1h', 'America/New_York')],
      '2025-07-07T13:00:00Z',
      open('2025-07-07T14:00:00Z'),
    ],
    [
      'Europe/Berlin in winter (UTC+1)',
      [win(['Mon'], '09:00', '1h', 'Europe/Berlin')],
      '2025-11-24T07:59:00Z',
      closed('2025-11-24T08:00:00Z'),
    ],
    [
      'Europe/Berlin in summer (UTC+2)',
      [win(['Mon'], '09:00', '1h', 'Europe/Berlin')],
      '2025-07-07T06:59:00Z',
      closed('2025-07-07T07:00:00Z'),
    ],
    // DST: spring forward (02:00 -> 03:00 local)
    [
      'Berlin spring-forward: 02:30 does not exist, opens at 03:30 CEST',
      [win(['Sun'], '02:30', '1h', 'Europe/Berlin')],
      '2025-03-30T00:45:00Z',
      closed('2025-03-30T01:30:00Z'),
    ],
    [
      'Berlin spring-forward: open from 03:30 CEST for an hour',
      [win(['Sun'], '02:30', '1h', 'Europe/Berlin')],
      '2025-03-30T01:30:00Z',
      open('2025-03-30T02:30:00Z'),
    ],
    [
      'Berlin spring-forward: 01:00 for 4h elapsed closes at 06:00 CEST',
      [win(['Sun'], '01:00', '4h', 'Europe/Berlin')],
      '2025-03-30T03:59:00Z',
      open('2025-03-30T04:00:00Z'),
    ],
    [
      'New York spring-forward: 02:30 opens at 03:30 EDT',
      [win(['Sun'], '02:30', '1h', 'America/New_York')],
      '2025-03-09T07:00:00Z',
      closed('2025-03-09T07:30:00Z'),
    ],
    // DST: fall back (03:00 -> 02:00 local in Berlin, 02:00 -> 01:00 in New York)
    [
      'Berlin fall-back: opens at the first 02:30 (CEST)',
      [win(['Sun'], '02:30', '1h', 'Europe/Berlin')],
      '2025-10-26T00:30:00Z',
      open('2025-10-26T01:30:00Z'),
    ],
    [
      'Berlin fall-back: the second 02:30 (CET) does not open it again',
      [win(['Sun'], '02:30', '1h', 'Europe/Berlin')],
      '2025-10-26T01:30:00Z',
      closed('2025-11-02T01:30:00Z'),
    ],
    [
      'Berlin fall-back: 01:00 for 4h elapsed closes at 04:00 CET',
      [win(['Sun'], '01:00', '4h', 'Europe/Berlin')],
      '2025-10-26T02:59:00Z',
      open('2025-10-26T03:00:00Z'),
    ],
    [
      'New York fall-back: opens at the first 01:30 (EDT)',
      [win(['Sun'], '01:30', '1h', 'America/New_York')],
      '2025-11-02T05:00:00Z',
      closed('2025-11-02T05:30:00Z'),
    ],
    [
      'New York fall-back: the second 01:30 (EST) is the closing time',
      [win(['Sun'], '01:30', '1h', 'America/New_York')],
      '2025-11-02T06:30:00Z',
      closed('2025-11-09T06:30:00Z'),
    ],
    // several windows
    [
      'next of several windows',
      [win(['Mon'], '02:00', '2h'), win(['Wed'], '02:00', '2h')],
      '2025-11-25T12:00:00Z',
      closed('2025-11-26T02:00:00Z'),
    ],
    [
      'inside the second of several windows',
      [win(['Mon'], '02:00', '2h'), win(['Wed'], '02:00', '2h')],
      '2025-11-26T03:00:00Z',
      open('2025-11-26T04:00:00Z'),
    ],
    [
      'touching windows merge',
      [win(['Mon'], '02:00', '2h'), win(['Mon'], '04:00', '2h')],
      '2025-11-24T03:00:00Z',
      open('2025-11-24T06:00:00Z'),
    ],
    [
      'overlapping windows in different zones merge',
      [win(['Mon'], '09:00', '2h', 'Europe/Berlin'), win(['Mon'], '03:00', '3h', 'America/New_York')],
      '2025-11-24T08:30:00Z',
      open('2025-11-24T11:00:00Z'),
    ],
    [
      'one window every day for 24h: open with no end in sight',
      [win(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], '00:00', '24h')],
      '2025-11-24T12:00:00Z',
      open(),
    ],
  ])('%s', (_name, windows, now, expected) => {
    expect(windowState(windows, at(now))).toEqual(expected);
  });

  it('reports windows it cannot understand and never opens them', () => {
    const state = windowState(
      [
        win(['Mon'], '02:00', '4h', 'Mars/Olympus'),
        win(['Mon'], '02:00', 'forever'),
        win(['Mon'], '02:00', '0s'),
        win(['Mon'], '02:00', '169h'),
        win(['Tue'], '02:00', '1h'),
      ],
      at('2025-11-24T03:00:00Z'),
    );
    expect(state.open).toBe(false);
    expect(state.nextOpensAt).toEqual(at('2025-11-25T02:00:00Z'));
    expect(state.problems.map((problem) => problem.index)).toEqual([0, 1, 2, 3]);
    expect(state.problems[0]?.message).toContain('Mars/Olympus');
    expect(state.problems[1]?.message).toContain('forever');
    expect(state.problems[2]?.message).toContain('never opens');
    expect(state.problems[3]?.message).toContain('longer than a week');
  });

  it('stays closed for good when no window is valid', () => {
    const state = windowState([win(['Mon'], '02:00', '4h', 'Nowhere/Land')], at('2025-11-24T03:00:00Z'));
    expect(state).toEqual({ open: false, problems: [{ index: 0, message: expect.stringContaining('Nowhere/Land') }] });
  });

  it('describes a window for messages', () => {
    expect(describeWindow(win(['Mon', 'Tue'], '02:00', '90m', 'Europe/Berlin'))).toBe(
      'Mon,Tue 02:00 for 1h30m (Europe/Berlin)',
    );
  });
});
