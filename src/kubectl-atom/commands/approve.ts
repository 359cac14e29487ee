// kubectl atom approve NAME --version V: a Manual Atom takes a version by its spec.version, which
// the operator then rolls out (pinned rollouts skip the fleet gate: a person chose them).
import { atomVersion } from '../../api/common.js';
import type { CommandSpec } from '../command.js';
import { EXIT, PluginError } from '../errors.js';
import { gitOpsAdvice, gitOpsOwner } from '../gitops.js';
import { includesVersion, sameVersion } from '../../rollout/versions.js';

export const approveCommand: CommandSpec = {
  name: 'approve',
  summary: 'Approve a version on a Manual Atom (sets spec.version), which the operator then rolls out.',
  args: 'NAME',
  description:
    'Sets spec.version with a merge patch under the field manager kubectl-atom. Only Manual Atoms wait for ' +
    'approval (Automatic ones follow the platform; Disabled ones take no updates). A version in ' +
    'status.failedVersions is refused: retry it with forget-failed first. When Argo CD or Flux manages the Atom ' +
    'the change is still made, with a warning: Git reverts it at the next sync unless you commit it, and the ' +
    'command prints what to commit.',
  examples: ['kubectl atom approve atom-eu-manual --version 5.1.0 -n atoms-eu'],
  options: {
    version: { type: 'string', value: 'VERSION', description: 'The version to run (usually the advertised one).' },
  },
  minArgs: 1,
  maxArgs: 1,
  async run({ flags, positionals, io, connect }) {
    const version = typeof flags.version === 'string' ? flags.version.trim() : '';
    if (version === '')
      throw new PluginError('USAGE', 'approve needs the version: kubectl atom approve NAME --version VERSION');
    // The CRD's own rule for spec.version, checked here so the answer comes before any request.
    const valid = atomVersion.safeParse(version);
    if (!valid.success)
      throw new PluginError('USAGE', `--version ${version}: ${valid.error.issues[0]?.message ?? 'not a version'}.`);
    const { client, namespace = 'default' } = connect();
    const name = positionals[0] as string;
    const atom = await client.getAtom(namespace, name);
    const mode = atom.spec.update.mode;
    if (mode !== 'Manual')
      throw new PluginError(
        'NOT_APPLICABLE',
        mode === 'Automatic'
          ? `Atom ${namespace}/${name} has update.mode Automatic: it follows the advertised version by itself and cannot be pinned. Set update.mode Manual to approve versions one by one.`
          : `Atom ${namespace}/${name} has update.mode Disabled: it takes no updates. Set update.mode Manual to approve versions.`,
      );
    if (includesVersion(atom.status?.failedVersions, version))
      throw new PluginError(
        'NOT_APPLICABLE',
        `${version} failed on Atom ${namespace}/${name} before and is not retried. To try it again: kubectl atom forget-failed ${name} ${version} -n ${namespace}, then approve.`,
      );
    const owner = gitOpsOwner(atom.metadata);
    if (owner) io.err(gitOpsAdvice(owner, `${namespace}/${name}`, version));
    if (atom.spec.version !== undefined && sameVersion(atom.spec.version, version)) {
      io.out(`atom.atomoperator.io/${name} already approved for ${version}\n`);
      return EXIT.ok;
    }
    await client.mergePatchAtom(namespace, name, { spec: { version } });
    const advertised = atom.status?.advertisedVersion;
    io.out(`atom.atomoperator.io/${name} approved for ${version}\n`);
    if (advertised === undefined || !sameVersion(advertised, version))
      io.err(
        `Note: the platform advertises ${advertised ?? 'no version'} for this Atom; ${version} is rolled out by spec.image.digest, or by its tag when no digest is known.\n`,
      );
    io.out(`Follow it with: kubectl atom status ${name} -n ${namespace}\n`);
    return EXIT.ok;
  },
};
