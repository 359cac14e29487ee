// The text form of `kubectl atom rollout status`: one block per scope and version.
import { resumeRolloutAnnotation } from '../rollout/fleet.js';
import type { ScopeRollout, WaveProgress } from './rollout-view.js';

/** At most `max` names, then how many more: a fleet of 500 must not flood the terminal. */
export function nameList(keys: readonly string[], max = 5): string {
  if (keys.length === 0) return 'none';
  const shown = keys.slice(0, max).join(', ');
  return keys.length > max ? `${shown} and ${keys.length - max} more` : shown;
}

function waveText(wave: WaveProgress): string {
  const state =
    wave.state === 'Done'
      ? wave.failed > 0
        ? 'done with failures'
        : 'done'
      : { InProgress: 'in progress', Pending: 'pending' }[wave.state];
  const extras = [
    ...(wave.updating > 0 ? [`${wave.updating} updating`] : []),
    ...(wave.failed > 0 ? [`${wave.failed} failed`] : []),
  ];
  return `wave ${wave.wave} ${state} (${wave.done}/${wave.atoms}${extras.length ? `, ${extras.join(', ')}` : ''})`;
}

export function rolloutState(rollout: ScopeRollout): string {
  if (rollout.halted) return 'Halted';
  if (rollout.complete) return rollout.failed.length > 0 ? 'Complete (with failures)' : 'Complete';
  return rollout.resumedBy ? 'Progressing (resumed)' : 'Progressing';
}

export function formatRollout(rollout: ScopeRollout): string {
  const lines: [string, string][] = [
    ['Scope', rollout.scope === '' ? 'cluster' : `namespace ${rollout.scope}`],
    ['Version', rollout.version],
    ['State', rolloutState(rollout)],
    ['Atoms', `${rollout.done} of ${rollout.followers} following Atoms run it`],
  ];
  const byState = (state: WaveProgress['state']) => rollout.waves.filter((wave) => wave.state === state);
  if (rollout.waves.length > 0) {
    lines.push([
      'Waves',
      `${byState('Done').length} done, ${byState('InProgress').length} in progress, ${byState('Pending').length} pending`,
    ]);
    for (const wave of rollout.waves) lines.push(['', waveText(wave)]);
  }
  lines.push(['In flight', nameList(rollout.inFlight)]);
  lines.push(['Failed', nameList(rollout.failed)]);
  if (rollout.halted) {
    lines.push(['Halted', `yes: ${rollout.haltReason ?? ''}`]);
    lines.push([
      'To resume',
      `kubectl atom resume --version ${rollout.version}${rollout.scope ? ` -n ${rollout.scope}` : ''} (sets ${resumeRolloutAnnotation})`,
    ]);
  } else if (rollout.resumedBy) {
    lines.push(['Halted', `no: resumed by ${resumeRolloutAnnotation} on ${rollout.resumedBy}`]);
  } else {
    lines.push(['Halted', 'no']);
  }
  if (rollout.awaitingApproval.length > 0) lines.push(['Awaiting approval', nameList(rollout.awaitingApproval)]);
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  return `${lines.map(([label, value]) => `${label ? `${label}:` : ''}`.padEnd(width) + value).join('\n')}\n`;
}

export function formatRollouts(rollouts: readonly ScopeRollout[]): string {
  if (rollouts.length === 0) return 'No rollouts: no Atom has an advertised version yet.\n';
  return rollouts.map(formatRollout).join('\n');
}
