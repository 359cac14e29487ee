// Entry point: parses configuration and wires the operator. Filled in as the
// controller runtime and the Atom reconciler land.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const kubeconfig = process.env.KUBECONFIG ?? join(homedir(), '.kube', 'config');
const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST);
if (!inCluster && !existsSync(kubeconfig)) {
  console.error(`atom-operator: no kubeconfig at ${kubeconfig} and not running in a cluster; set KUBECONFIG or run inside a pod`);
  process.exit(1);
}
console.error('atom-operator: the reconciler is not built yet');
process.exit(1);
