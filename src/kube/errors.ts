// Typed errors for everything that talks to the API server. Callers branch on
// `code` (stable, documented) and `retryable`, never on message text.

/** Base class of every error the operator raises on purpose. */
export class OperatorError extends Error {
  readonly code: string;
  /** True when trying again later may succeed (the queue backs off); false = terminal until something changes. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable;
  }
}

/** Stable codes for API server failures, with what each means to an operator author. */
export const KUBE_ERROR_CODES = {
  KUBE_BAD_REQUEST: 'The API server rejected the request as malformed (400); retrying the same request cannot help.',
  KUBE_UNAUTHORIZED: 'The credentials were rejected (401); retried because tokens rotate.',
  KUBE_FORBIDDEN: 'RBAC denies the request (403); retried with backoff because permissions can be granted later.',
  KUBE_NOT_FOUND: 'The object or resource type does not exist (404).',
  KUBE_CONFLICT: 'The object changed since it was read (409 Conflict); re-read and try again.',
  KUBE_ALREADY_EXISTS: 'An object with that name already exists (409 AlreadyExists).',
  KUBE_GONE: 'The requested resourceVersion is too old (410 Gone / Expired); re-list.',
  KUBE_INVALID: 'The object failed validation (422 Invalid); fix the object, retrying cannot help.',
  KUBE_TOO_MANY_REQUESTS: 'The API server is throttling (429); wait for Retry-After.',
  KUBE_SERVER_ERROR: 'The API server failed (5xx); retried with backoff.',
  KUBE_TIMEOUT: 'The API server or the connection timed out; retried with backoff.',
  KUBE_NETWORK: 'No HTTP response (connection refused, reset, TLS failure); retried with backoff.',
  KUBE_UNEXPECTED: 'The API server answered with a status the operator does not understand.',
} as const;

export type KubeErrorCode = keyof typeof KUBE_ERROR_CODES;

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
  return !(code === 'KUBE_BAD_REQUEST' || code === 'KUBE_INVALID' || code === 'KUBE_NOT_FOUND');
}

/** Maps an HTTP status and Status `reason` to our code; reason wins when it is more precise. */
export function kubeErrorCode(status: number, reason: string | undefined): KubeErrorCode {
  switch (reason) {
    case 'Conflict':
      return 'KUBE_CONFLICT';
    case 'AlreadyExists':
      return 'KUBE_ALREADY_EXISTS';
    case 'Expired':
    case 'Gone':
      return 'KUBE_GONE';
    case 'Invalid':
      return 'KUBE_INVALID';
    case 'TooManyRequests':
      return 'KUBE_TOO_MANY_REQUESTS';
    case 'Timeout':
    case 'ServerTimeout':
      return 'KUBE_TIMEOUT';
    case 'NotFound':
      return 'KUBE_NOT_FOUND';
    case 'Forbidden':
      return 'KUBE_FORBIDDEN';
    case 'Unauthorized':
      return 'KUBE_UNAUTHORIZED';
    default:
      break;
  }
  if (status === 0) return 'KUBE_NETWORK';
  if (status === 400) return 'KUBE_BAD_REQUEST';
  if (status === 401) return 'KUBE_UNAUTHORIZED';
  if (status === 403) return 'KUBE_FORBIDDEN';
  if (status === 404) return 'KUBE_NOT_FOUND';
  if (status === 409) return 'KUBE_CONFLICT';
  if (status === 410) return 'KUBE_GONE';
  if (status === 422) return 'KUBE_INVALID';
  if (status === 429) return 'KUBE_TOO_MANY_REQUESTS';
  if (status === 504 || status === 408) return 'KUBE_TIMEOUT';
  if (status >= 500) return 'KUBE_SERVER_ERROR';
  return 'KUBE_UNEXPECTED';
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
 * and reason, and anything else (fetch/network failures, aborts) becomes KUBE_NETWORK or KUBE_TIMEOUT.
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
      return new KubeApiError({ code: 'KUBE_TIMEOUT', status: 0, message: `${what} timed out`, cause: err });
    }
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new KubeApiError({
    code: 'KUBE_NETWORK',
    status: 0,
    message: `${what} failed without a response: ${detail}`,
    cause: err,
  });
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.code === 'KUBE_NOT_FOUND';
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.code === 'KUBE_CONFLICT';
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof KubeApiError && err.code === 'KUBE_ALREADY_EXISTS';
export const isGone = (err: unknown): boolean => err instanceof KubeApiError && err.code === 'KUBE_GONE';
