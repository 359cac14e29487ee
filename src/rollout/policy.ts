// decideUpdate: for ONE Atom that is not in the middle of a rollout, what version should it
// run and may the change start now? A chain of small checks, first match wins (cert-manager's
// policy-chain style). Pure: the clock and the fleet's verdict are inputs.
//
// Order: a pin decides everything (it is a person's explicit choice) -> Disabled -> nothing
// advertised -> nothing newer -> known bad -> Manual waits for approval -> first install
// starts at once -> maintenance window (critical override) -> fleet gate -> Start.
import type { FleetGate, RolloutTarget, UpdateDecision, UpdateInput, VerifiedRelease } from './decision-types.js';
import * as R from './reasons.js';
import { includesVersion, isNewerVersion, sameVersion } from './versions.js';
import { describeWindow, windowState } from './windows.js';

export type { FleetGate, RolloutTarget, UpdateDecision, UpdateInput, VerifiedRelease } from './decision-types.js';

const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z');

/** `repository@digest`: the only reference an advertised version is rolled out by. */
export function releaseImage(release: Pick<VerifiedRelease, 'image' | 'digest'>): string {
  return `${release.image}@${release.digest}`;
}

/**
 * The image for a pinned version: the verified digest when the pin is the advertised version;
 * else spec.image.digest, taken to be the pin's digest; else, only when no digest is known at
 * all, the mutable tag `repository:version` (`+` becomes `_`, which tags cannot hold).
 */
export function pinTarget(
  pin: string,
  image: UpdateInput['spec']['image'],
  release: VerifiedRelease | undefined,
): RolloutTarget {
  if (release && sameVersion(release.version, pin)) return { version: pin, image: releaseImage(release), byTag: false };
  if (image.digest) return { version: pin, image: `${image.repository}@${image.digest}`, byTag: false };
  return { version: pin, image: `${image.repository}:${pin.replace(/\+/g, '_')}`, byTag: true };
}

type WindowVerdict = { pass: true; critical: boolean } | { pass: false; decision: UpdateDecision };

// Maintenance windows gate every update of a running Atom, pinned ones included; a critical
// release passes outside them only when the Atom and the operator both allow it.
function windowGate(input: UpdateInput, version: string): WindowVerdict {
  const { windows, allowCriticalOutsideWindow } = input.spec.update;
  const state = windowState(windows, input.now);
  if (state.problems.length > 0) {
    const message = `Version ${version} cannot start: ${state.problems.map((problem) => problem.message).join('; ')}. Fix spec.update.windows.`;
    return {
      pass: false,
      decision: {
        kind: 'InvalidWindow',
        version,
        problems: state.problems,
        reason: R.InvalidMaintenanceWindow,
        message,
        condition: { status: 'False', reason: R.InvalidMaintenanceWindow, message },
      },
    };
  }
  if (state.open) return { pass: true, critical: false };
  const release = input.release;
  const critical = release?.critical && sameVersion(release.version, version);
  if (critical && allowCriticalOutsideWindow && input.allowCriticalOverride) return { pass: true, critical: true };
  const when = state.nextOpensAt ? `the next window opens at ${iso(state.nextOpensAt)}` : 'no window ever opens';
  const windowsText = windows.map(describeWindow).join('; ');
  let criticalText = '';
  if (critical && !allowCriticalOutsideWindow)
    criticalText =
      ' It is critical; set spec.update.allowCriticalOutsideWindow to let critical releases start outside the windows.';
  else if (critical)
    criticalText =
      ' It is critical, but the operator configuration (fleet.allowCriticalOverride) does not allow starting outside the windows.';
  const message = `Version ${version} waits for a maintenance window (${windowsText}); ${when}.${criticalText}`;
  const decision: UpdateDecision = {
    kind: 'WaitingForWindow',
    version,
    reason: R.OutsideMaintenanceWindow,
    message,
    condition: { status: 'False', reason: R.OutsideMaintenanceWindow, message },
  };
  if (state.nextOpensAt) Object.assign(decision, { nextOpensAt: state.nextOpensAt, requeueAt: state.nextOpensAt });
  return { pass: false, decision };
}

function fleetWait(gate: Extract<FleetGate, { kind: 'Waiting' }>, version: string, now: Date): UpdateDecision {
  const message = `Version ${version} waits for the fleet: ${gate.message}`;
  const decision: UpdateDecision = {
    kind: 'WaitingForFleet',
    version,
    reason: gate.reason,
    message,
    condition: { status: 'False', reason: gate.reason, message },
  };
  if (gate.requeueAfterSeconds !== undefined)
    decision.requeueAt = new Date(now.getTime() + gate.requeueAfterSeconds * 1000);
  return decision;
}

function knownBad(version: string, pinned: boolean): UpdateDecision {
  const message = pinned
    ? `Pinned version ${version} failed on this Atom before and is not retried; pin another version, or remove ${version} from status.failedVersions to retry it.`
    : `Version ${version} failed on this Atom before and is not retried until a newer version is advertised; remove it from status.failedVersions to retry it.`;
  return {
    kind: 'KnownBad',
    version,
    reason: R.KnownBadVersion,
    message,
    condition: { status: 'False', reason: R.KnownBadVersion, message },
  };
}

function start(to: RolloutTarget, initial: boolean, reason: R.RolloutReason, message: string): UpdateDecision {
  return { kind: 'Start', to, initial, reason, message, condition: { status: 'False', reason, message } };
}

function decidePinned(input: UpdateInput, pin: string): UpdateDecision {
  const current = input.status?.currentVersion;
  const release = input.release;
  if (sameVersion(current, pin)) {
    const newer = release !== undefined && isNewerVersion(release.version, pin) ? release.version : undefined;
    const message = `The Atom runs pinned version ${pin}.`;
    if (newer === undefined)
      return {
        kind: 'Pinned',
        version: pin,
        reason: R.Pinned,
        message,
        condition: { status: 'True', reason: R.Pinned, message },
      };
    const disabled = input.spec.update.mode === 'Disabled';
    const reason = disabled ? R.UpdatesDisabled : R.UpdateAvailable;
    const advice = disabled
      ? 'updates are Disabled; set update.mode Manual and spec.version to approve it.'
      : `set spec.version to ${newer} to approve it.`;
    const conditionMessage = `Version ${newer} is available, the Atom runs pinned version ${pin}; ${advice}`;
    return {
      kind: 'Pinned',
      version: pin,
      reason: R.Pinned,
      message,
      condition: { status: 'False', reason, message: conditionMessage },
    };
  }
  if (includesVersion(input.status?.failedVersions, pin)) return knownBad(pin, true);
  const target = pinTarget(pin, input.spec.image, release);
  const how = target.byTag
    ? `by the mutable tag ${target.image}, because no verified digest is known for it; set spec.image.digest to run exactly one image`
    : `on ${target.image}`;
  if (current === undefined)
    return start(
      target,
      true,
      target.byTag ? R.PinRollingOutByTag : R.InitialInstall,
      `Installing pinned version ${pin} ${how}.`,
    );
  const window = windowGate(input, pin);
  if (!window.pass) return window.decision;
  const reason = target.byTag
    ? R.PinRollingOutByTag
    : window.critical
      ? R.CriticalUpdateOutsideWindow
      : R.PinRollingOut;
  return start(target, false, reason, `Rolling out pinned version ${pin} (from ${current}) ${how}.`);
}

/** What one Atom should do about updates right now. Call it only when no rollout is in progress. */
export function decideUpdate(input: UpdateInput): UpdateDecision {
  const pin = input.spec.version;
  if (pin !== undefined && pin !== '') return decidePinned(input, pin);

  const { mode } = input.spec.update;
  const current = input.status?.currentVersion;
  const release = input.release;
  const newer = release !== undefined && isNewerVersion(release.version, current) ? release : undefined;

  if (mode === 'Disabled') {
    const message = 'Updates are disabled (update.mode Disabled).';
    if (!newer)
      return {
        kind: 'Disabled',
        reason: R.UpdatesDisabled,
        message,
        condition: { status: 'True', reason: R.UpToDate, message: `${message} No newer version is advertised.` },
      };
    const conditionMessage = `Version ${newer.version} is available but updates are disabled; set update.mode Automatic, or Manual and spec.version ${newer.version}, to update.`;
    return {
      kind: 'Disabled',
      reason: R.UpdatesDisabled,
      message,
      condition: { status: 'False', reason: R.UpdatesDisabled, message: conditionMessage },
    };
  }
  if (!release) {
    const message = "No verified release has been advertised on the Atom's channel yet.";
    return {
      kind: 'UpToDate',
      reason: R.NoReleaseAdvertised,
      message,
      condition: { status: 'Unknown', reason: R.NoReleaseAdvertised, message },
    };
  }
  if (!newer) {
    const message = sameVersion(current, release.version)
      ? `The Atom runs ${current}, the version advertised on its channel.`
      : `The Atom runs ${current}, newer than the advertised ${release.version}; it is not downgraded.`;
    return {
      kind: 'UpToDate',
      reason: R.UpToDate,
      message,
      condition: { status: 'True', reason: R.UpToDate, message },
    };
  }
  const version = newer.version;
  if (includesVersion(input.status?.failedVersions, version)) return knownBad(version, false);
  if (mode === 'Manual') {
    const message = `Version ${version} is available${current ? ` (the Atom runs ${current})` : ''}; set spec.version to ${version} to approve it.`;
    return {
      kind: 'AwaitingApproval',
      version,
      reason: R.UpdateAvailable,
      message,
      condition: { status: 'False', reason: R.UpdateAvailable, message },
    };
  }
  const target: RolloutTarget = { version, image: releaseImage(newer), byTag: false };
  // Nothing runs yet, so there is nothing for a window or the fleet to protect.
  if (current === undefined)
    return start(target, true, R.InitialInstall, `Installing version ${version} on ${target.image}.`);
  const window = windowGate(input, version);
  if (!window.pass) return window.decision;
  if (input.fleet.kind === 'Waiting') return fleetWait(input.fleet, version, input.now);
  const reason = window.critical ? R.CriticalUpdateOutsideWindow : R.UpdateStarting;
  const why = window.critical ? ' outside the maintenance windows because it is critical' : '';
  const resumed =
    input.fleet.reason === R.RolloutResumed ? ` ${input.fleet.message ?? 'The halted rollout was resumed.'}` : '';
  return start(target, false, reason, `Updating from ${current} to ${version} on ${target.image}${why}.${resumed}`);
}

/**
 * True when decideUpdate would start this Atom if the fleet allowed it: what fleet.ts needs
 * as `readyToStart`, so Atoms waiting for their own window do not take a fleet slot.
 */
export function readyToStart(input: Omit<UpdateInput, 'fleet'>): boolean {
  return decideUpdate({ ...input, fleet: { kind: 'Allowed' } }).kind === 'Start';
}
