// Errors of reading a kubeconfig and of running its credential plugin, with stable codes.
import { OperatorError } from './errors.js';

export const kubeconfigErrorDocs = {
  KubeconfigInvalid:
    'The kubeconfig cannot be used (unreadable, not YAML, no current context, a file it names is missing); fix it and restart.',
  KubeconfigExecFailed:
    'The exec credential plugin failed or printed no usable ExecCredential; retried, since plugins often fail for a moment.',
} as const;

export type KubeconfigErrorCode = keyof typeof kubeconfigErrorDocs;

export class KubeconfigError extends OperatorError {
  declare readonly code: KubeconfigErrorCode;

  constructor(message: string, cause?: unknown, code: KubeconfigErrorCode = 'KubeconfigInvalid') {
    super(code, message, { retryable: code === 'KubeconfigExecFailed', cause });
  }
}
