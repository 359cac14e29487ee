export * from './claim.js';
export * from './hash.js';
export * from './names.js';
export * from './network-policy.js';
export * from './pod.js';
export * from './profile.js';
export * from './service-account.js';
