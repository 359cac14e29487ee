import { describe, expect, it } from 'vitest';
import {
  AdvertisementRejectedError,
  CredentialInvalidError,
  InvalidPlatformURLError,
  type PlatformError,
  PlatformHTTPError,
  PlatformUnreachableError,
  ResponseTooLargeError,
  StatusMalformedError,
  TLSHandshakeFailedError,
  TimeoutError,
  platformErrorDocs,
} from './errors.js';

const oneOfEach: PlatformError[] = [
  new InvalidPlatformURLError('x'),
  new CredentialInvalidError('x'),
  new PlatformUnreachableError('x'),
  new TLSHandshakeFailedError('ProtocolVersion', 'x'),
  new PlatformHTTPError(503, 'x'),
  new ResponseTooLargeError(10),
  new TimeoutError('x'),
  new AdvertisementRejectedError('SignatureInvalid', 'x'),
  new StatusMalformedError('x'),
];

describe('platform error codes', () => {
  it.each(oneOfEach.map((error) => [error.code, error] as const))(
    '%s is documented with a meaning and an action',
    (code, error) => {
      const doc = platformErrorDocs[code];
      expect(doc.meaning.length).toBeGreaterThan(20);
      expect(doc.action.length).toBeGreaterThan(20);
      expect(error.name).toBe(error.constructor.name);
    },
  );

  it('documents no code that no error class uses', () => {
    expect(Object.keys(platformErrorDocs).sort()).toEqual(oneOfEach.map((error) => error.code).sort());
  });

  it.each([
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [404, false],
  ])('HTTP %i is retryable: %s', (status, retryable) => {
    expect(new PlatformHTTPError(status, 'x').retryable).toBe(retryable);
  });
});
