import { describe, expect, it } from 'vitest';
import { compareVersions, includesVersion, isNewerVersion, parseVersion, sameVersion } from './versions.js';

describe('parseVersion', () => {
  it.each([
    ['1.2.3', ['1', '2', '3'], []],
    ['1.2.3-rc.1', ['1', '2', '3'], ['rc', '1']],
    ['1.2.3-rc.1+build.7', ['1', '2', '3'], ['rc', '1']],
    ['24.11.0.2', ['24', '11', '0', '2'], []],
    ['024.011.0', ['24', '11', '0'], []],
    ['v5.0.2', ['5', '0', '2'], []],
    ['1.0.0-x-y.z.0', ['1', '0', '0'], ['x-y', 'z', '0']],
  ])('parses %s', (text, release, prerelease) => {
    expect(parseVersion(text)).toEqual({ raw: text, release, prerelease });
  });

  it.each(['latest', '', '1.2.3-', '1..2', '1.2.3+', 'sha256:abc', '1.2.3-rc..1', '1.2.3.4.5.6.7.8.9'])(
    'rejects %j',
    (text) => {
      expect(parseVersion(text)).toBeUndefined();
    },
  );
});

describe('compareVersions', () => {
  it.each([
    // semver release parts
    ['1.2.3', '1.2.4', -1],
    ['1.10.0', '1.9.9', 1],
    ['2.0.0', '10.0.0', -1],
    ['1.2.3', '1.2.3', 0],
    // semver 2.0.0 §11 pre-release chain
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-alpha.beta', '1.0.0-beta', -1],
    ['1.0.0-beta', '1.0.0-beta.2', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-beta.11', '1.0.0-rc.1', -1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0', '1.0.0-rc.1', 1],
    ['1.0.1-rc.1', '1.0.0', 1],
    // build metadata never orders
    ['1.0.0+a', '1.0.0+b', 0],
    // dotted numerics, mixed lengths
    ['24.11.0.2', '24.11.0.10', -1],
    ['24.11.0.2', '24.11.0', 1],
    ['24.11', '24.11.0', 0],
    ['24.11.0.0', '24.11.0', 0],
    ['25.1.0', '24.11.0.2', 1],
    // beyond 2^53
    ['1.99999999999999999999', '1.99999999999999999998', 1],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(expected === 0 ? 0 : -expected);
  });

  it('cannot order what is not a version', () => {
    expect(compareVersions('latest', '1.2.3')).toBeUndefined();
    expect(compareVersions('1.2.3', 'nightly')).toBeUndefined();
  });
});

describe('isNewerVersion', () => {
  it.each([
    ['1.2.4', '1.2.3', true],
    ['1.2.3', '1.2.3', false],
    ['1.2.2', '1.2.3', false],
    ['1.2.3', '1.2.3-rc.1', true],
    ['24.11.0.3', '24.11.0.2', true],
    ['1.0.0', undefined, true],
    ['1.0.0', 'latest', true],
    ['latest', '1.0.0', false],
    ['latest', undefined, false],
  ])('%s newer than %s: %s', (candidate, than, expected) => {
    expect(isNewerVersion(candidate, than)).toBe(expected);
  });
});

describe('sameVersion and includesVersion', () => {
  it.each([
    ['1.2', '1.2.0', true],
    ['1.2.3+a', '1.2.3+b', true],
    ['1.2.3', '1.2.4', false],
    ['latest', 'latest', true],
    ['latest', 'stable', false],
    [undefined, '1.0.0', false],
  ])('%s same as %s: %s', (a, b, expected) => {
    expect(sameVersion(a, b)).toBe(expected);
  });

  it('finds a version written differently in a list', () => {
    expect(includesVersion(['1.0.0', '24.11.0'], '24.11')).toBe(true);
    expect(includesVersion(['1.0.0'], '1.0.1')).toBe(false);
    expect(includesVersion(undefined, '1.0.1')).toBe(false);
  });
});
