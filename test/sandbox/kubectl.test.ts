// The real kubectl (v1.35) against the sandbox: get in every format, printer
// columns, client- and server-side apply with conflicts, patch, wait, watch,
// events, explain and delete.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTools } from '../../hack/fetch-tools.js';
import { createCertificateAuthority } from '../../src/sandbox/pki.js';
import { kubectl as run, raw, useSandbox, waitFor, widget } from './helpers.js';

const sandbox = useSandbox({ kubeletMode: 'auto', podStartDelayMs: 20, podTerminationDelayMs: 50 });
const fixtures = join(process.cwd(), 'test', 'sandbox', 'fixtures');

function kubectl(args: string[], input?: string): ReturnType<typeof run> {
  return run(sandbox(), args, input);
}

function manifest(obj: unknown): string {
  return dump(obj);
}

beforeAll(async () => {
  ensureTools();
  const crd = await kubectl(['apply', '-f', join(fixtures, 'widget-crd.yaml')]);
  expect(crd.stderr).toBe('');
  await waitFor(async () => (await kubectl(['get', 'widgets'])).code === 0 || undefined, 'widgets served');
}, 60_000);

describe('kubectl get', () => {
  it('lists namespaces as a table', async () => {
    const out = await kubectl(['get', 'ns']);
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    expect(out.stdout).toMatch(/^default\s+Active\s+\d+s$/m);
  });

  it('shows a Ready node', async () => {
    const out = await kubectl(['get', 'nodes']);
    expect(out.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(out.stdout).toMatch(/^\S+\s+Ready\s+\S+\s+\S+\s+v1\.\d+\.\d+/m);
  });

  it('prints -o json and -o yaml', async () => {
    const json = JSON.parse((await kubectl(['get', 'ns', 'kube-system', '-o', 'json'])).stdout) as {
      kind: string;
      metadata: { name: string };
    };
    expect(json).toMatchObject({ kind: 'Namespace', metadata: { name: 'kube-system' } });
    const yaml = await kubectl(['get', 'ns', 'default', '-o', 'yaml']);
    expect(yaml.stdout).toContain('kind: Namespace');
    expect(yaml.stdout).toContain('name: default');
  });

  it('shows pod readiness from the kubelet', async () => {
    const created = await kubectl(
      ['apply', '-f', '-'],
      manifest({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'kp', namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
      }),
    );
    expect(created.stdout).toContain('pod/kp created');
    await waitFor(
      async () => /kp\s+1\/1\s+Running\s+0/.test((await kubectl(['get', 'pods'])).stdout) || undefined,
      'pod Running in kubectl get',
    );
  });
});

describe('kubectl auth can-i', () => {
  it('answers yes for the kubeconfig user', async () => {
    const out = await kubectl(['auth', 'can-i', 'create', 'pods']);
    expect(out.stdout.trim()).toBe('yes');
  });
});

describe('kubectl logs', () => {
  it('reads a pod log (empty here: there is no container runtime) and 404s for a missing pod', async () => {
    const out = await kubectl(['logs', 'kp']);
    expect(out.code).toBe(0);
    const missing = await kubectl(['logs', 'nope']);
    expect(missing.stderr).toContain('pods "nope" not found');
  });
});

describe('kubectl apply (client-side)', () => {
  it('creates, then patches a deployment, merging containers by name', async () => {
    const deployment = (containers: unknown[]) =>
      manifest({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
        },
      });
    expect(
      (
        await kubectl(
          ['apply', '-f', '-'],
          deployment([
            { name: 'main', image: 'nginx:1.25' },
            { name: 'side', image: 'busybox:1' },
          ]),
        )
      ).stdout,
    ).toContain('deployment.apps/web created');
    const second = await kubectl(['apply', '-f', '-'], deployment([{ name: 'main', image: 'nginx:1.26' }]));
    expect(second.stdout).toContain('deployment.apps/web configured');
    const images = await kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[*].image}']);
    expect(images.stdout).toBe('nginx:1.26');
  });

  it('works with --validate=false, when unknown fields are dropped with a warning', async () => {
    const out = await kubectl(
      ['apply', '--validate=false', '-f', '-'],
      manifest(widget('lax', { image: 'a', sise: 2 })),
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('widget.test.sandbox.io/lax created');
    const spec = JSON.parse((await kubectl(['get', 'widget', 'lax', '-o', 'jsonpath={.spec}'])).stdout) as Record<
      string,
      unknown
    >;
    expect(spec).not.toHaveProperty('sise');
  });

  it('lists a custom resource by its category', async () => {
    const out = await kubectl(['get', 'sandbox']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^lax\s+/m);
  });

  it('rejects unknown fields in a custom resource (server-side strict validation)', async () => {
    const out = await kubectl(['apply', '-f', '-'], manifest(widget('typo', { image: 'a', sise: 2 })));
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('unknown field "spec.sise"');
  });

  it('surfaces schema violations as the real server words them', async () => {
    const out = await kubectl(['apply', '-f', '-'], manifest(widget('bad', { image: 'a', update: { mode: 'Never' } })));
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(
      'spec.update.mode: Unsupported value: "Never": supported values: "Automatic", "Manual", "Disabled"',
    );
  });
});

describe('kubectl apply --server-side', () => {
  it('applies, reports a conflict with another manager, and forces it', async () => {
    const first = await kubectl(
      ['apply', '--server-side', '-f', '-'],
      manifest(widget('ssa', { image: 'a', size: 2 })),
    );
    expect(first.stdout).toContain('widget.test.sandbox.io/ssa serverside-applied');
    const conflict = await kubectl(
      ['apply', '--server-side', '--field-manager=other', '-f', '-'],
      manifest(widget('ssa', { image: 'a', size: 3 })),
    );
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl" using test.sandbox.io/v1: .spec.size',
    );
    const forced = await kubectl(
      ['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'],
      manifest(widget('ssa', { image: 'a', size: 3 })),
    );
    expect(forced.code).toBe(0);
    const managers = await kubectl([
      'get',
      'widget',
      'ssa',
      '--show-managed-fields',
      '-o',
      'jsonpath={.metadata.managedFields[*].manager}',
    ]);
    expect(managers.stdout.split(' ').sort()).toEqual(['kubectl', 'other']);
  });

  it('shows printer columns for custom resources', async () => {
    await kubectl(['apply', '--server-side', '-f', '-'], manifest(widget('cols', { image: 'a', size: 4 })));
    const out = await kubectl(['get', 'wg', 'cols']);
    expect(out.stdout.split('\n')[0]).toMatch(/^NAME\s+PHASE\s+SIZE\s+READY\s+AGE$/);
    expect(out.stdout.split('\n')[1]).toMatch(/^cols\s+4\s+\d+s$/);
  });
});

describe('kubectl patch', () => {
  it('applies merge, json and strategic patches', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      manifest({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'kcm', namespace: 'default' },
        data: { a: '1' },
      }),
    );
    expect((await kubectl(['patch', 'cm', 'kcm', '--type', 'merge', '-p', '{"data":{"b":"2"}}'])).code).toBe(0);
    expect(
      (await kubectl(['patch', 'cm', 'kcm', '--type', 'json', '-p', '[{"op":"remove","path":"/data/a"}]'])).code,
    ).toBe(0);
    expect(
      (await kubectl(['patch', 'cm', 'kcm', '--type', 'strategic', '-p', '{"metadata":{"labels":{"x":"y"}}}'])).code,
    ).toBe(0);
    const cm = JSON.parse((await kubectl(['get', 'cm', 'kcm', '-o', 'json'])).stdout) as {
      data: Record<string, string>;
      metadata: { labels: Record<string, string> };
    };
    expect(cm.data).toEqual({ b: '2' });
    expect(cm.metadata.labels).toEqual({ x: 'y' });
    const failed = await kubectl([
      'patch',
      'cm',
      'kcm',
      '--type',
      'json',
      '-p',
      '[{"op":"test","path":"/data/b","value":"9"}]',
    ]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('testing value /data/b failed');
  });
});

describe('kubectl wait and watch', () => {
  it('waits for condition=Ready on a custom resource', async () => {
    await kubectl(['apply', '--server-side', '-f', '-'], manifest(widget('waited', { image: 'a' })));
    const waiting = kubectl(['wait', '--for=condition=Ready', 'widget/waited', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 300));
    await raw(sandbox(), 'PATCH', '/apis/test.sandbox.io/v1/namespaces/default/widgets/waited/status', {
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Done',
              message: 'ok',
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        },
      }),
    });
    const out = await waiting;
    expect(out.stdout).toContain('widget.test.sandbox.io/waited condition met');
  });

  it('streams changes with get --watch until the request timeout', async () => {
    await kubectl(['apply', '--server-side', '-f', '-'], manifest(widget('watched', { image: 'a', size: 1 })));
    const watching = kubectl(['get', 'widget', 'watched', '--watch', '--request-timeout=3s']);
    await new Promise((r) => setTimeout(r, 800));
    await kubectl(['patch', 'widget', 'watched', '--type', 'merge', '-p', '{"spec":{"size":5}}']);
    const out = await watching;
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+PHASE\s+SIZE/);
    expect(lines.some((l) => /^watched\s+5\s+/.test(l))).toBe(true);
  });
});

describe('kubectl create (typed client, protobuf bodies)', () => {
  it('creates the TLS secret, namespace and config map the docs tell users to create', async () => {
    const ca = await createCertificateAuthority('test');
    const leaf = await ca.issue({ commonName: 'atom', usage: 'client' });
    const dir = join(sandbox().kubeconfigPath, '..');
    writeFileSync(join(dir, 'tls.crt'), leaf.cert);
    writeFileSync(join(dir, 'tls.key'), leaf.key);
    const secret = await kubectl([
      'create',
      'secret',
      'tls',
      'atom-registration',
      `--cert=${join(dir, 'tls.crt')}`,
      `--key=${join(dir, 'tls.key')}`,
    ]);
    expect(secret.stdout).toContain('secret/atom-registration created');
    const stored = sandbox().store.get('secrets', 'default', 'atom-registration');
    expect(stored?.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(String((stored?.data as Record<string, string>)['tls.crt']), 'base64').toString()).toBe(
      leaf.cert,
    );
    expect((await kubectl(['create', 'namespace', 'atom-system'])).stdout).toContain('namespace/atom-system created');
    expect(
      (await kubectl(['create', 'configmap', 'settings', '-n', 'atom-system', '--from-literal=a=b'])).stdout,
    ).toContain('configmap/settings created');
    expect(sandbox().store.get('configmaps', 'atom-system', 'settings')?.data).toEqual({ a: 'b' });
    expect((await kubectl(['create', 'serviceaccount', 'atom', '-n', 'atom-system'])).stdout).toContain(
      'serviceaccount/atom created',
    );
  });
});

describe('kubectl events, explain, delete', () => {
  it('lists events', async () => {
    const res = await raw(sandbox(), 'POST', '/api/v1/namespaces/default/events', {
      contentType: 'application/json',
      body: JSON.stringify({
        metadata: { name: 'ev1' },
        involvedObject: { kind: 'Widget', name: 'waited', namespace: 'default', apiVersion: 'test.sandbox.io/v1' },
        reason: 'Rolled',
        message: 'rolled out version 2',
        type: 'Normal',
        count: 1,
        firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        source: { component: 'test' },
      }),
    });
    expect(res.status).toBe(201);
    expect((await kubectl(['get', 'events'])).stdout).toMatch(
      /Normal\s+Rolled\s+widget\/waited\s+rolled out version 2/,
    );
    expect((await kubectl(['events'])).stdout).toContain('rolled out version 2');
  });

  it('explains custom resource fields from the CRD schema', async () => {
    const out = await kubectl(['explain', 'widgets.spec.update']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('enum: Automatic, Manual, Disabled');
  });

  it('deletes and reports it, and a pod is gone once the kubelet lets go', async () => {
    const out = await kubectl(['delete', 'widget', 'cols']);
    expect(out.stdout).toContain('widget.test.sandbox.io "cols" deleted');
    const pod = await kubectl(['delete', 'pod', 'kp', '--wait=true', '--timeout=20s']);
    expect(pod.stdout).toContain('pod "kp" deleted');
    expect(sandbox().store.get('pods', 'default', 'kp')).toBeUndefined();
  });

  it('applies a file with several documents', async () => {
    const file = join(sandbox().kubeconfigPath, '..', 'multi.yaml');
    writeFileSync(file, [manifest(widget('m1', { image: 'a' })), manifest(widget('m2', { image: 'b' }))].join('---\n'));
    const out = await kubectl(['apply', '-f', file]);
    expect(out.stdout).toContain('widget.test.sandbox.io/m1 created');
    expect(out.stdout).toContain('widget.test.sandbox.io/m2 created');
  });
});
