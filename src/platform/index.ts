// The platform layer's public surface: what the controller and main.ts use.
export {
  canonicalJSON,
  parseReleasePublicKeys,
  signAdvertisement,
  validateAdvertisement,
  validateAdvertisementJSON,
  type AdvertisementPolicy,
  type AdvertisementVerdict,
  type Release,
} from './advertisement.js';
export {
  PlatformClient,
  parsePlatformURL,
  releaseURL,
  selfURL,
  type Endpoint,
  type PlatformClientOptions,
  type ProxySettings,
  type ReleaseQuery,
  type ReleaseResponse,
  type SelfResponse,
  type Timeouts,
} from './client.js';
export { checkCredential, credentialFingerprint, type ClientCredential, type CredentialFacts } from './credential.js';
export * from './errors.js';
export { PlatformMetrics, StatusPollMetrics, type PollOutcome, type StatusPollOutcome } from './metrics.js';
export { parseSelfStatus, selfStatusSchema, type SelfStatus } from './self-status.js';
export {
  StatusPoller,
  statusKeyOf,
  type StatusFetcher,
  type StatusPollerOptions,
  type StatusPollResult,
  type StatusTarget,
} from './status-poller.js';
export {
  ReleasePoller,
  pollKeyOf,
  type PollerClock,
  type PollResult,
  type PollTarget,
  type ReleaseFetcher,
  type ReleasePollerOptions,
} from './poller.js';
export { defaultRetryPolicy, type RetryPolicy } from './retry-policy.js';
