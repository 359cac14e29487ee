// Asks a platform which release it advertises on a channel. HTTPS only, TLS 1.2+, mutual TLS with
// the Atom's registration certificate, bounded in time and size, retried only when that can help,
// and every failure turned into a PlatformError with a stable code.
import { request, type Dispatcher } from 'undici';
import { checkCredential, validityHint } from './credential.js';
import {
  createDispatcher,
  dispatcherKey,
  tlsOptionsFor,
  type Endpoint,
  type ProxySettings,
  type Timeouts,
} from './dispatchers.js';
import {
  CredentialInvalidError,
  PlatformError,
  PlatformHTTPError,
  PlatformUnreachableError,
  ResponseTooLargeError,
  TLSHandshakeFailedError,
  TimeoutError,
  type TLSFailureKind,
} from './errors.js';
import { backoffDelayMs, defaultRetryPolicy, parseRetryAfterMs, type RetryPolicy } from './retry-policy.js';
import { parseSelfStatus, type SelfStatus } from './self-status.js';
import { classifyTLSCode, explainTLSFailure, probeHandshake } from './tls-diagnosis.js';
import { releaseURL, selfURL } from './urls.js';

export type { Endpoint, ProxySettings, Timeouts } from './dispatchers.js';
export { parsePlatformURL, releaseURL, selfURL } from './urls.js';

export interface ReleaseQuery extends Endpoint {
  channel: string;
  /** ETag of the last answer; the platform answers 304 when nothing changed. */
  etag?: string;
}

export type ReleaseResponse = { modified: true; body: string; etag?: string } | { modified: false };

/** The platform's view of the Atom whose certificate asked, or that it does not offer one (404). */
export type SelfResponse = { offered: true; status: SelfStatus } | { offered: false };

/** What one GET came back with, before the caller reads meaning into it. */
type RawAnswer = { status: 200; body: string; etag?: string } | { status: 304 } | { status: 404 };

interface GetOptions {
  etag?: string;
  /** 404 is an answer (the platform does not offer the resource), not a failure. */
  notFoundIsAnswer?: boolean;
}

export interface PlatformClientOptions extends ProxySettings, Partial<Timeouts> {
  /** Largest response body accepted, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** How long the handshake probe waits to tell a refused client certificate from a dropped connection. */
  handshakeProbeMs?: number;
  userAgent?: string;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

const defaultTimeouts: Timeouts = { connectTimeoutMs: 10_000, headersTimeoutMs: 15_000, bodyTimeoutMs: 15_000 };
// Codes that mean "the connection went away" without saying why; the probe says more.
const ambiguousCloses = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

interface ErrorLike {
  code?: string;
  message?: string;
  cause?: ErrorLike;
}

function errorCode(error: unknown): string | undefined {
  const e = error as ErrorLike | undefined;
  return e?.code && e.code !== 'UND_ERR_SOCKET' ? e.code : (e?.cause?.code ?? e?.code);
}

async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new ResponseTooLargeError(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class PlatformClient {
  readonly #dispatchers = new Map<string, Dispatcher>();
  readonly #timeouts: Timeouts;
  readonly #retry: RetryPolicy;
  readonly #proxy: ProxySettings;
  readonly #maxBodyBytes: number;
  readonly #probeMs: number;
  readonly #userAgent: string;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(options: PlatformClientOptions = {}) {
    this.#timeouts = {
      connectTimeoutMs: options.connectTimeoutMs ?? defaultTimeouts.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs ?? defaultTimeouts.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs ?? defaultTimeouts.bodyTimeoutMs,
    };
    this.#retry = { ...defaultRetryPolicy, ...options.retry };
    this.#proxy = {};
    if (options.httpsProxy) this.#proxy.httpsProxy = options.httpsProxy;
    if (options.noProxy) this.#proxy.noProxy = options.noProxy;
    this.#maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.#probeMs = options.handshakeProbeMs ?? 1500;
    this.#userAgent = options.userAgent ?? 'atom-operator';
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** Fetches the advertisement for a channel, retrying network errors, 429 and 5xx with backoff. */
  async fetchRelease(query: ReleaseQuery): Promise<ReleaseResponse> {
    const answer = await this.#get(releaseURL(query.url, query.channel), query, query.etag ? { etag: query.etag } : {});
    // Without notFoundIsAnswer a 404 is thrown as PlatformHTTPError, so anything but 200 is a 304.
    if (answer.status !== 200) return { modified: false };
    const { body, etag } = answer;
    return etag === undefined ? { modified: true, body } : { modified: true, body, etag };
  }

  /**
   * Asks what the platform knows about the Atom this certificate identifies. A 404 means the
   * platform does not offer it; a body that is not a valid answer is a StatusMalformed error.
   */
  async fetchSelf(endpoint: Endpoint): Promise<SelfResponse> {
    const answer = await this.#get(selfURL(endpoint.url), endpoint, { notFoundIsAnswer: true });
    if (answer.status !== 200) return { offered: false };
    return { offered: true, status: parseSelfStatus(answer.body) };
  }

  /** One GET with the retry policy: network errors, 429 and 5xx are retried with backoff. */
  async #get(url: string, endpoint: Endpoint, options: GetOptions): Promise<RawAnswer> {
    if (endpoint.credential) checkCredential(endpoint.credential);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#attempt(url, endpoint, options);
      } catch (error) {
        const failure = error instanceof PlatformError ? error : await this.#translate(error, endpoint);
        const tooLong = failure.retryAfterMs !== undefined && failure.retryAfterMs > this.#retry.maxRetryAfterMs;
        if (!failure.retryable || attempt >= this.#retry.maxAttempts || tooLong) throw failure;
        await this.#sleep(failure.retryAfterMs ?? backoffDelayMs(attempt, this.#retry, this.#random));
      }
    }
  }

  /** Closes the connections of one endpoint+credential (when no Atom uses it any more). */
  async closeEndpoint(endpoint: Endpoint): Promise<void> {
    const key = dispatcherKey(endpoint);
    const dispatcher = this.#dispatchers.get(key);
    this.#dispatchers.delete(key);
    await dispatcher?.close();
  }

  /** Number of open connection pools; one per distinct endpoint+credential+CA. */
  get poolCount(): number {
    return this.#dispatchers.size;
  }

  async close(): Promise<void> {
    const all = [...this.#dispatchers.values()];
    this.#dispatchers.clear();
    await Promise.all(all.map((dispatcher) => dispatcher.close()));
  }

  #dispatcherFor(endpoint: Endpoint): Dispatcher {
    const key = dispatcherKey(endpoint);
    let dispatcher = this.#dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = createDispatcher(endpoint, this.#proxy, this.#timeouts);
      this.#dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  async #attempt(url: string, endpoint: Endpoint, options: GetOptions): Promise<RawAnswer> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.#userAgent };
    if (options.etag) headers['if-none-match'] = options.etag;
    const response = await request(url, { dispatcher: this.#dispatcherFor(endpoint), method: 'GET', headers });
    const { statusCode } = response;
    if (statusCode === 200) {
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > this.#maxBodyBytes) {
        // Nobody reads the body any more; the abort it reports is expected.
        response.body.on('error', () => undefined).destroy();
        throw new ResponseTooLargeError(this.#maxBodyBytes);
      }
      // undici's bodyTimeout only limits the pause between chunks: a platform (or proxy) trickling a byte
      // at a time would hold this key's poll for days. The whole body must arrive within it too.
      const ms = this.#timeouts.bodyTimeoutMs;
      const deadline = setTimeout(() => {
        const origin = new URL(url).origin;
        response.body.destroy(new TimeoutError(`${origin} took longer than ${ms} ms to send the response body.`));
      }, ms);
      let body: string;
      try {
        body = await readCapped(response.body, this.#maxBodyBytes);
      } finally {
        clearTimeout(deadline);
      }
      const etag = response.headers.etag;
      return typeof etag === 'string' ? { status: 200, body, etag } : { status: 200, body };
    }
    await response.body.dump({ limit: this.#maxBodyBytes }).catch(() => undefined);
    if (statusCode === 304) return { status: 304 };
    if (statusCode === 404 && options.notFoundIsAnswer) return { status: 404 };
    const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], this.#now());
    throw new PlatformHTTPError(statusCode, describeStatus(statusCode, url, retryAfterMs), retryAfterMs);
  }

  async #translate(error: unknown, endpoint: Endpoint): Promise<PlatformError> {
    const code = errorCode(error);
    const origin = new URL(endpoint.url).origin;
    const detail = `${(error as ErrorLike).message ?? String(error)}${code ? ` (${code})` : ''}`;
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new TimeoutError(`Connecting to ${origin} took longer than ${this.#timeouts.connectTimeoutMs} ms.`, {
        cause: error,
      });
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT') {
      return new TimeoutError(`${origin} sent no response headers within ${this.#timeouts.headersTimeoutMs} ms.`, {
        cause: error,
      });
    }
    if (code === 'UND_ERR_BODY_TIMEOUT') {
      return new TimeoutError(`${origin} stopped sending the response body for ${this.#timeouts.bodyTimeoutMs} ms.`, {
        cause: error,
      });
    }
    const kind = classifyTLSCode(code);
    if (kind) return this.#tlsError(kind, origin, endpoint, code, error);
    if (code?.startsWith('ERR_OSSL_')) {
      return new CredentialInvalidError(`The registration certificate or key cannot be used for TLS: ${detail}.`, {
        cause: error,
      });
    }
    // Behind a proxy the probe would test the wrong hop, so an ambiguous close stays "unreachable".
    if (code && ambiguousCloses.has(code) && !this.#proxy.httpsProxy) {
      const { hostname, port } = new URL(endpoint.url);
      const host = hostname.replace(/^\[(.+)\]$/, '$1');
      const probe = await probeHandshake(
        { ...tlsOptionsFor(endpoint), host, port: Number(port) || 443 },
        this.#probeMs,
      );
      if (probe.kind === 'tls-failure')
        return this.#tlsError(probe.failure, origin, endpoint, probe.code ?? code, error);
    }
    const via = this.#proxy.httpsProxy ? ' through the HTTPS proxy' : '';
    return new PlatformUnreachableError(`Could not reach ${origin}${via}: ${detail}.`, { cause: error });
  }

  #tlsError(
    kind: TLSFailureKind,
    origin: string,
    endpoint: Endpoint,
    code: string | undefined,
    cause: unknown,
  ): TLSHandshakeFailedError {
    const hint = kind === 'ClientCertificateRejected' ? ` ${validityHint(endpoint.credential, this.#now())}` : '';
    return new TLSHandshakeFailedError(
      kind,
      `TLS handshake with ${origin} failed: ${explainTLSFailure(kind)}.${hint}${code ? ` (${code})` : ''}`,
      {
        cause,
      },
    );
  }
}

function describeStatus(status: number, url: string, retryAfterMs: number | undefined): string {
  const wait = retryAfterMs !== undefined ? ` It asked to retry after ${Math.round(retryAfterMs / 1000)} s.` : '';
  if (status === 429) return `The platform is rate limiting requests (429).${wait}`;
  if (status >= 500) return `The platform failed with ${status}; it is retried automatically.${wait}`;
  if (status === 401 || status === 403)
    return `The platform refused the registration certificate (${status}); check that the Atom is registered and not revoked.`;
  if (status === 404)
    return `The platform has no release channel at ${url} (404); check spec.update.channel and the platform URL.`;
  return `The platform answered ${url} with unexpected status ${status}.`;
}
