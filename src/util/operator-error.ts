// The one base of every error the operator raises on purpose: a stable CamelCase `code` (documented
// where the error family is defined, matched by callers instead of message text) and whether trying
// again later can help. Kubernetes, platform and reconcile errors all extend it.
export class OperatorError extends Error {
  readonly code: string;
  /** True when trying again later may succeed (the queue backs off); false = terminal until something changes. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable;
  }
}
