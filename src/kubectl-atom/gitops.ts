// Is this Atom managed by a GitOps tool? Then a change made in the cluster is reverted at the next
// sync, and the person approving must commit it instead. Detected from the labels and annotations
// Argo CD and Flux put on what they apply.

export interface GitOpsOwner {
  tool: 'Argo CD' | 'Flux';
  /** The Argo CD Application, Flux Kustomization or HelmRelease, as far as the metadata says. */
  source: string;
  /** The label or annotation that told. */
  evidence: string;
}

interface Metadata {
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}

export function gitOpsOwner(metadata: Metadata): GitOpsOwner | undefined {
  const labels = metadata.labels ?? {};
  const annotations = metadata.annotations ?? {};
  // Flux labels what it applies with its object's name and namespace, under the controller's domain.
  for (const [controller, kind] of [
    ['kustomize', 'Kustomization'],
    ['helm', 'HelmRelease'],
  ] as const) {
    const name = labels[`${controller}.toolkit.fluxcd.io/name`];
    if (name === undefined) continue;
    const ns = labels[`${controller}.toolkit.fluxcd.io/namespace`];
    return {
      tool: 'Flux',
      source: `${kind} ${ns ? `${ns}/` : ''}${name}`,
      evidence: `label ${controller}.toolkit.fluxcd.io/name`,
    };
  }
  const argoKey = [...Object.keys(annotations), ...Object.keys(labels)].find((key) =>
    key.startsWith('argocd.argoproj.io/'),
  );
  const instance = labels['app.kubernetes.io/instance'];
  if (argoKey !== undefined) {
    // tracking-id is "<application>:<group>/<kind>:<namespace>/<name>".
    const tracking = annotations['argocd.argoproj.io/tracking-id'];
    const app = tracking?.split(':')[0] || instance;
    return { tool: 'Argo CD', source: app ? `Application ${app}` : 'an Application', evidence: argoKey };
  }
  return undefined;
}

/** What to tell the person, so the approval survives the next sync. */
export function gitOpsAdvice(owner: GitOpsOwner, atom: string, version: string): string {
  const where =
    owner.tool === 'Flux' && owner.source.startsWith('HelmRelease')
      ? `the values of ${owner.source} that render Atom ${atom}`
      : `the manifest of Atom ${atom} in the Git repository of ${owner.source}`;
  return [
    `Warning: Atom ${atom} is managed by ${owner.tool} (${owner.source}, from its ${owner.evidence}).`,
    `${owner.tool} will revert spec.version at its next sync unless Git says the same. Commit this to ${where}:`,
    '',
    '  spec:',
    `    version: "${version}"`,
    '',
  ].join('\n');
}
