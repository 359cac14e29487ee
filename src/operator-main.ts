// The operator process: configuration, the files it names, the cluster, the
// operator, signals. src/main.ts (what the image runs) calls it as is and exits 2
// when there is no cluster; src/demo/start.ts (`make run`) hands it a stand-in
// cluster, the sandbox demo, for that case.
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { buildStamp } from './config/build-info.js';
import { type ClusterSource, findClusterSource, NO_CLUSTER_MESSAGE } from './config/cluster.js';
import { ConfigError, flagOf, loadConfigOrExit } from './config/load.js';
import type { OperatorConfig } from './config/schema.js';
import type { ClusterCredentials } from './kube/client.js';
import { inClusterKubeconfig, KubeconfigError, loadKubeconfigFile } from './kube/kubeconfig.js';
import { handleShutdownSignals } from './observability/lifecycle.js';
import { createRootLogger } from './observability/logger.js';
import { createOperator } from './operator.js';
import { parseReleasePublicKeys } from './platform/index.js';
import { type AgentProfile, agentProfile } from './resources/profile.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A cluster started for the occasion (the sandbox demo), used when there is no real one. */
export interface StandInCluster {
  readonly credentials: ClusterCredentials;
  /** Flags appended to the command line, e.g. the simulator's --platform-url. */
  readonly args: readonly string[];
  readonly releasePublicKeys: readonly string[];
  /** Called once the operator runs: tell the user how to look. */
  announce(): void;
  stop(): Promise<void>;
}

export interface MainOptions {
  readonly argv: readonly string[];
  readonly env: Env;
  /** Without it (the product), no cluster means exit 2 with one line saying how to name one. */
  readonly withoutCluster?: () => Promise<StandInCluster>;
}

function fail(lines: readonly string[]): never {
  for (const line of lines) process.stderr.write(`atom-operator: invalid configuration: ${line}\n`);
  process.exit(2);
}

function readAgentProfile(path: string | undefined): AgentProfile {
  if (!path) return agentProfile.parse({});
  const flag = flagOf('atoms.agentProfileFile');
  let raw: unknown;
  try {
    raw = load(readFileSync(path, 'utf8'));
  } catch (err) {
    fail([`${flag}: cannot read ${path}: ${(err as Error).message.split('\n')[0]}`]);
  }
  const parsed = agentProfile.safeParse(raw ?? {});
  if (!parsed.success)
    fail(parsed.error.issues.map((i) => `${flag} ${path}: ${i.path.join('.') || '(root)'}: ${i.message}`));
  return parsed.data;
}

function readReleaseKeys(path: string | undefined): string[] {
  if (!path) return [];
  const flag = flagOf('platform.releasePublicKeysFile');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return fail([`${flag}: cannot read ${path}: ${(err as Error).message}`]);
  }
  const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g);
  if (!pems) return fail([`${flag}: ${path} holds no PEM public key`]);
  try {
    // The poller would refuse them later, as a crash; here they are a configuration error.
    parseReleasePublicKeys(pems);
  } catch (err) {
    return fail([`${flag}: ${path}: ${(err as Error).message}`]);
  }
  return pems;
}

function findSource(config: OperatorConfig, env: Env): ClusterSource | undefined {
  try {
    return findClusterSource(config, env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.problems);
    throw err;
  }
}

function connect(source: ClusterSource, env: Env): ClusterCredentials {
  try {
    return source.kind === 'kubeconfig'
      ? loadKubeconfigFile(source.path, env)
      : inClusterKubeconfig(source.host, source.port);
  } catch (err) {
    if (err instanceof KubeconfigError) fail([`${flagOf('kubeconfig')}: ${err.message}`]);
    throw err;
  }
}

export async function runOperatorMain(options: MainOptions): Promise<void> {
  const { argv, env } = options;
  let config = loadConfigOrExit({ argv, env });
  const logger = createRootLogger({ level: config.logLevel });
  // Every file the configuration names is checked before anything starts.
  const profile = readAgentProfile(config.atoms.agentProfileFile);
  let releasePublicKeys: readonly string[] = readReleaseKeys(config.platform.releasePublicKeysFile);
  const source = findSource(config, env);
  let credentials: ClusterCredentials;
  let standIn: StandInCluster | undefined;
  if (source) credentials = connect(source, env);
  else if (options.withoutCluster) {
    standIn = await options.withoutCluster();
    config = loadConfigOrExit({ argv: [...argv, ...standIn.args], env });
    credentials = standIn.credentials;
    releasePublicKeys = standIn.releasePublicKeys;
  } else {
    process.stderr.write(`${NO_CLUSTER_MESSAGE}\n`);
    process.exit(2);
  }
  const build = buildStamp();
  const operator = createOperator({
    kubeConfig: credentials,
    config,
    logger,
    profile,
    releasePublicKeys,
    version: build.version,
    commit: build.commit,
    onLeadershipLost: () => process.exit(1),
  });
  handleShutdownSignals({
    logger,
    shutdownTimeoutMs: config.shutdownTimeout,
    stop: async () => {
      await operator.stop();
      await standIn?.stop();
    },
  });
  await operator.start();
  standIn?.announce();
}
