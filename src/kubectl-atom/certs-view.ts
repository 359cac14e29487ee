// `kubectl atom certs`: registration certificates by expiry, soonest first; Atoms whose
// certificate the operator has not inspected (yet) last.
import type { Atom } from '../api/atom.js';
import { conditionOf } from './status-view.js';
import { formatTable, truncate } from './table.js';
import { untilOrSince } from './time.js';

export interface CertificateRow {
  namespace: string;
  name: string;
  secret: string;
  notAfter?: string;
  subject?: string;
  issuer?: string;
  fingerprintSHA256?: string;
  /** CertificateValid reason: Valid, ExpiresSoon, Expired, ... */
  state: string;
}

export function certificateRow(atom: Atom): CertificateRow {
  const cert = atom.status?.certificate;
  const row: CertificateRow = {
    namespace: atom.metadata.namespace ?? '',
    name: atom.metadata.name,
    secret: atom.spec.registration.certificateSecretRef.name,
    state: conditionOf(atom, 'CertificateValid')?.reason ?? 'Unknown',
  };
  if (cert?.notAfter) row.notAfter = cert.notAfter;
  if (cert?.subject) row.subject = cert.subject;
  if (cert?.issuer) row.issuer = cert.issuer;
  if (cert?.fingerprintSHA256) row.fingerprintSHA256 = cert.fingerprintSHA256;
  return row;
}

const expiry = (row: CertificateRow) => (row.notAfter ? Date.parse(row.notAfter) : Number.POSITIVE_INFINITY);

/** Sorted by expiry; with `within` (ms), only those expiring before now + within (expired ones included). */
export function certificateRows(atoms: readonly Atom[], now: Date, within?: number): CertificateRow[] {
  const rows = atoms.map(certificateRow);
  const kept = within === undefined ? rows : rows.filter((row) => expiry(row) <= now.getTime() + within);
  return kept.sort(
    (a, b) => expiry(a) - expiry(b) || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
  );
}

export function formatCertificates(rows: readonly CertificateRow[], now: Date, allNamespaces: boolean): string {
  const headers = [
    ...(allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'SECRET',
    'EXPIRES',
    'NOT AFTER',
    'STATE',
    'SUBJECT',
  ];
  return formatTable(
    headers,
    rows.map((row) => [
      ...(allNamespaces ? [row.namespace] : []),
      row.name,
      row.secret,
      row.notAfter ? untilOrSince(row.notAfter, now) : '-',
      row.notAfter ?? '-',
      row.state,
      truncate(row.subject ?? '-', 60),
    ]),
  );
}
