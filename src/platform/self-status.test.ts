import { describe, expect, it } from 'vitest';
import { parseSelfStatus, sameSelfStatus } from './self-status.js';

describe('parseSelfStatus', () => {
  it.each([
    ['every field', { atomId: 'a1', online: true, lastContactAt: '2026-11-30T10:00:00Z', runningVersion: '5.0.2' }],
    ['an Atom that never reported', { atomId: 'a1', online: false }],
    ['an offset time', { atomId: 'a1', online: false, lastContactAt: '2026-11-30T12:00:00+02:00' }],
  ])('accepts %s', (_case, body) => {
    expect(parseSelfStatus(JSON.stringify(body))).toEqual(body);
  });

  it('ignores fields it does not know (the platform may add some)', () => {
    expect(parseSelfStatus('{"atomId":"a1","online":true,"region":"eu"}')).toEqual({ atomId: 'a1', online: true });
  });

  it.each([
    ['not JSON', '<html>proxy error</html>', 'not JSON (it starts with "<html>proxy error</html>")'],
    ['an array', '[]', '(body)'],
    ['no atomId', '{"online":true}', 'atomId'],
    ['online as a string', '{"atomId":"a","online":"yes"}', 'online'],
    ['a time without zone', '{"atomId":"a","online":true,"lastContactAt":"2026-11-30 10:00"}', 'lastContactAt'],
    ['null', 'null', '(body)'],
  ])('refuses %s with StatusMalformed naming the problem', (_case, body, named) => {
    expect(() => parseSelfStatus(body)).toThrow(expect.objectContaining({ code: 'StatusMalformed' }));
    expect(() => parseSelfStatus(body)).toThrow(named);
  });

  it('compares answers field by field', () => {
    expect(sameSelfStatus({ atomId: 'a', online: true }, { atomId: 'a', online: true })).toBe(true);
    expect(sameSelfStatus({ atomId: 'a', online: true }, { atomId: 'a', online: false })).toBe(false);
    expect(sameSelfStatus(undefined, { atomId: 'a', online: true })).toBe(false);
  });
});
