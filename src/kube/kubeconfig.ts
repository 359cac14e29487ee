// Our own kubeconfig: the few things the operator needs of one (server, CA,
// client certificate, token, exec plugin), validated with zod. client-node's
// KubeConfig would do it too, but loading it pulls in its generated API and
// costs the process about 15 MiB at rest for nothing (issue 13.2).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { load } from 'js-yaml';
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import { z } from 'zod';
import type { ClusterCredentials, SecurityContext } from './client.js';
import { ExecCredentialPlugin, execConfigSchema } from './exec-credential.js';
import { KubeconfigError } from './kubeconfig-error.js';

export { KubeconfigError } from './kubeconfig-error.js';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Bound service account tokens rotate (about hourly); re-reading the file each minute follows them. */
const TOKEN_FILE_MAX_AGE_MS = 60_000;

const clusterSchema = z.object({
  server: z.url({ protocol: /^https?$/ }),
  'certificate-authority': z.string().min(1).optional(),
  'certificate-authority-data': z.string().min(1).optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().min(1).optional(),
  'proxy-url': z.url({ protocol: /^https?$/ }).optional(),
});

const userSchema = z.object({
  token: z.string().min(1).optional(),
  tokenFile: z.string().min(1).optional(),
  'client-certificate': z.string().min(1).optional(),
  'client-certificate-data': z.string().min(1).optional(),
  'client-key': z.string().min(1).optional(),
  'client-key-data': z.string().min(1).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  exec: execConfigSchema.optional(),
  'auth-provider': z.unknown().optional(),
});

const kubeconfigSchema = z.object({
  clusters: z.array(z.object({ name: z.string(), cluster: clusterSchema })).nullish(),
  users: z.array(z.object({ name: z.string(), user: userSchema.nullish() })).nullish(),
  contexts: z
    .array(
      z.object({
        name: z.string(),
        context: z.object({ cluster: z.string(), user: z.string().optional(), namespace: z.string().optional() }),
      }),
    )
    .nullish(),
  'current-context': z.string().optional(),
});

type ClusterEntry = z.output<typeof clusterSchema>;
type UserEntry = z.output<typeof userSchema>;

interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  servername?: string;
}

/** A cluster and the credentials to reach it; implements what KubeClient asks of a kubeconfig. */
export class Kubeconfig implements ClusterCredentials {
  readonly server: string;
  /** The context's namespace, if it names one. */
  readonly namespace: string | undefined;
  readonly stableDispatcher = true;
  readonly #tls: TlsMaterial;
  readonly #proxyUrl: string | undefined;
  readonly #staticHeaders: Record<string, string>;
  readonly #tokenFile: string | undefined;
  #tokenFromFile: { token: string; readAt: number } | undefined;
  readonly #exec: ExecCredentialPlugin | undefined;
  #dispatcher: { key: string; dispatcher: Dispatcher } | undefined;

  constructor(init: {
    server: string;
    namespace?: string | undefined;
    tls: TlsMaterial;
    proxyUrl?: string | undefined;
    headers?: Record<string, string>;
    tokenFile?: string | undefined;
    exec?: ExecCredentialPlugin | undefined;
  }) {
    this.server = init.server;
    this.namespace = init.namespace;
    this.#tls = init.tls;
    this.#proxyUrl = init.proxyUrl;
    this.#staticHeaders = init.headers ?? {};
    this.#tokenFile = init.tokenFile;
    this.#exec = init.exec;
  }

  getCurrentCluster(): { server: string } {
    return { server: this.server };
  }

  async applySecurityAuthentication(context: SecurityContext): Promise<void> {
    for (const [key, value] of Object.entries(this.#staticHeaders)) context.setHeaderParam(key, value);
    const token = this.#readTokenFile();
    if (token) context.setHeaderParam('Authorization', `Bearer ${token}`);
    let tls = this.#tls;
    if (this.#exec) {
      const credential = await this.#exec.credential();
      if (credential.token) context.setHeaderParam('Authorization', `Bearer ${credential.token}`);
      if (credential.clientCertificateData && credential.clientKeyData)
        tls = { ...tls, cert: credential.clientCertificateData, key: credential.clientKeyData };
    }
    context.setDispatcher(this.#dispatcherFor(tls));
  }

  #readTokenFile(): string | undefined {
    if (!this.#tokenFile) return undefined;
    const now = Date.now();
    if (this.#tokenFromFile && now - this.#tokenFromFile.readAt < TOKEN_FILE_MAX_AGE_MS)
      return this.#tokenFromFile.token;
    try {
      this.#tokenFromFile = { token: readFileSync(this.#tokenFile, 'utf8').trim(), readAt: now };
    } catch (err) {
      // A token that was readable once stays in use until the file is back (kubelet swaps it atomically).
      if (!this.#tokenFromFile)
        throw new KubeconfigError(`cannot read the token file ${this.#tokenFile}: ${(err as Error).message}`, err);
    }
    return this.#tokenFromFile.token;
  }

  /** One dispatcher per TLS material, so connections are pooled until an exec plugin hands out a new certificate. */
  #dispatcherFor(tls: TlsMaterial): Dispatcher {
    const key = `${tls.cert ?? ''}\0${tls.key ?? ''}`;
    if (this.#dispatcher?.key === key) return this.#dispatcher.dispatcher;
    const connect = {
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
      rejectUnauthorized: tls.rejectUnauthorized,
    };
    const dispatcher = this.#proxyUrl
      ? new ProxyAgent({ uri: this.#proxyUrl, requestTls: connect })
      : new Agent({ connect });
    // The previous dispatcher is left to finish its requests (watches included) and be collected.
    this.#dispatcher = { key, dispatcher };
    return dispatcher;
  }
}

const fromBase64 = (data: string) => Buffer.from(data, 'base64').toString('utf8');

function readRelative(base: string, file: string, what: string): string {
  const path = isAbsolute(file) ? file : resolve(base, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`cannot read the ${what} ${path}: ${(err as Error).message}`, err);
  }
}

function dataOrFile(base: string, data: string | undefined, file: string | undefined, what: string) {
  if (data) return fromBase64(data);
  if (file) return readRelative(base, file, what);
  return undefined;
}

function tlsOf(cluster: ClusterEntry, user: UserEntry, base: string): TlsMaterial {
  const ca = dataOrFile(base, cluster['certificate-authority-data'], cluster['certificate-authority'], 'CA file');
  const cert = dataOrFile(base, user['client-certificate-data'], user['client-certificate'], 'client certificate');
  const key = dataOrFile(base, user['client-key-data'], user['client-key'], 'client key');
  if ((cert === undefined) !== (key === undefined))
    throw new KubeconfigError('the user has a client certificate without its key, or a key without its certificate');
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(cluster['tls-server-name'] ? { servername: cluster['tls-server-name'] } : {}),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
  };
}

/**
 * Parses kubeconfig text; `path` resolves relative file names (as kubectl does, against the file's directory).
 * `env` is handed to exec credential plugins.
 */
export function parseKubeconfig(
  text: string,
  options: { path: string; env?: Readonly<Record<string, string | undefined>> },
): Kubeconfig {
  let raw: unknown;
  try {
    raw = load(text);
  } catch (err) {
    throw new KubeconfigError(`${options.path} is not YAML: ${(err as Error).message.split('\n')[0]}`, err);
  }
  const parsed = kubeconfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KubeconfigError(`${options.path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const config = parsed.data;
  const contextName = config['current-context'];
  if (!contextName) throw new KubeconfigError(`${options.path} has no current-context`);
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new KubeconfigError(`${options.path}: the current context "${contextName}" is not defined`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster) throw new KubeconfigError(`${options.path}: the cluster "${context.cluster}" is not defined`);
  const user = (context.user ? config.users?.find((u) => u.name === context.user)?.user : undefined) ?? {};
  if (user['auth-provider'] !== undefined)
    throw new KubeconfigError(
      `${options.path}: auth-provider is not supported (it was removed from kubectl too); use an exec credential plugin`,
    );
  const base = dirname(resolve(options.path));
  const headers: Record<string, string> = {};
  if (user.token) headers.Authorization = `Bearer ${user.token}`;
  else if (user.username !== undefined && user.password !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const tokenFile = !user.token && user.tokenFile ? resolve(base, user.tokenFile) : undefined;
  return new Kubeconfig({
    server: cluster.server,
    namespace: context.namespace,
    tls: tlsOf(cluster, user, base),
    proxyUrl: cluster['proxy-url'],
    headers,
    tokenFile,
    exec: user.exec
      ? new ExecCredentialPlugin(user.exec, { cwd: base, env: options.env ?? {}, server: cluster.server })
      : undefined,
  });
}

export function loadKubeconfigFile(path: string, env: Readonly<Record<string, string | undefined>> = {}): Kubeconfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`cannot read the kubeconfig ${path}: ${(err as Error).message}`, err);
  }
  return parseKubeconfig(text, { path, env });
}

/** The pod's service account, as client-go's rest.InClusterConfig() builds it. */
export function inClusterKubeconfig(
  host: string,
  port: string,
  serviceAccountDir: string = SERVICE_ACCOUNT_DIR,
): Kubeconfig {
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const namespace = (() => {
    try {
      return readFileSync(`${serviceAccountDir}/namespace`, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  })();
  // Read once here so a missing token fails at start, not at the first request.
  readRelative(serviceAccountDir, 'token', 'service account token');
  return new Kubeconfig({
    server: `https://${hostPart}:${port}`,
    namespace,
    tls: { ca: readRelative(serviceAccountDir, 'ca.crt', 'service account CA'), rejectUnauthorized: true },
    tokenFile: `${serviceAccountDir}/token`,
  });
}
