// Exec credential plugins (client.authentication.k8s.io): the kubeconfig names a
// command (aws eks get-token, gke-gcloud-auth-plugin, kubelogin) that prints an
// ExecCredential; its token (or client certificate) is used until it expires.
import { execFile } from 'node:child_process';
import { z } from 'zod';
import { KubeconfigError } from './kubeconfig-error.js';

/** Refresh this long before the credential says it expires, so no request carries a stale token. */
const EXPIRY_MARGIN_MS = 30_000;
const PLUGIN_TIMEOUT_MS = 30_000;

export const execConfigSchema = z.object({
  apiVersion: z.string().default('client.authentication.k8s.io/v1'),
  command: z.string().min(1),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string().min(1), value: z.string() })).nullish(),
  provideClusterInfo: z.boolean().optional(),
});

export type ExecConfig = z.output<typeof execConfigSchema>;

const execCredentialSchema = z.object({
  kind: z.literal('ExecCredential'),
  status: z
    .object({
      token: z.string().min(1).optional(),
      clientCertificateData: z.string().min(1).optional(),
      clientKeyData: z.string().min(1).optional(),
      expirationTimestamp: z.iso.datetime({ offset: true }).optional(),
    })
    .refine((s) => s.token !== undefined || (s.clientCertificateData && s.clientKeyData), {
      message: 'holds neither a token nor a client certificate and key',
    }),
});

export type ExecCredential = z.output<typeof execCredentialSchema>['status'];

export class ExecCredentialPlugin {
  readonly #config: ExecConfig;
  readonly #cwd: string;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #server: string;
  readonly #timeoutMs: number;
  #cached: { credential: ExecCredential; expiresAt: number } | undefined;
  #running: Promise<ExecCredential> | undefined;

  constructor(
    config: ExecConfig,
    options: {
      cwd: string;
      env: Readonly<Record<string, string | undefined>>;
      server: string;
      /** How long a run may take before it is killed (default 30 s). */
      timeoutMs?: number;
    },
  ) {
    this.#config = config;
    this.#cwd = options.cwd;
    this.#env = options.env;
    this.#server = options.server;
    this.#timeoutMs = options.timeoutMs ?? PLUGIN_TIMEOUT_MS;
  }

  /** The current credential, running the plugin when there is none or it is about to expire (one run at a time). */
  credential(now = Date.now()): Promise<ExecCredential> {
    if (this.#cached && now < this.#cached.expiresAt) return Promise.resolve(this.#cached.credential);
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<ExecCredential> {
    const config = this.#config;
    const execInfo = {
      apiVersion: config.apiVersion,
      kind: 'ExecCredential',
      spec: {
        interactive: false,
        ...(config.provideClusterInfo ? { cluster: { server: this.#server } } : {}),
      },
    };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#env)) if (value !== undefined) env[name] = value;
    for (const { name, value } of config.env ?? []) env[name] = value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify(execInfo);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        config.command,
        config.args ?? [],
        // SIGKILL: a plugin that waits for a login or ignores SIGTERM must not hold every request forever.
        { cwd: this.#cwd, env, timeout: this.#timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
        (err, out, stderr) => {
          if (err) {
            const detail = err.killed
              ? `it did not finish within ${this.#timeoutMs / 1000} s and was stopped`
              : stderr.trim().split('\n')[0] || err.message;
            reject(
              new KubeconfigError(
                `the exec credential plugin ${config.command} failed: ${detail}`,
                err,
                'KubeconfigExecFailed',
              ),
            );
          } else resolve(out);
        },
      );
    });
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch (err) {
      throw new KubeconfigError(
        `the exec credential plugin ${config.command} printed no JSON`,
        err,
        'KubeconfigExecFailed',
      );
    }
    const parsed = execCredentialSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new KubeconfigError(
        `the exec credential plugin ${config.command} printed an unusable ExecCredential: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
        undefined,
        'KubeconfigExecFailed',
      );
    }
    const credential = parsed.data.status;
    const expiresAt = credential.expirationTimestamp
      ? Date.parse(credential.expirationTimestamp) - EXPIRY_MARGIN_MS
      : Number.POSITIVE_INFINITY;
    this.#cached = { credential, expiresAt };
    return credential;
  }
}
