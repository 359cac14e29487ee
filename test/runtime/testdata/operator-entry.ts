// A whole operator process for the lifecycle test: configuration from flags and
// environment, a slow ConfigMap controller that reports on stdout, SIGTERM handling.
import { runOperator } from '../../../src/controller/runtime/run.js';
import { CoreTypes } from '../../../src/kube/resource.js';

await runOperator({
  register(manager) {
    const configMaps = manager.informer(CoreTypes.configMaps);
    manager.addController({
      name: 'configmaps',
      primary: configMaps,
      reconcile: async (key) => {
        process.stdout.write(`started ${key}\n`);
        await new Promise((r) => setTimeout(r, 1000));
        process.stdout.write(`finished ${key}\n`);
      },
    });
  },
});
process.stdout.write('operator running\n');
