// The platform's view of each Atom against the running operator, the sandbox and the platform
// simulator (issue 16). The pieces are built and tested on their own (src/platform/status-poller,
// src/health, the simulator's setSelfStatus); the operator does not call them yet: the Atom
// reconciler's decide step and the controller wiring are being rewritten. These become real tests
// with that wiring; until then they are todos, not tests that cannot fail.
import { describe, it } from 'vitest';

describe('Connected (wiring of StatusPoller and decideConnectivity pending)', () => {
  it.todo('an online Atom gets Connected=True, reason Online, and status.platform with atomId and lastContactAt');
  it.todo(
    'an Atom offline beyond spec.health.offlineGracePeriod with a Ready pod gets Connected=False, Degraded AtomOffline, one Warning event and atom_operator_atom_offline 1',
  );
  it.todo(
    'the same Atom back online recovers (Connected=True, Reconnected event, metric 0) without its pod being replaced',
  );
  it.todo('restartWhenOffline replaces exactly one pod, waits the backoff before the next, and never during a rollout');
  it.todo(
    'a platform answering 404 gives one quiet Connected=Unknown (StatusNotOffered), no event, asked again only hourly',
  );
  it.todo(
    'malformed and oversized answers give Connected=Unknown with StatusMalformed / ResponseTooLarge; nothing crashes',
  );
  it.todo('1,000 Atoms on one certificate make one status request per interval');
  it.todo('runningVersion different from the rolled-out version is shown in the Connected message');
});
