// Self access reviews (`kubectl auth can-i`): the sandbox has one user, the
// token holder, who may do everything; reviews are answered, never stored.
import { badRequest, methodNotAllowed } from './errors.js';
import { isPlainObject } from './object-shape.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import type { Verb } from './stats.js';

export const reviewKinds = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
]);

export function answerReview(t: ResourceType, verb: Verb, body: unknown): unknown {
  if (verb !== 'create') throw methodNotAllowed();
  if (!isPlainObject(body)) throw badRequest('the body of the request could not be decoded as an object');
  const status =
    t.plural === 'selfsubjectaccessreviews'
      ? { allowed: true, reason: 'the sandbox authorizes every request of its one user' }
      : {
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          incomplete: false,
        };
  return {
    kind: t.kind,
    apiVersion: apiVersionOf(t),
    metadata: { creationTimestamp: null },
    spec: body.spec ?? {},
    status,
  };
}
