// `kubectl atom status`: one row per Atom, pure. The rollout column is the Atom's own view (an
// open rollout record, else the reason of its UpToDate condition); the message is the condition
// a person should read first (Degraded, then Ready, then UpToDate).
import type { Atom } from '../api/atom.js';
import type { Condition } from '../api/atom-status.js';
import { rolloutInProgress } from '../rollout/history.js';
import { Pinned } from '../rollout/reasons.js';
import { formatTable, truncate } from './table.js';
import { untilOrSince } from './time.js';

export interface AtomStatusRow {
  namespace: string;
  name: string;
  /** Ready condition status, or "Unknown" before the operator wrote one. */
  ready: string;
  /** Connected condition status, when the operator reports one. */
  connected?: string;
  phase?: string;
  version?: string;
  advertised?: string;
  wave: number;
  mode: string;
  rollout: string;
  certificateNotAfter?: string;
  degraded: boolean;
  message: string;
}

export const conditionOf = (atom: Atom, type: string): Condition | undefined =>
  atom.status?.conditions?.find((condition) => condition.type === type);

/** What the Atom's rollout is doing, in one word or three. */
export function rolloutState(atom: Atom): string {
  const open = rolloutInProgress(atom.status);
  if (open) return `Updating to ${open.to}`;
  return conditionOf(atom, 'UpToDate')?.reason ?? 'Unknown';
}

/** The sentence a person should read first about this Atom, or '' when all is well. */
export function headline(atom: Atom): string {
  const degraded = conditionOf(atom, 'Degraded');
  if (degraded?.status === 'True') return degraded.message;
  const ready = conditionOf(atom, 'Ready');
  if (ready && ready.status !== 'True') return ready.message;
  const connected = conditionOf(atom, 'Connected');
  if (connected?.status === 'False') return connected.message;
  const upToDate = conditionOf(atom, 'UpToDate');
  if (upToDate && upToDate.status !== 'True' && upToDate.reason !== Pinned) return upToDate.message;
  if (!atom.status?.conditions?.length) return 'The operator has not reported on this Atom yet.';
  return '';
}

export function statusRow(atom: Atom): AtomStatusRow {
  const status = atom.status;
  const connected = conditionOf(atom, 'Connected')?.status;
  // Fields in reading order, optional ones only when known, so -o json / yaml read like the table.
  return {
    namespace: atom.metadata.namespace ?? '',
    name: atom.metadata.name,
    ready: conditionOf(atom, 'Ready')?.status ?? 'Unknown',
    ...(connected ? { connected } : {}),
    ...(status?.phase ? { phase: status.phase } : {}),
    ...(status?.currentVersion ? { version: status.currentVersion } : {}),
    ...(status?.advertisedVersion ? { advertised: status.advertisedVersion } : {}),
    wave: atom.spec.update.wave,
    mode: atom.spec.update.mode,
    rollout: rolloutState(atom),
    ...(status?.certificate?.notAfter ? { certificateNotAfter: status.certificate.notAfter } : {}),
    degraded: conditionOf(atom, 'Degraded')?.status === 'True',
    message: headline(atom),
  };
}

/** The table; NAMESPACE only with -A, as kubectl does. */
export function formatStatusTable(rows: readonly AtomStatusRow[], now: Date, allNamespaces: boolean): string {
  const headers = [
    ...(allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'READY',
    'CONNECTED',
    'VERSION',
    'ADVERTISED',
    'WAVE',
    'ROLLOUT',
    'CERT EXPIRES',
    'MESSAGE',
  ];
  const cells = rows.map((row) => [
    ...(allNamespaces ? [row.namespace] : []),
    row.name,
    row.ready,
    row.connected ?? '-',
    row.version ?? '-',
    row.advertised ?? '-',
    String(row.wave),
    row.rollout,
    row.certificateNotAfter ? untilOrSince(row.certificateNotAfter, now) : '-',
    truncate(row.message, 80),
  ]);
  return formatTable(headers, cells);
}

/** The machine-readable form of -o json / yaml: a list kind of its own, stable across releases. */
export function statusDocument(rows: readonly AtomStatusRow[]) {
  return { apiVersion: 'atomoperator.io/v1alpha1', kind: 'AtomStatusList', items: rows };
}
