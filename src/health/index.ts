// The connectivity layer's public surface: what the Atom controller's decide step and its wiring use.
export {
  decideConnectivity,
  lastContactRefreshMs,
  type ConnectivityDecision,
  type ConnectivityEvent,
  type ConnectivityInput,
  type PlatformStatus,
} from './connectivity.js';
export {
  fleetSlotRetryMs,
  maxOfflineRestartBackoffMs,
  offlineRestartBackoffMs,
  offlineRestartInFlight,
  offlineRestartVerdict,
  type FleetOfflineRestarts,
  type OfflineRestartVerdict,
} from './offline-restart.js';
export * from './reasons.js';
export { ConnectivityMetrics } from './metrics.js';
