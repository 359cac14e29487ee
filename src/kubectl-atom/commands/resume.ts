// kubectl atom resume [--version V] [--on NAME] | --clear: the operator lifts the halt of a
// version's rollout while any Atom in scope carries atomoperator.io/resume-rollout=<version>
// (src/rollout/fleet.ts). This sets that annotation, or removes it once the rollout is through.
import type { Atom } from '../../api/atom.js';
import { resumeRolloutAnnotation } from '../../rollout/fleet.js';
import { includesVersion, sameVersion } from '../../rollout/versions.js';
import { warnUnreadable } from '../atoms-client.js';
import type { CommandSpec } from '../command.js';
import { EXIT, PluginError } from '../errors.js';
import { gitOpsOwner } from '../gitops.js';
import { detectScope, fleetRollouts, type ScopeRollout } from '../rollout-view.js';

export const resumeCommand: CommandSpec = {
  name: 'resume',
  summary: 'Resume a halted rollout (sets the atomoperator.io/resume-rollout annotation), or --clear it.',
  args: '',
  description:
    `The operator continues a halted rollout of a version while any Atom in its scope carries the annotation ` +
    `${resumeRolloutAnnotation}=<version>; further failures of that version do not halt it again. Without --version ` +
    'the halted version is found from the Atoms (it must be exactly one). The annotation goes on the Atom named by ' +
    '--on, else, in each scope where the version is halted, on the first Atom that failed it. Remove it once the rollout is through with --clear, so ' +
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
      const listed = await client.listAtoms(namespace);
      warnUnreadable(listed.unreadable, io.err);
      const { atoms } = listed;
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
    let targets: Atom[];
    if (version !== undefined && typeof flags.on === 'string') {
      // Both given: one read and one write, so RBAC on this one Atom is enough.
      targets = [await client.getAtom(namespace ?? 'default', flags.on)];
    } else {
      // A halt spans the operator's scope, which may be the whole cluster: look at every Atom unless -n was given.
      const listed = await client.listAtoms(flags.namespace ? namespace : undefined);
      warnUnreadable(listed.unreadable, io.err);
      const { atoms } = listed;
      const rollouts = fleetRollouts(atoms, detectScope(atoms));
      if (version === undefined) version = haltedVersion(rollouts);
      targets = chooseTargets(atoms, rollouts, version, flags.on, namespace);
    }
    for (const target of targets) {
      const owner = gitOpsOwner(target.metadata);
      if (owner)
        io.err(
          `Warning: ${owner.tool} manages Atom ${target.metadata.namespace}/${target.metadata.name} (${owner.source}); if it prunes unknown annotations, commit ${resumeRolloutAnnotation}: "${version}" to its manifest instead.\n`,
        );
      await client.mergePatchAtom(target.metadata.namespace ?? '', target.metadata.name, {
        metadata: { annotations: { [resumeRolloutAnnotation]: version } },
      });
      io.out(
        `atom.atomoperator.io/${target.metadata.name} (${target.metadata.namespace}) annotated ${resumeRolloutAnnotation}=${version}: the rollout of ${version} continues.\n`,
      );
    }
    io.out(
      `Remove the annotation once it is through: kubectl atom resume --clear${flags.namespace ? ` -n ${namespace}` : ' -A'}\n`,
    );
    return EXIT.ok;
  },
};

/** The one halted version, or a usage error saying why none or which ones. */
function haltedVersion(rollouts: readonly ScopeRollout[]): string {
  const versions = [...new Set(rollouts.filter((r) => r.halted).map((r) => r.version))];
  if (versions.length === 0)
    throw new PluginError(
      'NOT_APPLICABLE',
      'no rollout is halted (see kubectl atom rollout status); nothing to resume.',
    );
  if (versions.length > 1)
    throw new PluginError('USAGE', `several versions are halted (${versions.join(', ')}): choose one with --version.`);
  return versions[0] as string;
}

/**
 * The Atom named by --on; else one Atom that failed the version in each scope where it is halted
 * (with Namespace scope every halted namespace needs its own), else any Atom that failed it.
 */
function chooseTargets(
  atoms: readonly Atom[],
  rollouts: readonly ScopeRollout[],
  version: string,
  on: string | boolean | undefined,
  namespace: string | undefined,
): Atom[] {
  const byKey = new Map(atoms.map((atom) => [`${atom.metadata.namespace}/${atom.metadata.name}`, atom]));
  if (typeof on === 'string') {
    const found = byKey.get(`${namespace ?? 'default'}/${on}`);
    if (!found) throw new PluginError('NOT_FOUND', `Atom ${on} not found in namespace ${namespace ?? 'default'}.`);
    return [found];
  }
  const perScope = rollouts
    .filter((r) => r.halted && sameVersion(r.version, version))
    .flatMap((r) => (r.failed[0] ? [byKey.get(r.failed[0])] : []))
    .filter((atom): atom is Atom => atom !== undefined);
  if (perScope.length > 0) return perScope;
  const failedIt = atoms.find((atom) => includesVersion(atom.status?.failedVersions, version));
  if (failedIt) return [failedIt];
  throw new PluginError(
    'NOT_APPLICABLE',
    `no Atom failed ${version}, so none was chosen to carry the annotation: name one with --on NAME (any Atom in the halted scope).`,
  );
}
