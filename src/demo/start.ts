// `make run` / `npm start`: the operator against the current cluster, exactly as
// the product runs it (src/operator-main.ts); with no cluster at all, it starts
// the sandbox demo first and runs against that. Development only: this file and
// the sandbox are not in the production build (hack/build.ts bundles src/main.ts).
import { join, relative } from 'node:path';
import { nodeVersionProblem } from '../util/node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}

// Loaded after the check: the dependencies are what fails on an old Node.
const { runOperatorMain } = await import('../operator-main.js');
const { loadKubeconfigFile } = await import('../kube/kubeconfig.js');

const root = new URL('../..', import.meta.url).pathname;

await runOperatorMain({
  argv: process.argv.slice(2),
  env: process.env,
  async withoutCluster() {
    process.stderr.write(
      'atom-operator: no kubeconfig (KUBECONFIG, ~/.kube/config) and not in a cluster: starting the built-in sandbox (in-memory API server + platform simulator) with sample Atoms\n',
    );
    const { startDemo } = await import('./sandbox-demo.js');
    const demo = await startDemo({ dir: join(process.cwd(), '.sandbox'), examplesDir: join(root, 'examples') });
    return {
      credentials: loadKubeconfigFile(demo.sandbox.kubeconfigPath),
      // Status every 15s rather than every minute: the sample that goes offline shows it within the demo's first minutes.
      args: [
        `--platform-url=${demo.simulator.url}`,
        '--platform-poll-interval=30s',
        '--platform-status-poll-interval=15s',
      ],
      releasePublicKeys: demo.releasePublicKeys,
      stop: () => demo.stop(),
      announce() {
        const kc = relative(process.cwd(), demo.sandbox.kubeconfigPath);
        process.stderr.write(
          [
            '',
            `atom-operator: sandbox ready with ${demo.atoms.length} sample Atoms (${demo.atoms.join(', ')}). Look with:`,
            `  kubectl --kubeconfig ${kc} get atoms -A`,
            `  kubectl --kubeconfig ${kc} get pods,pvc,networkpolicies -A -l app.kubernetes.io/managed-by=atom-operator`,
            `  kubectl --kubeconfig ${kc} describe atom atom-sample`,
            `  kubectl --kubeconfig ${kc} wait --for=condition=Ready atom/atom-sample --timeout=60s`,
            `(no kubectl? npm run tools puts one in .tools/bin/). Stop with Ctrl-C.`,
            '',
          ].join('\n'),
        );
      },
    };
  },
}).catch((err: unknown) => {
  process.stderr.write(`atom-operator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
