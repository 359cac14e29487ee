// Public surface of the controller runtime, for the Atom controller and main.ts.
export {
  Controller,
  type ControllerOptions,
  type ReconcileContext,
  type ReconcileResult,
  type WatchSource,
} from './controller.js';
export { Manager, type ManagerConfig, type ManagerOptions, type InformerRequest } from './manager.js';
export { runOperator, loadKubeConfig, type RunOptions } from './run.js';
export { WorkQueue, type WorkQueueOptions } from './work-queue.js';
export {
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
} from './rate-limiter.js';
export { realClock, type Clock } from '../../util/clock.js';
export {
  OperatorError,
  TerminalError,
  RetryableError,
  KubeApiError,
  isConflict,
  isNotFound,
  isGone,
  isAlreadyExists,
  classifyFailure,
} from './errors.js';
