// Errors the plugin reports to a person: each has a stable code, a sentence that says what to do,
// and the exit code the shell sees. API failures are translated here, once, from what the plugin
// was doing (verb and resource), never from the server's message text.
import { KubeApiError } from '../kube/errors.js';

/** Stable codes, documented in docs/kubectl-atom.md (a test keeps both in step). */
export const PLUGIN_ERROR_CODES = {
  USAGE: 'The command line is wrong: an unknown command or flag, or a missing argument.',
  NO_KUBECONFIG: 'No kubeconfig was found (--kubeconfig, KUBECONFIG or ~/.kube/config) and not running in a cluster.',
  BAD_KUBECONFIG:
    'The kubeconfig cannot be used: unreadable, a server that is not a URL, a certificate or key file it names ' +
    'that does not exist, or the context named by --context does not exist.',
  NO_CLUSTER: 'The API server did not answer (connection refused, DNS, TLS or a timeout).',
  UNAUTHORIZED: 'The API server rejected the credentials of the kubeconfig (401).',
  NO_CRD: 'The Atom CRD (atoms.atomoperator.io) is not installed in the cluster.',
  FORBIDDEN: 'RBAC denies a request the command needs; the message names the verb and the resource.',
  NOT_FOUND: 'The Atom named on the command line does not exist in the namespace.',
  CONFLICT: 'The Atom changed while the command was writing it; run the command again.',
  INVALID: 'The API server refused the change (validation); the message says which field.',
  NOT_APPLICABLE: 'The command does not apply to this Atom as it is (for example approve on an Automatic Atom).',
  API_ERROR: 'The API server failed in another way; the message carries its answer.',
} as const;

export type PluginErrorCode = keyof typeof PLUGIN_ERROR_CODES;

/** Exit codes: 1 an error, 2 a usage error; commands that judge the fleet use 3 (see status). */
export const EXIT = { ok: 0, error: 1, usage: 2, unhealthy: 3 } as const;

export class PluginError extends Error {
  readonly code: PluginErrorCode;

  constructor(code: PluginErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PluginError';
    this.code = code;
  }

  get exitCode(): number {
    return this.code === 'USAGE' ? EXIT.usage : EXIT.error;
  }
}

/** What the plugin was doing when a request failed, in kubectl's words. */
export interface RequestIntent {
  /** RBAC verb: get, list, patch, watch. */
  verb: string;
  /** Resource as RBAC names it: atoms.atomoperator.io, atoms.atomoperator.io/status, events. */
  resource: string;
  /** Namespace, or undefined for all namespaces. */
  namespace: string | undefined;
  /** Object name, when one object was asked for. */
  name?: string;
  /** Where the cluster is, for connection errors. */
  server: string;
  context: string;
}

const where = (ns: string | undefined) => (ns === undefined ? 'in all namespaces' : `in namespace ${ns}`);

/** Turns a failed API request into an error a person can act on. */
export function pluginErrorFrom(err: unknown, intent: RequestIntent): PluginError {
  if (err instanceof PluginError) return err;
  if (!(err instanceof KubeApiError)) {
    return new PluginError('API_ERROR', err instanceof Error ? err.message : String(err), { cause: err });
  }
  const nsFlag = intent.namespace === undefined ? '-A' : `-n ${intent.namespace}`;
  switch (err.code) {
    case 'KubeNetwork':
    case 'KubeTimeout':
      return new PluginError(
        'NO_CLUSTER',
        `cannot reach the cluster at ${intent.server} (context ${intent.context}): ${causeText(err)}. ` +
          'Check that the cluster is running and that --kubeconfig, KUBECONFIG or --context select the right one.',
        { cause: err },
      );
    case 'KubeUnauthorized':
      return new PluginError(
        'UNAUTHORIZED',
        `the cluster at ${intent.server} rejected the credentials of context ${intent.context} (401): log in again or refresh the token in your kubeconfig.`,
        { cause: err },
      );
    case 'KubeForbidden':
      return new PluginError(
        'FORBIDDEN',
        `RBAC does not allow you to ${intent.verb} ${intent.resource} ${where(intent.namespace)}` +
          `${intent.name ? ` (${intent.name})` : ''}. Ask your cluster admin for a Role granting "${intent.verb}" on ` +
          `"${intent.resource}"; check with: kubectl auth can-i ${intent.verb} ${intent.resource} ${nsFlag}`,
        { cause: err },
      );
    case 'KubeNotFound':
      if (intent.name !== undefined)
        return new PluginError(
          'NOT_FOUND',
          `Atom ${intent.name} not found ${where(intent.namespace)}; list them with: kubectl atom status ${nsFlag}`,
          { cause: err },
        );
      return noCrd(err);
    case 'KubeConflict':
      return new PluginError('CONFLICT', `Atom ${intent.name ?? ''} changed meanwhile; run the command again.`, {
        cause: err,
      });
    case 'KubeInvalid':
      return new PluginError('INVALID', `the API server refused the change: ${err.message}`, { cause: err });
    default:
      return new PluginError('API_ERROR', err.message, { cause: err });
  }
}

export function noCrd(cause?: unknown): PluginError {
  return new PluginError(
    'NO_CRD',
    'the Atom CRD (atoms.atomoperator.io) is not installed in this cluster. Install the operator ' +
      '(helm install atom-operator charts/atom-operator -n atom-operator --create-namespace) or apply crds/atoms.atomoperator.io.yaml, ' +
      'or point --context/--kubeconfig at the cluster that runs it.',
    cause === undefined ? undefined : { cause },
  );
}

function causeText(err: KubeApiError): string {
  const cause = err.cause;
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  if (inner instanceof Error) {
    const code = (inner as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${inner.message}`.replace(/^(\S+) \1\b/, '$1') : inner.message;
  }
  return err.message;
}
