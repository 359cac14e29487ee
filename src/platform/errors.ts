// Every way talking to the platform can fail, as one class per failure mode with a stable
// `code` (matched by code, never by message text) and whether trying again can help.
import { OperatorError } from '../util/operator-error.js';

export type PlatformErrorCode =
  | 'InvalidPlatformURL'
  | 'CredentialInvalid'
  | 'PlatformUnreachable'
  | 'TLSHandshakeFailed'
  | 'PlatformHTTPError'
  | 'ResponseTooLarge'
  | 'Timeout'
  | 'AdvertisementRejected'
  | 'StatusMalformed';

/** Which side of the TLS handshake was at fault, so a person knows what to fix. */
export type TLSFailureKind =
  | 'ServerCertificateUntrusted'
  | 'ServerCertificateInvalid'
  | 'ProtocolVersion'
  | 'ClientCertificateRejected'
  | 'Other';

/** Why an advertisement is never rolled out (docs/troubleshooting.md has a row for each). */
export const advertisementRejectionReasons = [
  'Malformed',
  'MissingDigest',
  'InvalidDigest',
  'DigestMismatch',
  'InvalidVersion',
  'RegistryNotAllowed',
  'SignatureMissing',
  'SignatureInvalid',
  'ChannelMismatch',
] as const;

export type AdvertisementRejectionReason = (typeof advertisementRejectionReasons)[number];

export interface ErrorDocumentation {
  /** What happened, in one line. */
  meaning: string;
  /** What a person should do about it. */
  action: string;
}

/** The documentation table: a test fails when a code lacks an entry. */
export const platformErrorDocs: Record<PlatformErrorCode, ErrorDocumentation> = {
  InvalidPlatformURL: {
    meaning: 'The platform URL is not an absolute https:// URL; plain HTTP is never used.',
    action: 'Set spec.platform.url (or the operator default) to an https:// URL.',
  },
  CredentialInvalid: {
    meaning: 'The registration certificate or key cannot be loaded, or the key does not belong to the certificate.',
    action: 'Re-create the registration Secret with the matching tls.crt and tls.key.',
  },
  PlatformUnreachable: {
    meaning: 'No connection to the platform (DNS failure, refused or reset connection, proxy failure).',
    action: 'Check egress to port 443, DNS, and the HTTPS proxy settings; it is retried automatically.',
  },
  TLSHandshakeFailed: {
    meaning:
      'The TLS handshake failed; the message says whether the server certificate, the protocol version or our client certificate was refused.',
    action:
      'Fix the named side: the platform CA (caSecretRef), the server TLS version (1.2+), or renew the registration certificate.',
  },
  PlatformHTTPError: {
    meaning: 'The platform answered with an unexpected HTTP status (429 and 5xx are retried, other statuses are not).',
    action: 'For 401/403/404 check the account, certificate and channel name; for 5xx wait or contact the vendor.',
  },
  ResponseTooLarge: {
    meaning: 'The response body exceeded the size cap and was cut off unread.',
    action:
      'Check that the URL points at the platform (not a portal or proxy error page); raise the cap only if legitimate.',
  },
  Timeout: {
    meaning: 'Connecting, receiving headers or receiving the body took longer than allowed.',
    action: 'Check network latency and the proxy; it is retried automatically, raise timeouts if the link is slow.',
  },
  AdvertisementRejected: {
    meaning: 'The platform advertised a release that failed validation; it is never rolled out.',
    action:
      'Read the sub-reason: fix the allow-list or release keys if they are wrong, otherwise report it to the vendor.',
  },
  StatusMalformed: {
    meaning:
      "The platform's answer about the Atom (GET /atom/v1/self) is not JSON or lacks atomId, online, or a RFC 3339 lastContactAt; Connected stays Unknown.",
    action:
      'Check that the platform URL points at the platform itself (not a portal or proxy error page); otherwise report the answer to the vendor.',
  },
};

/** Each subclass fixes its `code` and whether retrying helps as class fields. */
export abstract class PlatformError extends OperatorError {
  abstract override readonly code: PlatformErrorCode;
  /** True when trying the same request again later may succeed. */
  abstract override readonly retryable: boolean;
  /** Server-requested wait before the next attempt (from Retry-After), when known. */
  retryAfterMs?: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super('PlatformError', message, {
      retryable: false,
      ...(options?.cause !== undefined ? { cause: options.cause } : {}),
    });
  }
}

export class InvalidPlatformURLError extends PlatformError {
  readonly code = 'InvalidPlatformURL';
  readonly retryable = false;
}

export class CredentialInvalidError extends PlatformError {
  readonly code = 'CredentialInvalid';
  readonly retryable = false;
}

export class PlatformUnreachableError extends PlatformError {
  readonly code = 'PlatformUnreachable';
  readonly retryable = true;
}

export class TLSHandshakeFailedError extends PlatformError {
  readonly code = 'TLSHandshakeFailed';
  readonly retryable = false;
  constructor(
    readonly kind: TLSFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class PlatformHTTPError extends PlatformError {
  readonly code = 'PlatformHTTPError';
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    message: string,
    retryAfterMs?: number,
  ) {
    super(message);
    this.retryable = status === 429 || status >= 500;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

export class ResponseTooLargeError extends PlatformError {
  readonly code = 'ResponseTooLarge';
  readonly retryable = false;
  constructor(readonly limitBytes: number) {
    super(`The platform's response is larger than ${limitBytes} bytes; it was not read.`);
  }
}

export class TimeoutError extends PlatformError {
  readonly code = 'Timeout';
  readonly retryable = true;
}

export class AdvertisementRejectedError extends PlatformError {
  readonly code = 'AdvertisementRejected';
  readonly retryable = false;
  constructor(
    readonly reason: AdvertisementRejectionReason,
    message: string,
  ) {
    super(message);
  }
}

export class StatusMalformedError extends PlatformError {
  readonly code = 'StatusMalformed';
  readonly retryable = false;
}

export function isPlatformError(value: unknown): value is PlatformError {
  return value instanceof PlatformError;
}
