// Runs the Argo CD health check (examples/gitops/argocd-health.lua) in a real Lua VM
// on sample Atoms, the way Argo CD does: the script sees `obj` and returns {status, message}.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import fengari from 'fengari';
import { repoRoot } from './helm.js';

const script = readFileSync(join(repoRoot, 'examples/gitops/argocd-health.lua'), 'utf8');

/** A Lua table constructor for plain JSON-like data (ASCII strings). */
function luaLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(luaLiteral).join(', ')}}`;
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `[${luaLiteral(k)}] = ${luaLiteral(x)}`)
      .join(', ')}}`;
  throw new Error(`cannot express ${typeof v} in Lua`);
}

function health(obj: unknown): { status: string | null; message: string | null } {
  const { lauxlib, lualib, lua, to_luastring } = fengari;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const program = `local function check(obj)\n${script}\nend\nlocal hs = check(${luaLiteral(obj)})\nreturn hs.status, hs.message`;
  const rc = lauxlib.luaL_dostring(L, to_luastring(program));
  if (rc !== 0) throw new Error(`Lua error: ${lua.lua_tojsstring(L, -1) ?? 'unknown'}`);
  return { status: lua.lua_tojsstring(L, -2), message: lua.lua_tojsstring(L, -1) };
}

type Condition = { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string };
function atom(
  conditions: Condition[] | undefined,
  generation = 2,
  observedGeneration: number | undefined = 2,
): unknown {
  return {
    apiVersion: 'atomoperator.io/v1alpha1',
    kind: 'Atom',
    metadata: { name: 'atom-eu-1', namespace: 'atoms-eu', generation },
    spec: { platform: { accountId: 'acme-0001' } },
    ...(conditions ? { status: { observedGeneration, phase: 'Running', conditions } } : {}),
  };
}
const ready: Condition = { type: 'Ready', status: 'True', reason: 'PodReady', message: 'The Atom runs version 5.0.2.' };
const notReady: Condition = { type: 'Ready', status: 'False', reason: 'PodStarting', message: 'The pod is starting.' };
const progressing: Condition = {
  type: 'Progressing',
  status: 'True',
  reason: 'RollingOut',
  message: 'Updating to 5.0.3.',
};
const settled: Condition = { type: 'Progressing', status: 'False', reason: 'Settled' };
const degraded: Condition = {
  type: 'Degraded',
  status: 'True',
  reason: 'RolledBack',
  message: 'Version 5.0.3 did not become Ready; rolled back to 5.0.2.',
};
const fine: Condition = { type: 'Degraded', status: 'False', reason: 'AsExpected' };

describe('Argo CD health check for Atoms', () => {
  it.each([
    ['Ready=True', [ready, settled, fine], 'Healthy', 'The Atom runs version 5.0.2.'],
    ['Progressing=True while still Ready', [ready, progressing, fine], 'Progressing', 'Updating to 5.0.3.'],
    [
      'Degraded=True even while Ready (rolled back)',
      [ready, settled, degraded],
      'Degraded',
      'Version 5.0.3 did not become Ready; rolled back to 5.0.2.',
    ],
    [
      'Degraded=True during a rollout',
      [notReady, progressing, degraded],
      'Degraded',
      'Version 5.0.3 did not become Ready; rolled back to 5.0.2.',
    ],
    ['Ready=False, nothing else', [notReady], 'Progressing', 'The pod is starting.'],
    ['no Ready condition yet', [settled], 'Progressing', 'Waiting for the Atom to become Ready'],
    [
      'Degraded without a message',
      [{ type: 'Degraded', status: 'True', reason: 'X' }],
      'Degraded',
      'The Atom is degraded',
    ],
  ] as const)('%s', (_name, conditions, status, message) => {
    expect(health(atom([...conditions]))).toEqual({ status, message });
  });

  it('is Progressing until the operator reports any status', () => {
    expect(health(atom(undefined))).toEqual({
      status: 'Progressing',
      message: "Waiting for the operator to report the Atom's status",
    });
  });

  it('is Progressing, not Healthy, while the status describes an older spec', () => {
    expect(health(atom([ready, settled, fine], 3, 2))).toEqual({
      status: 'Progressing',
      message: 'Waiting for the operator to act on the latest spec',
    });
  });

  it('the argocd-cm snippet carries exactly the script in argocd-health.lua', () => {
    const cm = load(readFileSync(join(repoRoot, 'examples/gitops/argocd-cm.yaml'), 'utf8')) as {
      data: Record<string, string>;
    };
    expect(cm.data['resource.customizations.health.atomoperator.io_Atom']).toBe(script);
  });
});
