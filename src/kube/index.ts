// Public surface of the Kubernetes edge.
export { KubeClient, type KubeRequest } from './client.js';
export {
  KubeApi,
  FIELD_MANAGER,
  isSubsetEqual,
  deepEqual,
  type ApplyOptions,
  type DeleteOptions,
  type ObjectRef,
} from './api.js';
export { Informer, type EventHandlers, type InformerOptions } from './informer.js';
export { ObjectStore, NAMESPACE_INDEX, OWNER_UID_INDEX, type IndexFunction } from './store.js';
export { EventRecorder, type EventType } from './event-recorder.js';
export { LeaderElector, microTime, type LeaderElectionOptions } from './leader-election.js';
export {
  CoreTypes,
  apiVersionOf,
  objectKey,
  splitKey,
  resourcePath,
  type KubeObject,
  type ResourceType,
} from './resource.js';
export * from './errors.js';
