// Which cluster to talk to, decided from the configuration and the environment
// the way controller-runtime does: --kubeconfig (or ATOM_OPERATOR_KUBECONFIG /
// KUBECONFIG), else the pod's service account, else ~/.kube/config.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './load.js';
import type { OperatorConfig } from './schema.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type ClusterSource =
  | { readonly kind: 'kubeconfig'; readonly path: string }
  | { readonly kind: 'in-cluster'; readonly host: string; readonly port: string };

/** The one line a user sees when there is no cluster: every way to name one. */
export const NO_CLUSTER_MESSAGE =
  'atom-operator: no cluster to run against: pass --kubeconfig=PATH (or set KUBECONFIG), create ~/.kube/config, or run it in a pod with a service account';

export function findClusterSource(
  config: Pick<OperatorConfig, 'kubeconfig'>,
  env: Readonly<Record<string, string | undefined>>,
  exists: (path: string) => boolean = existsSync,
): ClusterSource | undefined {
  if (config.kubeconfig) {
    // KUBECONFIG may list several files (kubectl merges them); the first that exists is used.
    const paths = config.kubeconfig.split(':').filter((p) => p !== '');
    const path = paths.find((p) => exists(p));
    if (!path) throw new ConfigError([`--kubeconfig: ${config.kubeconfig} does not exist`]);
    return { kind: 'kubeconfig', path };
  }
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host && port && exists(SERVICE_ACCOUNT_TOKEN)) return { kind: 'in-cluster', host, port };
  const home = join(env.HOME || homedir(), '.kube', 'config');
  if (exists(home)) return { kind: 'kubeconfig', path: home };
  return undefined;
}
