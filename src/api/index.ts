export * from './atom.js';
export * from './atom-spec.js';
export * from './atom-status.js';
export type { CelRule } from './cel-rules.js';
