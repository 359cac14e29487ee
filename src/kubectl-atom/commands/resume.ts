// kubectl atom resume [--version V] [--on NAME] | --clear: the operator lifts the halt of a
// version's rollout while any Atom in scope carries atomoperator.io/resume-rollout=<version>
// (src/rollout/fleet.ts). This sets that annotation, or removes it once the rollout is through.
import type { Atom } from '../../api/atom.js';
import { resumeRolloutAnnotation } from '../../rollout/fleet.js';
import { includesVersion } from '../../rollout/versions.js';
import type { CommandSpec } from '../command.js';
import { EXIT, PluginError } from '../errors.js';
import { gitOpsOwner } from '../gitops.js';
import { detectScope, fleetRollouts } from '../rollout-view.js';

export const resumeCommand: CommandSpec = {
  name: 'resume',
  summary: 'Resume a halted rollout (sets the atomoperator.io/resume-rollout annotation), or --clear it.',
  args: '',
  description:
    `The operator continues a halted rollout of a version while any Atom in its scope carries the annotation ` +
    `${resumeRolloutAnnotation}=<version>; further failures of that version do not halt it again. Without --version ` +
    'the halted version is found from the Atoms (it must be exactly one). The annotation goes on the Atom named by ' +
    '--on, else on the first Atom that failed the version. Remove it once the rollout is through with --clear, so ' +
    'that a later halt of the version takes effect again.',
  examples: [
    'kubectl atom resume',
    'kubectl atom resume --version 1.2.0 --on fleet-01 -n default',
    'kubectl atom resume --clear -A',
  ],
  options: {
    version: { type: 'string', value: 'VERSION', description: 'The halted version to resume.' },
    on: { type: 'string', value: 'NAME', description: 'The Atom to annotate (in -n NAMESPACE).' },
    clear: { type: 'boolean', description: 'Remove the annotation from every Atom in the namespace (or -A).' },
  },
  allNamespaces: true,
  minArgs: 0,
  maxArgs: 0,
  async run({ flags, io, connect }) {
    const { client, namespace } = connect();
    if (flags.clear) {
      const { atoms } = await client.listAtoms(namespace);
      const annotated = atoms.filter((atom) => atom.metadata.annotations?.[resumeRolloutAnnotation] !== undefined);
      for (const atom of annotated) {
        await client.mergePatchAtom(atom.metadata.namespace ?? '', atom.metadata.name, {
          metadata: { annotations: { [resumeRolloutAnnotation]: null } },
        });
        io.out(
          `atom.atomoperator.io/${atom.metadata.name} (${atom.metadata.namespace}): ${resumeRolloutAnnotation} removed\n`,
        );
      }
      if (annotated.length === 0) io.out(`No Atom carries ${resumeRolloutAnnotation}.\n`);
      return EXIT.ok;
    }
    let version = typeof flags.version === 'string' ? flags.version : undefined;
    let target: Atom | undefined;
    if (version !== undefined && typeof flags.on === 'string') {
      // Both given: one read and one write, so RBAC on this one Atom is enough.
      target = await client.getAtom(namespace ?? 'default', flags.on);
    } else {
      // A halt spans the operator's scope, which may be the whole cluster: look at every Atom unless -n was given.
      const { atoms } = await client.listAtoms(flags.namespace ? namespace : undefined);
      if (version === undefined) {
        const halted = fleetRollouts(atoms, detectScope(atoms)).filter((rollout) => rollout.halted);
        const versions = [...new Set(halted.map((rollout) => rollout.version))];
        if (versions.length === 0)
          throw new PluginError(
            'NOT_APPLICABLE',
            'no rollout is halted (see kubectl atom rollout status); nothing to resume.',
          );
        if (versions.length > 1)
          throw new PluginError(
            'USAGE',
            `several versions are halted (${versions.join(', ')}): choose one with --version.`,
          );
        version = versions[0] as string;
      }
      const wanted = version;
      const failedIt = atoms.filter((atom) => includesVersion(atom.status?.failedVersions, wanted));
      target = pickTarget(atoms, failedIt, flags.on, namespace);
    }
    if (!target)
      throw new PluginError(
        'NOT_APPLICABLE',
        `no Atom failed ${version}, so none was chosen to carry the annotation: name one with --on NAME (any Atom in the halted scope).`,
      );
    const owner = gitOpsOwner(target.metadata);
    if (owner)
      io.err(
        `Warning: ${owner.tool} manages Atom ${target.metadata.namespace}/${target.metadata.name} (${owner.source}); if it prunes unknown annotations, commit ${resumeRolloutAnnotation}: "${version}" to its manifest instead.\n`,
      );
    await client.mergePatchAtom(target.metadata.namespace ?? '', target.metadata.name, {
      metadata: { annotations: { [resumeRolloutAnnotation]: version } },
    });
    io.out(
      `atom.atomoperator.io/${target.metadata.name} (${target.metadata.namespace}) annotated ${resumeRolloutAnnotation}=${version}: the rollout of ${version} continues.\n` +
        `Remove the annotation once it is through: kubectl atom resume --clear${flags.namespace ? ` -n ${namespace}` : ' -A'}\n`,
    );
    return EXIT.ok;
  },
};

function pickTarget(
  atoms: readonly Atom[],
  failedIt: readonly Atom[],
  on: string | boolean | undefined,
  namespace: string | undefined,
): Atom | undefined {
  if (typeof on === 'string') {
    const found = atoms.find(
      (a) => a.metadata.name === on && (namespace === undefined || a.metadata.namespace === namespace),
    );
    if (!found)
      throw new PluginError('NOT_FOUND', `Atom ${on} not found${namespace ? ` in namespace ${namespace}` : ''}.`);
    return found;
  }
  return failedIt[0];
}
