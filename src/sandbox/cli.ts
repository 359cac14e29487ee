// `npm run sandbox`: the in-memory API server on its own, kubelet in auto mode,
// until SIGINT/SIGTERM.
import { join } from 'node:path';
import { startSandbox } from './index.js';

const portArg = process.argv.find((a) => a.startsWith('--port='));
const port = portArg ? Number(portArg.slice('--port='.length)) : 0;
const sandbox = await startSandbox({ port, kubeletMode: 'auto', dir: join(process.cwd(), '.sandbox') });

console.log(`sandbox API server listening on ${sandbox.url}`);
console.log(`kubeconfig: ${sandbox.kubeconfigPath}`);
console.log(`try: .tools/bin/kubectl --kubeconfig ${sandbox.kubeconfigPath} get ns`);

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the sandbox`);
  sandbox.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
