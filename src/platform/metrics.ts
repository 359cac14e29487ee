// Prometheus metrics of the release poller, registered on the registry the caller owns.
import { Counter, Histogram, type Registry } from 'prom-client';

export type PollOutcome = 'accepted' | 'rejected' | 'not_modified' | 'error';

export class PlatformMetrics {
  readonly polls: Counter<'result'>;
  readonly pollErrors: Counter<'code'>;
  readonly pollDuration: Histogram;
  readonly rejections: Counter<'reason'>;

  constructor(registry: Registry) {
    this.polls = new Counter({
      name: 'atom_operator_platform_polls_total',
      help: 'Release polls of a platform, by outcome (accepted, rejected, not_modified, error).',
      labelNames: ['result'],
      registers: [registry],
    });
    this.pollErrors = new Counter({
      name: 'atom_operator_platform_poll_errors_total',
      help: 'Failed release polls, by error code.',
      labelNames: ['code'],
      registers: [registry],
    });
    this.pollDuration = new Histogram({
      name: 'atom_operator_platform_poll_duration_seconds',
      help: 'Time a release poll took, retries included.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.rejections = new Counter({
      name: 'atom_operator_platform_advertisement_rejections_total',
      help: 'Advertised releases that were refused, by reason; a refused release is never rolled out.',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}

export type StatusPollOutcome = 'online' | 'offline' | 'not_offered' | 'error';

/** Metrics of the status poller (GET /atom/v1/self): one request per certificate per interval. */
export class StatusPollMetrics {
  readonly requests: Counter<'result'>;
  readonly errors: Counter<'code'>;
  readonly duration: Histogram;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'atom_operator_platform_status_polls_total',
      help: 'Status polls (GET /atom/v1/self), by outcome (online, offline, not_offered, error); one per distinct endpoint and certificate per interval.',
      labelNames: ['result'],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'atom_operator_platform_status_poll_errors_total',
      help: 'Failed status polls, by error code.',
      labelNames: ['code'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'atom_operator_platform_status_poll_duration_seconds',
      help: 'Time a status poll took, retries included.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
  }
}
