// Typed errors for everything that talks to the API server. Callers branch on
// `code` (stable, documented) and `retryable`, never on message text.

import { OperatorError } from '../util/operator-error.js';

export { OperatorError };

/** Stable codes for API server failures, with what each means to an operator author. */
export const kubeErrorDocs = {
  KubeBadRequest: 'The API server rejected the request as malformed (400); retrying the same request cannot help.',
  KubeUnauthorized: 'The credentials were rejected (401); retried because tokens rotate.',
  KubeForbidden: 'RBAC denies the request (403); retried with backoff because permissions can be granted later.',
  KubeNotFound: 'The object or resource type does not exist (404).',
  KubeConflict: 'The object changed since it was read (409 Conflict); re-read and try again.',
  KubeAlreadyExists: 'An object with that name already exists (409 AlreadyExists).',
  KubeGone: 'The requested resourceVersion is too old (410 Gone / Expired); re-list.',
  KubeInvalid: 'The object failed validation (422 Invalid); fix the object, retrying cannot help.',
  KubeTooManyRequests: 'The API server is throttling (429); wait for Retry-After.',
  KubeServerError: 'The API server failed (5xx); retried with backoff.',
  KubeTimeout: 'The API server or the connection timed out; retried with backoff.',
  KubeNetwork: 'No HTTP response (connection refused, reset, TLS failure); retried with backoff.',
  KubeUnexpected: 'The API server answered with a status the operator does not understand.',
} as const;

export type KubeErrorCode = keyof typeof kubeErrorDocs;

/** The fields of a metav1.Status body we rely on (parsed defensively: bodies can be anything). */
export interface KubeStatusBody {
  readonly reason?: string;
  readonly message?: string;
  readonly code?: number;
  readonly details?: unknown;
}

export class KubeApiError extends OperatorError {
  declare readonly code: KubeErrorCode;
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** metav1.Status `reason` when the server sent one (e.g. "Conflict", "Expired"). */
  readonly reason: string | undefined;
  /** Seconds the server asked us to wait (Retry-After header or Status details.retryAfterSeconds). */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    code: KubeErrorCode;
    status: number;
    reason?: string | undefined;
    message: string;
    retryAfterSeconds?: number | undefined;
    cause?: unknown;
  }) {
    super(init.code, init.message, { retryable: isRetryableCode(init.code), cause: init.cause });
    this.status = init.status;
    this.reason = init.reason;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

function isRetryableCode(code: KubeErrorCode): boolean {
  return !(code === 'KubeBadRequest' || code === 'KubeInvalid' || code === 'KubeNotFound');
}

/** Maps an HTTP status and Status `reason` to our code; reason wins when it is more precise. */
export function kubeErrorCode(status: number, reason: string | undefined): KubeErrorCode {
  switch (reason) {
    case 'Conflict':
      return 'KubeConflict';
    case 'AlreadyExists':
      return 'KubeAlreadyExists';
    case 'Expired':
    case 'Gone':
      return 'KubeGone';
    case 'Invalid':
      return 'KubeInvalid';
    case 'TooManyRequests':
      return 'KubeTooManyRequests';
    case 'Timeout':
    case 'ServerTimeout':
      return 'KubeTimeout';
    case 'NotFound':
      return 'KubeNotFound';
    case 'Forbidden':
      return 'KubeForbidden';
    case 'Unauthorized':
      return 'KubeUnauthorized';
    default:
      break;
  }
  if (status === 0) return 'KubeNetwork';
  if (status === 400) return 'KubeBadRequest';
  if (status === 401) return 'KubeUnauthorized';
  if (status === 403) return 'KubeForbidden';
  if (status === 404) return 'KubeNotFound';
  if (status === 409) return 'KubeConflict';
  if (status === 410) return 'KubeGone';
  if (status === 422) return 'KubeInvalid';
  if (status === 429) return 'KubeTooManyRequests';
  if (status === 504 || status === 408) return 'KubeTimeout';
  if (status >= 500) return 'KubeServerError';
  return 'KubeUnexpected';
}

/** Reads a metav1.Status out of a body that may be a string, an object or garbage. */
export function parseStatusBody(body: unknown): KubeStatusBody {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return {};
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  return {
    ...(typeof record.reason === 'string' ? { reason: record.reason } : {}),
    ...(typeof record.message === 'string' ? { message: record.message } : {}),
    ...(typeof record.code === 'number' ? { code: record.code } : {}),
    ...(record.details !== undefined ? { details: record.details } : {}),
  };
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(header);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function retryAfterFromDetails(details: unknown): number | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const value = (details as Record<string, unknown>).retryAfterSeconds;
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/** Builds a KubeApiError from an HTTP response's status, headers and body. */
export function kubeErrorFromResponse(
  status: number,
  body: unknown,
  retryAfterHeader?: string | null,
  what = 'request',
): KubeApiError {
  const parsed = parseStatusBody(body);
  const code = kubeErrorCode(status, parsed.reason);
  const retryAfterSeconds = parseRetryAfter(retryAfterHeader) ?? retryAfterFromDetails(parsed.details);
  return new KubeApiError({
    code,
    status,
    reason: parsed.reason,
    message: `${what} failed with HTTP ${status}${parsed.reason ? ` ${parsed.reason}` : ''}: ${parsed.message ?? 'no message'}`,
    retryAfterSeconds,
  });
}

/**
 * Normalises anything thrown while talking to the API server: our own errors pass
 * through, client-node's ApiException (`code` + `body` + `headers`) is mapped by status
 * and reason, and anything else (fetch/network failures, aborts) becomes KubeNetwork or KubeTimeout.
 */
export function toKubeError(err: unknown, what = 'request'): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (typeof err === 'object' && err !== null) {
    const record = err as Record<string, unknown>;
    const status =
      typeof record.code === 'number'
        ? record.code
        : typeof record.statusCode === 'number'
          ? record.statusCode
          : undefined;
    if (status !== undefined && status >= 100) {
      const headers = record.headers;
      let retryAfter: string | undefined;
      if (typeof headers === 'object' && headers !== null) {
        const value =
          (headers as Record<string, unknown>)['retry-after'] ?? (headers as Record<string, unknown>)['Retry-After'];
        if (typeof value === 'string') retryAfter = value;
      }
      const mapped = kubeErrorFromResponse(status, record.body, retryAfter, what);
      return new KubeApiError({
        code: mapped.code,
        status,
        reason: mapped.reason,
        message: mapped.message,
        retryAfterSeconds: mapped.retryAfterSeconds,
        cause: err,
      });
    }
    const name = typeof record.name === 'string' ? record.name : '';
    if (name === 'TimeoutError') {
      return new KubeApiError({ code: 'KubeTimeout', status: 0, message: `${what} timed out`, cause: err });
    }
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new KubeApiError({
    code: 'KubeNetwork',
    status: 0,
    message: `${what} failed without a response: ${detail}`,
    cause: err,
  });
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.code === 'KubeNotFound';
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.code === 'KubeConflict';
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof KubeApiError && err.code === 'KubeAlreadyExists';
export const isGone = (err: unknown): boolean => err instanceof KubeApiError && err.code === 'KubeGone';
