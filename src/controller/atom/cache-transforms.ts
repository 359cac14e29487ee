// What the Atom controller keeps of objects it caches. The caches hold every agent
// pod and Atom in the watched namespaces at once, and the contents of every Secret an
// Atom references, so each keeps only what the reconciler reads (the fleet benchmark
// measures the memory this saves).
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/resource.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Certificates, keys and even a full CA bundle fit; larger values are not ours to read (e.g. Helm release Secrets). */
const MAX_SECRET_VALUE = 256 * 1024;

function slimMetadata(m: KubeObject['metadata']): KubeObject['metadata'] {
  const { managedFields: _mf, annotations, ...rest } = m;
  if (!annotations) return rest;
  const { [LAST_APPLIED]: _la, ...kept } = annotations;
  return Object.keys(kept).length ? { ...rest, annotations: kept } : rest;
}

/** An agent pod as the reconciler reads it: identity, labels and annotations, image, and health. */
export function slimPod(obj: KubeObject): KubeObject {
  const pod = obj as V1Pod & KubeObject;
  const status = pod.status;
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: slimMetadata(pod.metadata),
    spec: { containers: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image })) },
    ...(status
      ? {
          status: {
            ...(status.phase ? { phase: status.phase } : {}),
            ...(status.conditions
              ? {
                  // Only Ready is read (pod health); the kubelet's other four would double the pod's size.
                  conditions: status.conditions
                    .filter((c) => c.type === 'Ready')
                    .map(({ type, status: s, lastTransitionTime }) => ({
                      type,
                      status: s,
                      ...(lastTransitionTime ? { lastTransitionTime } : {}),
                    })),
                }
              : {}),
            ...(status.containerStatuses
              ? {
                  containerStatuses: status.containerStatuses.map((c) => ({
                    name: c.name,
                    ready: c.ready,
                    restartCount: c.restartCount,
                    image: c.image,
                    imageID: c.imageID,
                    ...(c.state?.waiting
                      ? {
                          state: {
                            waiting: {
                              ...(c.state.waiting.reason ? { reason: c.state.waiting.reason } : {}),
                              ...(c.state.waiting.message ? { message: c.state.waiting.message } : {}),
                            },
                          },
                        }
                      : {}),
                  })),
                }
              : {}),
          },
        }
      : {}),
  } as KubeObject;
}

/** A Secret without annotations and without values too large to be a certificate or key. */
export function slimSecret(obj: KubeObject): KubeObject {
  const secret = obj as V1Secret & KubeObject;
  const data = Object.fromEntries(Object.entries(secret.data ?? {}).filter(([, v]) => v.length <= MAX_SECRET_VALUE));
  return {
    apiVersion: secret.apiVersion,
    kind: secret.kind,
    metadata: slimMetadata(secret.metadata),
    ...(secret.type ? { type: secret.type } : {}),
    data,
  } as KubeObject;
}

/** An Atom without kubectl's copy of its last applied configuration (as large as the spec itself). */
export function slimAtom(obj: KubeObject): KubeObject {
  return { ...obj, metadata: slimMetadata(obj.metadata) };
}
