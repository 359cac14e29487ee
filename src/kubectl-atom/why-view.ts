// `kubectl atom why NAME`: the Atom's conditions, its last events, and for every reason that is
// not fine the troubleshooting entry that explains it. Pure: the caller reads the Atom, events
// and doc.
import type { Atom } from '../api/atom.js';
import type { Condition } from '../api/atom-status.js';
import { KnownBadVersion, RolledBack, RolloutHalted, UpdateAvailable } from '../rollout/reasons.js';
import { eventTime, type KubeEvent } from './atoms-client.js';
import { formatTable } from './table.js';
import { age, humanDuration } from './time.js';

/** The status each condition type has when all is well. */
const healthy: Record<string, string> = {
  Ready: 'True',
  CertificateValid: 'True',
  NetworkIsolated: 'True',
  UpToDate: 'True',
  Degraded: 'False',
  Connected: 'True',
};
/** Reasons that warn while their condition is still fine. */
const warningReasons = new Set(['ExpiresSoon', 'PolicyDisabled']);

export function needsAttention(condition: Condition): boolean {
  const wanted = healthy[condition.type];
  if (wanted === undefined) return false; // Progressing says what is changing, not what is wrong
  return condition.status !== wanted || warningReasons.has(condition.reason);
}

/** What the plugin itself can do about a reason, as the command to run. */
export function pluginHint(reason: string, atom: Atom): string | undefined {
  const name = atom.metadata.name;
  const ns = atom.metadata.namespace ?? 'default';
  const advertised = atom.status?.advertisedVersion;
  const failed = atom.status?.failedVersions?.at(-1);
  switch (reason) {
    case UpdateAvailable:
      return atom.spec.update.mode === 'Manual' && advertised
        ? `kubectl atom approve ${name} --version ${advertised} -n ${ns}`
        : undefined;
    case RolloutHalted:
      return `kubectl atom rollout status, then kubectl atom resume${advertised ? ` --version ${advertised}` : ''}`;
    case KnownBadVersion:
    case RolledBack:
      return failed ? `kubectl atom forget-failed ${name} ${failed} -n ${ns} (to retry ${failed})` : undefined;
    default:
      return undefined;
  }
}

export interface WhyInput {
  atom: Atom;
  events: readonly KubeEvent[];
  docs: ReadonlyMap<string, string>;
  now: Date;
  /** How many of the newest events to show. */
  lastEvents?: number;
}

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((line) => (line ? by + line : line))
    .join('\n');
}

export function formatWhy({ atom, events, docs, now, lastEvents = 10 }: WhyInput): string {
  const { status, spec } = atom;
  const name = `${atom.metadata.namespace}/${atom.metadata.name}`;
  const out: string[] = [];
  const versions = [
    `runs ${status?.currentVersion ?? 'no version yet'}`,
    ...(status?.advertisedVersion ? [`advertised ${status.advertisedVersion}`] : []),
    ...(spec.version ? [`pinned ${spec.version}`] : []),
    `update mode ${spec.update.mode}, wave ${spec.update.wave}`,
  ];
  out.push(`Atom ${name}: phase ${status?.phase ?? 'unknown'}; ${versions.join('; ')}.`);
  if (status?.failedVersions?.length)
    out.push(
      `Failed versions (not retried): ${status.failedVersions.join(', ')}. Retry one with: kubectl atom forget-failed ${atom.metadata.name} VERSION -n ${atom.metadata.namespace}`,
    );
  const conditions = status?.conditions ?? [];
  out.push('', 'Conditions:');
  if (conditions.length === 0) out.push('  none yet: the operator has not reconciled this Atom (is it running?)');
  else
    out.push(
      indent(
        formatTable(
          ['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'],
          conditions.map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime, now), c.message]),
        ).trimEnd(),
      ),
    );
  const shown = [...events].sort((a, b) => eventTime(a) - eventTime(b)).slice(-lastEvents);
  out.push('', `Events (last ${shown.length} of ${events.length}):`);
  if (shown.length === 0) out.push('  none (events expire after an hour)');
  else
    out.push(
      indent(
        formatTable(
          ['LAST SEEN', 'TYPE', 'REASON', 'COUNT', 'MESSAGE'],
          shown.map((e) => [
            eventTime(e) ? humanDuration(now.getTime() - eventTime(e)) : '<unknown>',
            e.type ?? '',
            e.reason ?? '',
            String(e.count ?? 1),
            (e.message ?? '').replace(/\s+/g, ' '),
          ]),
        ).trimEnd(),
      ),
    );
  const reasons = new Map<string, string>();
  for (const c of conditions.filter(needsAttention)) reasons.set(c.reason, `${c.type}=${c.status}`);
  for (const e of shown)
    if (e.type === 'Warning' && e.reason && !reasons.has(e.reason)) reasons.set(e.reason, 'Warning event');
  out.push('');
  if (reasons.size === 0) {
    out.push('Nothing needs attention: every condition is as it should be.');
  } else {
    out.push('What it means and what to do (docs/troubleshooting.md):');
    for (const [reason, where] of reasons) {
      out.push('', `${reason} (${where})`);
      out.push(indent(docs.get(reason) ?? 'No entry in docs/troubleshooting.md for this reason.'));
      const hint = pluginHint(reason, atom);
      if (hint) out.push(`  - With kubectl atom: ${hint}`);
    }
  }
  return `${out.join('\n')}\n`;
}
