export {
  startPlatformSimulator,
  type PlatformSimulator,
  type GivenTLS,
  type PlatformSimulatorOptions,
  type RecordedRequest,
  type RegistrationCertificateOptions,
  type SimulatedRelease,
} from './simulator.js';
export {
  selfAnswers,
  selfBehaviourSchema,
  selfStatusFileSchema,
  type SelfAnswer,
  type SelfBehaviour,
} from './self-status.js';
