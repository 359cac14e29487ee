// Error vocabulary for reconcilers. Throw a TerminalError when only a change to
// the object can help (bad spec); it is logged once and not retried until a
// new event arrives. Anything else is retried with per-key backoff.
import { OperatorError } from '../../kube/errors.js';

export { OperatorError, KubeApiError, isConflict, isNotFound, isGone, isAlreadyExists } from '../../kube/errors.js';

export class TerminalError extends OperatorError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retryable: false, cause });
  }
}

export class RetryableError extends OperatorError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retryable: true, cause });
  }
}

/** How the controller treats a reconcile failure. */
export type FailureKind = 'conflict' | 'terminal' | 'retryable';

export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof OperatorError) {
    if (err.code === 'KubeConflict') return 'conflict';
    return err.retryable ? 'retryable' : 'terminal';
  }
  // Unknown throwables (bugs, library errors) are retried: backoff is cheap, silently dropping work is not.
  return 'retryable';
}

export function errorCode(err: unknown): string {
  return err instanceof OperatorError ? err.code : 'Unexpected';
}
