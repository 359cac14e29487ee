import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { findClusterSource } from './cluster.js';
import { ConfigError } from './load.js';

const TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const inPod = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', HOME: '/home/op' };
const files =
  (...present: string[]) =>
  (path: string) =>
    present.includes(path);

describe('findClusterSource', () => {
  it.each([
    [
      '--kubeconfig wins over the pod and the home directory',
      '/k/config',
      inPod,
      files('/k/config', TOKEN, '/home/op/.kube/config'),
      { kind: 'kubeconfig', path: '/k/config' },
    ],
    [
      'KUBECONFIG with several files uses the first that exists',
      '/a:/b',
      {},
      files('/b'),
      { kind: 'kubeconfig', path: '/b' },
    ],
    [
      "a pod's service account comes before ~/.kube/config",
      undefined,
      inPod,
      files(TOKEN, '/home/op/.kube/config'),
      { kind: 'in-cluster', host: '10.0.0.1', port: '443' },
    ],
    [
      'outside a pod, ~/.kube/config',
      undefined,
      { HOME: '/home/op' },
      files(TOKEN, '/home/op/.kube/config'),
      { kind: 'kubeconfig', path: '/home/op/.kube/config' },
    ],
    ['nothing at all', undefined, { HOME: '/home/op' }, files(), undefined],
    ['service env without a token', undefined, inPod, files(), undefined],
  ])('%s', (_name, kubeconfig, env, exists, expected) => {
    expect(findClusterSource({ kubeconfig }, env, exists)).toEqual(expected);
  });

  it('falls back to the home directory of the user when HOME is unset', () => {
    expect(findClusterSource({ kubeconfig: undefined }, {}, files(`${homedir()}/.kube/config`))).toEqual({
      kind: 'kubeconfig',
      path: `${homedir()}/.kube/config`,
    });
  });

  it('refuses a --kubeconfig that does not exist as a configuration error naming the flag', () => {
    expect(() => findClusterSource({ kubeconfig: '/nope' }, {}, files())).toThrow(ConfigError);
    try {
      findClusterSource({ kubeconfig: '/nope' }, {}, files());
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(['--kubeconfig: /nope does not exist']);
    }
  });
});
