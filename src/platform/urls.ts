// Where on a platform each request goes. Only absolute https:// base URLs without user
// credentials are accepted: the registration certificate is the only credential ever sent.
import { InvalidPlatformURLError } from './errors.js';

/** Validates a platform base URL; anything but an absolute https:// URL is refused. */
export function parsePlatformURL(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidPlatformURLError(`"${url}" is not an absolute URL; expected https://host[:port][/path].`);
  }
  if (parsed.protocol !== 'https:') {
    throw new InvalidPlatformURLError(
      `Platform URL "${url}" uses ${parsed.protocol.replace(':', '')}; only https:// is allowed.`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new InvalidPlatformURLError(
      `Platform URL "${parsed.host}" carries user credentials; the registration certificate is the only credential.`,
    );
  }
  return parsed;
}

function platformPath(base: string, path: string): string {
  const parsed = parsePlatformURL(base);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}${path}`;
}

export function releaseURL(base: string, channel: string): string {
  return platformPath(base, `/atom/v1/releases/${encodeURIComponent(channel)}`);
}

/** Where the platform tells an Atom (identified by its client certificate) what it knows about it. */
export function selfURL(base: string): string {
  return platformPath(base, '/atom/v1/self');
}
