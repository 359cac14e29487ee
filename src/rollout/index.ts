// The rollout decisions, for the controller: pure functions, the clock always an input.
export * from './versions.js';
export * from '../util/go-duration.js';
export {
  windowState,
  validateWindow,
  describeWindow,
  maxWindowMs,
  type WindowSpec,
  type WindowState,
  type WindowProblem,
} from './windows.js';
export * from './policy.js';
export * from './progress.js';
export * from './history.js';
export * from './fleet.js';
export * from './fleet-facts.js';
export * from './config.js';
export * as Reasons from './reasons.js';
export { reasonActions, rolloutReasons, type RolloutReason } from './reasons.js';
export * from './plan-atom.js';
export * from './plan-types.js';
export * from './plan-inputs.js';
