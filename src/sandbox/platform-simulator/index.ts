export {
  startPlatformSimulator,
  type PlatformSimulator,
  type PlatformSimulatorOptions,
  type RecordedRequest,
  type RegistrationCertificateOptions,
  type SimulatedRelease,
} from './simulator.js';
