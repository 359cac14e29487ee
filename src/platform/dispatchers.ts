// One undici dispatcher per (origin, client certificate, trusted CA): connections are reused
// across every channel and every Atom sharing that credential, and closed when none is left.
import { createHash } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import type { ClientCredential } from './credential.js';
import { credentialFingerprint } from './credential.js';

export interface ProxySettings {
  /** HTTPS_PROXY as configured for the operator; undefined means connect directly. */
  httpsProxy?: string;
  /** NO_PROXY: comma or space separated hosts, `.suffix`, `*.suffix`, `host:port`, or `*`. */
  noProxy?: string;
}

export interface Endpoint {
  /** Base URL of the platform, https only. */
  url: string;
  /** PEM of the CA that signs the platform's server certificate; system roots when absent. */
  caPem?: string;
  credential?: ClientCredential;
}

export interface Timeouts {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  /** Longest pause between body chunks (undici), and also the longest the whole 200 body may take. */
  bodyTimeoutMs: number;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Identifies the connection pool an endpoint uses. */
export function dispatcherKey(endpoint: Endpoint): string {
  const origin = new URL(endpoint.url).origin;
  const credential = endpoint.credential ? credentialFingerprint(endpoint.credential.certPem) : 'anonymous';
  const ca = endpoint.caPem ? sha256(endpoint.caPem) : 'system-roots';
  return `${origin}|${credential}|${ca}`;
}

/** TLS settings for talking to the platform; also used by the handshake probe. */
export function tlsOptionsFor(endpoint: Endpoint): ConnectionOptions {
  const options: ConnectionOptions = { minVersion: 'TLSv1.2', rejectUnauthorized: true };
  // A configured CA replaces the system roots: a private platform CA is then the only trust anchor.
  if (endpoint.caPem) options.ca = endpoint.caPem;
  if (endpoint.credential) {
    options.cert = endpoint.credential.certPem;
    options.key = endpoint.credential.keyPem;
  }
  return options;
}

export function createDispatcher(endpoint: Endpoint, proxy: ProxySettings, timeouts: Timeouts): Dispatcher {
  const tls = { ...tlsOptionsFor(endpoint), timeout: timeouts.connectTimeoutMs };
  // Every proxy variable is passed explicitly (empty = none) so undici never falls back to process.env.
  return new EnvHttpProxyAgent({
    httpProxy: '',
    httpsProxy: proxy.httpsProxy ?? '',
    noProxy: proxy.noProxy ?? '',
    connect: tls,
    requestTls: tls,
    connectTimeout: timeouts.connectTimeoutMs,
    headersTimeout: timeouts.headersTimeoutMs,
    bodyTimeout: timeouts.bodyTimeoutMs,
    keepAliveTimeout: 30_000,
  });
}
