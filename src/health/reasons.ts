// Reasons of the Connected condition, of the Degraded contribution and of the events the
// connectivity decision asks for. One place; docs/troubleshooting.md has an entry for each
// (a test checks). When asking the platform fails, Connected carries the platform error's
// code as its reason (Timeout, StatusMalformed, ...), documented with the platform errors.

/** Connected=True: the platform heard from the Atom within spec.health.offlineGracePeriod. */
export const Online = 'Online';
/** Connected=False: the platform reports the Atom offline. */
export const ReportedOffline = 'ReportedOffline';
/** Connected=False: the platform lists the Atom online, but its last contact is older than the grace period. */
export const ContactOverdue = 'ContactOverdue';
/** Connected=Unknown: the operator has not asked the platform about this Atom yet. */
export const StatusNotChecked = 'StatusNotChecked';
/** Connected=Unknown: the platform does not report Atoms' online status (404 on /atom/v1/self). */
export const StatusNotOffered = 'StatusNotOffered';
/** Degraded: the pod is Ready but the Atom has been offline longer than the grace period. */
export const AtomOffline = 'AtomOffline';
/** Event: the platform hears from the Atom again after it was offline. */
export const Reconnected = 'Reconnected';
/** Event: the pod is replaced because the Atom stayed offline (spec.health.restartWhenOffline). */
export const OfflineRestart = 'OfflineRestart';

export const connectivityReasons = [
  Online,
  ReportedOffline,
  ContactOverdue,
  StatusNotChecked,
  StatusNotOffered,
  AtomOffline,
  Reconnected,
  OfflineRestart,
] as const;

export type ConnectivityReason = (typeof connectivityReasons)[number];
