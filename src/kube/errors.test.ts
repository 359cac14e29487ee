import { describe, expect, it } from 'vitest';
import {
  KUBE_ERROR_CODES,
  KubeApiError,
  kubeErrorCode,
  kubeErrorFromResponse,
  parseRetryAfter,
  toKubeError,
  type KubeErrorCode,
} from './errors.js';

describe('kubeErrorCode', () => {
  it.each<[number, string | undefined, KubeErrorCode]>([
    [409, 'Conflict', 'KUBE_CONFLICT'],
    [409, 'AlreadyExists', 'KUBE_ALREADY_EXISTS'],
    [410, 'Expired', 'KUBE_GONE'],
    [410, undefined, 'KUBE_GONE'],
    [422, 'Invalid', 'KUBE_INVALID'],
    [429, 'TooManyRequests', 'KUBE_TOO_MANY_REQUESTS'],
    [500, 'InternalError', 'KUBE_SERVER_ERROR'],
    [503, 'ServiceUnavailable', 'KUBE_SERVER_ERROR'],
    [504, 'Timeout', 'KUBE_TIMEOUT'],
    [500, 'ServerTimeout', 'KUBE_TIMEOUT'],
    [404, 'NotFound', 'KUBE_NOT_FOUND'],
    [403, 'Forbidden', 'KUBE_FORBIDDEN'],
    [401, undefined, 'KUBE_UNAUTHORIZED'],
    [400, 'BadRequest', 'KUBE_BAD_REQUEST'],
    [0, undefined, 'KUBE_NETWORK'],
    [302, undefined, 'KUBE_UNEXPECTED'],
  ])('HTTP %d reason %s -> %s', (status, reason, code) => expect(kubeErrorCode(status, reason)).toBe(code));

  it('documents every code it can produce', () => {
    for (const status of [0, 302, 400, 401, 403, 404, 408, 409, 410, 422, 429, 500, 502, 503, 504]) {
      expect(Object.keys(KUBE_ERROR_CODES)).toContain(kubeErrorCode(status, undefined));
    }
    for (const description of Object.values(KUBE_ERROR_CODES)) expect(description.length).toBeGreaterThan(20);
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
    expect(err).toMatchObject({ code: 'KUBE_ALREADY_EXISTS', status: 409, reason: 'AlreadyExists', retryable: true });
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
    expect(toKubeError(apiException)).toMatchObject({ code: 'KUBE_GONE', status: 410, reason: 'Expired' });
  });

  it('treats errors without a status as network failures and timeouts as timeouts', () => {
    expect(toKubeError(new TypeError('fetch failed'))).toMatchObject({
      code: 'KUBE_NETWORK',
      status: 0,
      retryable: true,
    });
    expect(toKubeError(new DOMException('late', 'TimeoutError'))).toMatchObject({ code: 'KUBE_TIMEOUT' });
  });

  it('passes our own errors through unchanged', () => {
    const err = new KubeApiError({ code: 'KUBE_CONFLICT', status: 409, message: 'x' });
    expect(toKubeError(err)).toBe(err);
  });
});
