import { describe, expect, it } from 'vitest';
import {
  kubeErrorDocs,
  KubeApiError,
  kubeErrorCode,
  kubeErrorFromResponse,
  parseRetryAfter,
  toKubeError,
  type KubeErrorCode,
} from './errors.js';

describe('kubeErrorCode', () => {
  it.each<[number, string | undefined, KubeErrorCode]>([
    [409, 'Conflict', 'KubeConflict'],
    [409, 'AlreadyExists', 'KubeAlreadyExists'],
    [410, 'Expired', 'KubeGone'],
    [410, undefined, 'KubeGone'],
    [422, 'Invalid', 'KubeInvalid'],
    [429, 'TooManyRequests', 'KubeTooManyRequests'],
    [500, 'InternalError', 'KubeServerError'],
    [503, 'ServiceUnavailable', 'KubeServerError'],
    [504, 'Timeout', 'KubeTimeout'],
    [500, 'ServerTimeout', 'KubeTimeout'],
    [404, 'NotFound', 'KubeNotFound'],
    [403, 'Forbidden', 'KubeForbidden'],
    [401, undefined, 'KubeUnauthorized'],
    [400, 'BadRequest', 'KubeBadRequest'],
    [0, undefined, 'KubeNetwork'],
    [302, undefined, 'KubeUnexpected'],
  ])('HTTP %d reason %s -> %s', (status, reason, code) => expect(kubeErrorCode(status, reason)).toBe(code));

  it('documents every code it can produce', () => {
    for (const status of [0, 302, 400, 401, 403, 404, 408, 409, 410, 422, 429, 500, 502, 503, 504]) {
      expect(Object.keys(kubeErrorDocs)).toContain(kubeErrorCode(status, undefined));
    }
    for (const description of Object.values(kubeErrorDocs)) expect(description.length).toBeGreaterThan(20);
  });
});

describe('kubeErrorFromResponse', () => {
  it('reads reason and message from a Status body, not from the text', () => {
    const err = kubeErrorFromResponse(
      409,
      JSON.stringify({ kind: 'Status', reason: 'AlreadyExists', message: 'conflict words here' }),
      null,
      'POST x',
    );
    expect(err).toMatchObject({ code: 'KubeAlreadyExists', status: 409, reason: 'AlreadyExists', retryable: true });
    expect(err.message).toBe('POST x failed with HTTP 409 AlreadyExists: conflict words here');
  });

  it('takes Retry-After from the header, else from Status details', () => {
    expect(kubeErrorFromResponse(429, '', '3').retryAfterSeconds).toBe(3);
    expect(
      kubeErrorFromResponse(429, { reason: 'TooManyRequests', details: { retryAfterSeconds: 9 } }).retryAfterSeconds,
    ).toBe(9);
    expect(kubeErrorFromResponse(500, 'garbage').retryAfterSeconds).toBeUndefined();
  });

  it('marks only hopeless failures as not retryable', () => {
    expect(kubeErrorFromResponse(422, { reason: 'Invalid' }).retryable).toBe(false);
    expect(kubeErrorFromResponse(400, {}).retryable).toBe(false);
    expect(kubeErrorFromResponse(503, {}).retryable).toBe(true);
    expect(kubeErrorFromResponse(403, {}).retryable).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  it('accepts seconds and HTTP dates', () => {
    expect(parseRetryAfter('5')).toBe(5);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('toKubeError', () => {
  it('maps an ApiException-shaped error by code and body', () => {
    const apiException = Object.assign(new Error('HTTP-Code: 410'), {
      code: 410,
      body: '{"reason":"Expired","message":"too old"}',
      headers: {},
    });
    expect(toKubeError(apiException)).toMatchObject({ code: 'KubeGone', status: 410, reason: 'Expired' });
  });

  it('treats errors without a status as network failures and timeouts as timeouts', () => {
    expect(toKubeError(new TypeError('fetch failed'))).toMatchObject({
      code: 'KubeNetwork',
      status: 0,
      retryable: true,
    });
    expect(toKubeError(new DOMException('late', 'TimeoutError'))).toMatchObject({ code: 'KubeTimeout' });
  });

  it('passes our own errors through unchanged', () => {
    const err = new KubeApiError({ code: 'KubeConflict', status: 409, message: 'x' });
    expect(toKubeError(err)).toBe(err);
  });
});
