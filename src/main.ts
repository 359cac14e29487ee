// Entry point: parse the configuration once, find the cluster (or start the
// sandbox demo when there is none), run the operator until SIGTERM.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { loadConfigOrExit } from './config/load.js';
import type { OperatorConfig } from './config/schema.js';
import type { Demo } from './demo/sandbox-demo.js';
import { handleShutdownSignals } from './observability/lifecycle.js';
import { createRootLogger } from './observability/logger.js';
import { createOperator } from './operator.js';
import { parseReleasePublicKeys } from './platform/index.js';
import { agentProfile, type AgentProfile } from './resources/profile.js';

const root = new URL('..', import.meta.url).pathname;
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function fail(lines: string[]): never {
  for (const line of lines) process.stderr.write(`atom-operator: invalid configuration: ${line}\n`);
  process.exit(2);
}

function readAgentProfile(path: string | undefined): AgentProfile {
  if (!path) return agentProfile.parse({});
  let raw: unknown;
  try {
    raw = load(readFileSync(path, 'utf8'));
  } catch (err) {
    fail([`atoms.agentProfileFile: cannot read ${path}: ${(err as Error).message.split('\n')[0]}`]);
  }
  const parsed = agentProfile.safeParse(raw ?? {});
  if (!parsed.success)
    fail(
      parsed.error.issues.map((i) => `atoms.agentProfileFile ${path}: ${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  return parsed.data;
}

function readReleaseKeys(path: string | undefined): string[] {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return fail([`platform.releasePublicKeysFile: cannot read ${path}: ${(err as Error).message}`]);
  }
  const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g);
  if (!pems) return fail([`platform.releasePublicKeysFile: ${path} holds no PEM public key`]);
  try {
    // The poller would refuse them later, as a crash; here they are a configuration error.
    parseReleasePublicKeys(pems);
  } catch (err) {
    return fail([`platform.releasePublicKeysFile: ${path}: ${(err as Error).message}`]);
  }
  return pems;
}

/** The cluster to talk to: explicit kubeconfig, ~/.kube/config, in-cluster, or none. */
function findCluster(config: OperatorConfig): KubeConfig | undefined {
  const kc = new KubeConfig();
  if (config.kubeconfig) {
    if (!existsSync(config.kubeconfig)) fail([`kubeconfig: ${config.kubeconfig} does not exist`]);
    kc.loadFromFile(config.kubeconfig);
    return kc;
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) {
    kc.loadFromFile(home);
    return kc;
  }
  if (existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kc.loadFromCluster();
    return kc;
  }
  return undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let config = loadConfigOrExit({ argv, env: process.env });
  const logger = createRootLogger({ level: config.logLevel });
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  // Every file the configuration names is checked before anything starts.
  const profile = readAgentProfile(config.atoms.agentProfileFile);
  let releasePublicKeys = readReleaseKeys(config.platform.releasePublicKeysFile);
  let kubeConfig = findCluster(config);
  let demo: Demo | undefined;
  if (!kubeConfig) {
    process.stderr.write(
      'atom-operator: no kubeconfig (KUBECONFIG, ~/.kube/config) and not in a cluster: starting the built-in sandbox (in-memory API server + platform simulator) with sample Atoms\n',
    );
    // Loaded only here: a cluster deployment never loads the sandbox.
    const { startDemo } = await import('./demo/sandbox-demo.js');
    demo = await startDemo({ dir: join(process.cwd(), '.sandbox'), examplesDir: join(root, 'examples') });
    config = loadConfigOrExit({
      argv: [...argv, `--platform-url=${demo.simulator.url}`, '--platform-poll-interval=30s'],
      env: process.env,
    });
    kubeConfig = demo.sandbox.kubeConfig();
    releasePublicKeys = demo.releasePublicKeys;
  }
  const operator = createOperator({
    kubeConfig,
    config,
    logger,
    profile,
    releasePublicKeys,
    version,
    onLeadershipLost: () => process.exit(1),
  });
  handleShutdownSignals({
    logger,
    shutdownTimeoutMs: config.shutdownTimeout,
    stop: async () => {
      await operator.stop();
      await demo?.stop();
    },
  });
  await operator.start();
  if (demo) {
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
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`atom-operator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
