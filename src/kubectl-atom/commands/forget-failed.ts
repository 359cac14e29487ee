// kubectl atom forget-failed NAME VERSION: the operator never retries a version in
// status.failedVersions; removing it there (status subresource, JSON patch with a test so a
// concurrent status write is not clobbered) lets the next reconcile try it again.
import type { CommandSpec } from '../command.js';
import { EXIT, PluginError } from '../errors.js';
import { sameVersion } from '../../rollout/versions.js';

export const forgetFailedCommand: CommandSpec = {
  name: 'forget-failed',
  summary: 'Let the operator retry a version that failed on an Atom (removes it from status.failedVersions).',
  args: 'NAME VERSION',
  description:
    'Patches the status subresource with a JSON patch (test, then remove), under the field manager kubectl-atom. ' +
    'Needs RBAC "patch" on atoms.atomoperator.io/status. The version is tried again at the next rollout decision ' +
    '(Automatic Atoms when it is still advertised, Manual Atoms when spec.version names it).',
  examples: ['kubectl atom forget-failed fleet-01 1.2.0 -n default'],
  options: {},
  minArgs: 2,
  maxArgs: 2,
  async run({ positionals, io, connect }) {
    const [name, version] = positionals as [string, string];
    const { client, namespace = 'default' } = connect();
    const atom = await client.getAtom(namespace, name);
    const failed = atom.status?.failedVersions ?? [];
    const index = failed.findIndex((v) => sameVersion(v, version));
    if (index < 0)
      throw new PluginError(
        'NOT_APPLICABLE',
        `${version} is not a failed version of Atom ${namespace}/${name} (failed versions: ${failed.join(', ') || 'none'}).`,
      );
    await client.jsonPatchStatus(namespace, name, [
      { op: 'test', path: `/status/failedVersions/${index}`, value: failed[index] },
      { op: 'remove', path: `/status/failedVersions/${index}` },
    ]);
    io.out(
      `atom.atomoperator.io/${name}: ${failed[index]} removed from status.failedVersions; the operator may try it again\n`,
    );
    return EXIT.ok;
  },
};
