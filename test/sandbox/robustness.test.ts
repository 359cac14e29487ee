// Property: whatever a client sends, the sandbox answers with a Status (4xx)
// and keeps serving; a 500 would mean a bug in the sandbox itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { installWidgetCrd, raw, useSandbox } from './helpers.js';

const internalErrors: unknown[] = [];
const sandbox = useSandbox({ onInternalError: (err) => internalErrors.push(err) });

const paths = [
  '/api/v1/namespaces/default/configmaps',
  '/api/v1/namespaces/default/configmaps/fuzz',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/pods/fuzz',
  '/api/v1/namespaces/default/pods/fuzz/status',
  '/apis/apps/v1/namespaces/default/deployments/fuzz',
  '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/fuzz',
  '/apis/test.sandbox.io/v1/namespaces/default/widgets',
  '/apis/test.sandbox.io/v1/namespaces/default/widgets/fuzz',
  '/apis/test.sandbox.io/v1/namespaces/default/widgets/fuzz/status',
  '/api/v1/namespaces',
];
const contentTypes = [
  'application/json',
  'application/yaml',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'application/vnd.kubernetes.protobuf',
];
const queries = [
  '',
  '?fieldManager=fuzz',
  '?fieldManager=fuzz&force=true',
  '?dryRun=All',
  '?fieldValidation=Strict',
  '?labelSelector=a%3Db',
  '?limit=1',
];

const objectish = fc.record(
  {
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'test.sandbox.io/v1', 'x'),
    kind: fc.constantFrom('ConfigMap', 'Pod', 'Widget', 'Deployment', 'NetworkPolicy'),
    metadata: fc.record(
      {
        name: fc.constantFrom('fuzz', 'Fuzz', ''),
        labels: fc.dictionary(fc.string(), fc.string()),
        finalizers: fc.array(fc.string()),
      },
      { requiredKeys: [] },
    ),
    spec: fc.jsonValue(),
    status: fc.jsonValue(),
    data: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('robustness', () => {
  it('never fails with a 5xx whatever the method, path, content type and body', async () => {
    await installWidgetCrd(sandbox());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'GET'),
        fc.constantFrom(...paths),
        fc.constantFrom(...queries),
        fc.constantFrom(...contentTypes),
        fc.oneof(
          objectish.map((o) => JSON.stringify(o)),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string(),
        ),
        async (method, path, query, contentType, body) => {
          const res = await raw(sandbox(), method, `${path}${query}`, method === 'GET' ? {} : { body, contentType });
          expect(res.status, `${method} ${path}${query} ${contentType} ${body}: ${res.text}`).toBeLessThan(500);
        },
      ),
      { numRuns: 400 },
    );
    expect(internalErrors).toEqual([]);
    expect((await raw(sandbox(), 'GET', '/api/v1/namespaces/default')).status).toBe(200);
  }, 60_000);
});
