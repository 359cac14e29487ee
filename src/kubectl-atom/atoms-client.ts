// The plugin's edge to the API server: the few reads and writes its commands need, each answer
// parsed with zod, each failure turned into a PluginError naming the verb and resource.
import { z } from 'zod';
import { apiVersion, group, kind, parseAtom, plural, type Atom } from '../api/atom.js';
import { KubeClient, type KubeRequest } from '../kube/client.js';
import { PluginError, pluginErrorFrom, type RequestIntent } from './errors.js';
import type { LoadedKubeconfig } from './kubeconfig.js';

/** The field manager of every write the plugin makes, so managedFields tell who changed what. */
export const PLUGIN_FIELD_MANAGER = 'kubectl-atom';
const atomsResource = `${plural}.${group}`;

const list = z.object({ items: z.array(z.unknown()) });

export const kubeEvent = z.looseObject({
  type: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  count: z.int().optional(),
  firstTimestamp: z.string().nullish(),
  lastTimestamp: z.string().nullish(),
  eventTime: z.string().nullish(),
  metadata: z.looseObject({ creationTimestamp: z.string().optional() }),
  involvedObject: z.looseObject({ kind: z.string().optional(), name: z.string().optional() }),
});
export type KubeEvent = z.infer<typeof kubeEvent>;

/** An Atom the API server returned that does not match the schema (stored before a CRD upgrade, say). */
export interface UnreadableAtom {
  namespace: string;
  name: string;
  problem: string;
}

export interface AtomList {
  atoms: Atom[];
  unreadable: UnreadableAtom[];
}

/** One warning line per Atom the list could not read, so it is never left out silently; the count. */
export function warnUnreadable(unreadable: readonly UnreadableAtom[], warn: (text: string) => void): number {
  for (const bad of unreadable)
    warn(`Warning: Atom ${bad.namespace}/${bad.name} does not match the Atom schema: ${bad.problem}\n`);
  return unreadable.length;
}

const metaOf = z.looseObject({
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional() }).optional(),
});

export class AtomsClient {
  readonly #client: KubeClient;
  readonly #config: LoadedKubeconfig;

  constructor(config: LoadedKubeconfig, client = new KubeClient(config.kubeConfig, { requestTimeoutMs: 15_000 })) {
    this.#config = config;
    this.#client = client;
  }

  #atomsPath(namespace: string | undefined, name?: string, subresource?: string): string {
    const base = namespace === undefined ? `/apis/${apiVersion}` : `/apis/${apiVersion}/namespaces/${namespace}`;
    return `${base}/${plural}${name ? `/${name}` : ''}${subresource ? `/${subresource}` : ''}`;
  }

  async #send(req: KubeRequest, intent: Omit<RequestIntent, 'server' | 'context'>): Promise<unknown> {
    try {
      return await this.#client.request(req);
    } catch (err) {
      throw pluginErrorFrom(err, { ...intent, server: this.#config.server, context: this.#config.context });
    }
  }

  /** Atoms of one namespace, or of all when `namespace` is undefined, sorted by namespace and name. */
  async listAtoms(namespace: string | undefined): Promise<AtomList> {
    const body = await this.#send(
      { method: 'GET', path: this.#atomsPath(namespace) },
      { verb: 'list', resource: atomsResource, namespace },
    );
    const items = itemsOf(body, 'Atoms');
    const result: AtomList = { atoms: [], unreadable: [] };
    for (const item of items) {
      const parsed = parseAtom(item);
      if (parsed.ok) result.atoms.push(parsed.atom);
      else {
        const meta = metaOf.safeParse(item).data?.metadata;
        result.unreadable.push({
          namespace: meta?.namespace ?? '',
          name: meta?.name ?? '(unnamed)',
          problem: parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        });
      }
    }
    const key = (a: Atom) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
    result.atoms.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return result;
  }

  async getAtom(namespace: string, name: string): Promise<Atom> {
    const body = await this.#send(
      { method: 'GET', path: this.#atomsPath(namespace, name) },
      { verb: 'get', resource: atomsResource, namespace, name },
    );
    return parsedAtom(body);
  }

  /** A JSON merge patch of the Atom (spec or metadata), under the plugin's field manager. */
  async mergePatchAtom(namespace: string, name: string, patch: Record<string, unknown>): Promise<Atom> {
    const body = await this.#send(
      {
        method: 'PATCH',
        path: this.#atomsPath(namespace, name),
        query: { fieldManager: PLUGIN_FIELD_MANAGER },
        body: patch,
        contentType: 'application/merge-patch+json',
      },
      { verb: 'patch', resource: atomsResource, namespace, name },
    );
    return parsedAtom(body);
  }

  /** A JSON patch of the status subresource; `test` operations make it fail rather than clobber a change. */
  async jsonPatchStatus(namespace: string, name: string, operations: readonly object[]): Promise<Atom> {
    const body = await this.#send(
      {
        method: 'PATCH',
        path: this.#atomsPath(namespace, name, 'status'),
        query: { fieldManager: PLUGIN_FIELD_MANAGER },
        body: operations,
        contentType: 'application/json-patch+json',
      },
      { verb: 'patch', resource: `${atomsResource}/status`, namespace, name },
    );
    return parsedAtom(body);
  }

  /** Events about one Atom, oldest first. */
  async atomEvents(namespace: string, name: string): Promise<KubeEvent[]> {
    const body = await this.#send(
      {
        method: 'GET',
        path: `/api/v1/namespaces/${namespace}/events`,
        query: { fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` },
      },
      { verb: 'list', resource: 'events', namespace },
    );
    const events = itemsOf(body, 'events').flatMap((item) => {
      const parsed = kubeEvent.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
    return events.sort((a, b) => eventTime(a) - eventTime(b));
  }
}

export function eventTime(event: KubeEvent): number {
  const text = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  const at = text ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? 0 : at;
}

/** The items of a list answer; anything else (a proxy's HTML page, say) is one line, not a ZodError dump. */
function itemsOf(body: unknown, what: string): unknown[] {
  const parsed = list.safeParse(body);
  if (parsed.success) return parsed.data.items;
  throw new PluginError(
    'API_ERROR',
    `the API server answered the list of ${what} with something that is not a list; is --kubeconfig pointing at a Kubernetes API server?`,
  );
}

function parsedAtom(body: unknown): Atom {
  const parsed = parseAtom(body);
  if (parsed.ok) return parsed.atom;
  const problems = parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  throw new PluginError(
    'API_ERROR',
    `the API server returned an Atom that does not match this plugin's Atom schema (${problems}); is the plugin as new as the operator's CRD?`,
  );
}
