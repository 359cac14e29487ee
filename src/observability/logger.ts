// The one root logger. JSON to stdout; secrets are redacted by path so a
// careless `logger.info({ secret })` cannot leak key material.
import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

// Field names that carry key material or credentials, at the top level and one level down
// (pino's wildcards match exactly one level). Secrets are never logged on purpose; this is the safety net.
const SECRET_FIELDS = ['data', 'stringData', 'token', 'password', 'privateKey', 'secret', 'headers.authorization'];
export const REDACTED_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `*.${field}`)];

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  readonly name?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to read what was logged. */
  readonly destination?: NodeJS.WritableStream;
}

export function createRootLogger(options: LoggerOptions = {}): Logger {
  const config = {
    level: options.level ?? 'info',
    name: options.name ?? 'atom-operator',
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that discards everything, for libraries used without one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
