// The one HTTP edge to the API server. Credentials, CA and proxy come from the
// kubeconfig (ours, src/kube/kubeconfig.ts, in the operator; client-node's
// KubeConfig in tests and tools: both apply them the same way); we own the
// request so we can read status codes, Retry-After and stream watches.
import { fetch, type Dispatcher } from 'undici';
import { KubeApiError, kubeErrorFromResponse, toKubeError } from './errors.js';
import type { RequestLimiter } from './rate-limit.js';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the server URL, e.g. `/api/v1/namespaces/a/pods`. */
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  /** Defaults to application/json when there is a body. */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** Overrides the client's request timeout; 0 disables it (watches). */
  readonly timeoutMs?: number;
  /** The Accept header; application/json unless a conversion is asked for (e.g. PartialObjectMetadataList). */
  readonly accept?: string;
}

export interface KubeClientOptions {
  /** Deadline for a whole non-streaming request. */
  readonly requestTimeoutMs?: number;
  /** Client-side rate limit every request (watches included) waits for, as client-go's QPS/burst. */
  readonly limiter?: RequestLimiter;
}

/** Where credentials land: request headers and the dispatcher (TLS, proxy). */
export interface SecurityContext {
  setHeaderParam(key: string, value: string): void;
  setDispatcher(dispatcher: Dispatcher): void;
}

/**
 * What the client needs of a kubeconfig. Our Kubeconfig implements it, and so does
 * client-node's KubeConfig (whose RequestContext has these two methods).
 */
export interface ClusterCredentials {
  getCurrentCluster(): { readonly server: string } | null;
  applySecurityAuthentication(context: SecurityContext): Promise<void>;
  /**
   * True when the same dispatcher comes back until the TLS material changes (ours); then the client uses
   * whatever it is given. client-node's builds a new one per call, so the client keeps its first.
   */
  readonly stableDispatcher?: boolean;
}

export class KubeClient {
  readonly #kubeConfig: ClusterCredentials;
  readonly #requestTimeoutMs: number;
  readonly #limiter: RequestLimiter | undefined;
  // client-node builds a fresh undici Agent per call; reusing the first keeps connections pooled.
  #dispatcher: Dispatcher | undefined;
  #dispatcherResolved = false;

  constructor(kubeConfig: ClusterCredentials, options: KubeClientOptions = {}) {
    this.#kubeConfig = kubeConfig;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#limiter = options.limiter;
  }

  get kubeConfig(): ClusterCredentials {
    return this.#kubeConfig;
  }

  /** Sends a request and returns the parsed JSON body; throws KubeApiError on any failure. */
  async request(req: KubeRequest): Promise<unknown> {
    const what = `${req.method} ${req.path}`;
    const { response, cleanup } = await this.#send(req, req.timeoutMs ?? this.#requestTimeoutMs);
    try {
      const text = await response.text();
      if (response.status < 200 || response.status > 299) {
        throw kubeErrorFromResponse(response.status, text, response.headers.get('retry-after'), what);
      }
      if (text === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new KubeApiError({
          code: 'KubeUnexpected',
          status: response.status,
          message: `${what} returned a body that is not JSON`,
          cause: err,
        });
      }
    } catch (err) {
      throw toKubeError(err, what);
    } finally {
      cleanup();
    }
  }

  /**
   * Opens a streaming GET (watch). Resolves once the server answered 200 with the
   * body stream; the caller reads it and aborts `signal` to close it.
   */
  async stream(path: string, query: Query, signal: AbortSignal, accept?: string): Promise<ReadableStream<Uint8Array>> {
    const what = `WATCH ${path}`;
    // fetch asks for gzip by itself; kube-apiserver then buffers a quiet watch's bookmarks in its
    // compressor, where they never arrive. Events and bookmarks must come through as they are sent.
    const { response } = await this.#send({ method: 'GET', path, query, signal, ...(accept ? { accept } : {}) }, 0, {
      'accept-encoding': 'identity',
    });
    if (response.status !== 200 || response.body === null) {
      let text = '';
      try {
        text = await response.text();
      } catch {
        // the body is only for the message; the status decides the error
      }
      throw kubeErrorFromResponse(response.status, text, response.headers.get('retry-after'), what);
    }
    return response.body as ReadableStream<Uint8Array>;
  }

  async #send(req: KubeRequest, timeoutMs: number, extraHeaders: Readonly<Record<string, string>> = {}) {
    const what = `${req.method} ${req.path}`;
    const cluster = this.#kubeConfig.getCurrentCluster();
    if (!cluster) {
      throw new KubeApiError({ code: 'KubeUnexpected', status: 0, message: 'the kubeconfig has no current cluster' });
    }
    const url = new URL(cluster.server.replace(/\/+$/, '') + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    if (this.#limiter) {
      try {
        await this.#limiter.take(req.signal);
      } catch (err) {
        throw toKubeError(err, what);
      }
    }
    const applied: Record<string, string> = {};
    let dispatcher: Dispatcher | undefined;
    await this.#kubeConfig.applySecurityAuthentication({
      setHeaderParam: (key, value) => {
        applied[key] = value;
      },
      setDispatcher: (d) => {
        dispatcher = d;
      },
    });
    if (!this.#dispatcherResolved || this.#kubeConfig.stableDispatcher) {
      this.#dispatcher = dispatcher;
      this.#dispatcherResolved = true;
    }
    const headers: Record<string, string> = { ...applied, accept: req.accept ?? 'application/json', ...extraHeaders };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] = req.contentType ?? 'application/json';
    }
    if (timeoutMs === 0) {
      // Streams live as long as the caller's signal; no deadline of our own.
      try {
        const response = await fetch(url, this.#init(req.method, headers, body, req.signal));
        return { response, cleanup: () => undefined };
      } catch (err) {
        throw toKubeError(err, what);
      }
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.signal?.aborted) controller.abort(req.signal.reason);
    const timer = setTimeout(() => controller.abort(new DOMException(`${what} timed out`, 'TimeoutError')), timeoutMs);
    timer.unref();
    const cleanup = () => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    };
    try {
      const response = await fetch(url, this.#init(req.method, headers, body, controller.signal));
      return { response, cleanup };
    } catch (err) {
      cleanup();
      const reason: unknown = controller.signal.reason;
      throw toKubeError(reason instanceof DOMException && reason.name === 'TimeoutError' ? reason : err, what);
    }
  }

  #init(method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined) {
    return {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      ...(signal ? { signal } : {}),
    };
  }
}
