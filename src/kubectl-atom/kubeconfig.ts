// The one place the plugin loads a kubeconfig, with kubectl's rules: --kubeconfig names the only
// file; otherwise KUBECONFIG lists files merged in order (the first to set a value wins);
// otherwise ~/.kube/config; otherwise the in-cluster service account. --context switches the
// context; the namespace is -n, else the context's, else "default". Kept small and alone so the
// way kubeconfigs are read can be swapped without touching the commands.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { PluginError } from './errors.js';

export interface KubeconfigFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

export interface KubeconfigEnv {
  KUBECONFIG?: string | undefined;
  KUBERNETES_SERVICE_HOST?: string | undefined;
  HOME?: string | undefined;
}

export interface LoadedKubeconfig {
  kubeConfig: KubeConfig;
  /** The namespace commands use when -A is not given. */
  namespace: string;
  context: string;
  server: string;
}

/** The kubeconfig files kubectl would read, in order. */
export function kubeconfigFiles(flags: KubeconfigFlags, env: KubeconfigEnv): string[] {
  if (flags.kubeconfig) return [flags.kubeconfig];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((file) => file !== '');
  return [join(env.HOME ?? homedir(), '.kube', 'config')];
}

function readFile(file: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    // js-yaml appends a code excerpt on further lines; its first line says what and where.
    const [problem] = (err as Error).message.split('\n');
    throw new PluginError('BAD_KUBECONFIG', `cannot read kubeconfig ${file}: ${problem}`, {
      cause: err,
    });
  }
  return kc;
}

export function loadKubeconfig(flags: KubeconfigFlags, env: KubeconfigEnv): LoadedKubeconfig {
  const files = kubeconfigFiles(flags, env);
  const existing = files.filter((file) => existsSync(file));
  if (flags.kubeconfig && existing.length === 0) {
    throw new PluginError('NO_KUBECONFIG', `the kubeconfig ${flags.kubeconfig} given by --kubeconfig does not exist.`);
  }
  let kubeConfig: KubeConfig;
  if (existing.length > 0) {
    const [first, ...rest] = existing.map(readFile);
    kubeConfig = first as KubeConfig;
    // KUBECONFIG merges: for names defined twice the first file wins, as in kubectl.
    for (const later of rest) {
      const kept = new Set(kubeConfig.contexts.map((c) => c.name));
      const current = kubeConfig.currentContext || later.currentContext;
      const merged = new KubeConfig();
      merged.loadFromOptions({
        clusters: uniqueByName([...kubeConfig.clusters, ...later.clusters]),
        users: uniqueByName([...kubeConfig.users, ...later.users]),
        contexts: uniqueByName([...kubeConfig.contexts, ...later.contexts.filter((c) => !kept.has(c.name))]),
        currentContext: current,
      });
      kubeConfig = merged;
    }
  } else if (env.KUBERNETES_SERVICE_HOST) {
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromCluster();
  } else {
    throw new PluginError(
      'NO_KUBECONFIG',
      `no kubeconfig found (looked for ${files.join(', ')}): pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config (for example with your cloud's "get credentials" command).`,
    );
  }
  if (flags.context) {
    if (!kubeConfig.getContextObject(flags.context)) {
      const known = kubeConfig.contexts.map((c) => c.name).join(', ') || 'none';
      throw new PluginError(
        'BAD_KUBECONFIG',
        `context "${flags.context}" is not in the kubeconfig (contexts: ${known}).`,
      );
    }
    kubeConfig.setCurrentContext(flags.context);
  }
  const context = kubeConfig.getCurrentContext();
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    throw new PluginError(
      'BAD_KUBECONFIG',
      `the kubeconfig has no cluster for context "${context || '(none)'}": choose one with --context or kubectl config use-context.`,
    );
  }
  if (!URL.canParse(cluster.server)) {
    throw new PluginError(
      'BAD_KUBECONFIG',
      `the server of cluster "${cluster.name}" in the kubeconfig is not a URL: "${cluster.server}".`,
    );
  }
  // Files the kubeconfig names are read only when the first request is made; a missing one would
  // surface there as a bare ENOENT. Say which entry names it instead.
  const user = kubeConfig.getCurrentUser();
  for (const [entry, field, file] of [
    [`cluster "${cluster.name}"`, 'certificate-authority', cluster.caFile],
    [`user "${user?.name}"`, 'client-certificate', user?.certFile],
    [`user "${user?.name}"`, 'client-key', user?.keyFile],
  ] as const) {
    if (file && !existsSync(file)) {
      throw new PluginError(
        'BAD_KUBECONFIG',
        `the kubeconfig's ${entry} names ${field} ${file}, which does not exist (context ${context || '(none)'}).`,
      );
    }
  }
  const contextNamespace = kubeConfig.getContextObject(context)?.namespace;
  return {
    kubeConfig,
    namespace: flags.namespace || contextNamespace || 'default',
    context: context || '(none)',
    server: cluster.server,
  };
}

function uniqueByName<T extends { name: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (seen.has(item.name)) return false;
    seen.add(item.name);
    return true;
  });
}
