// The one root logger. JSON to stdout; secrets are redacted by path so a
// careless `logger.info({ secret })` cannot leak key material.
import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export const REDACTED_PATHS = [
  '*.data',
  '*.stringData',
  '*.token',
  '*.password',
  '*.privateKey',
  '*.key',
  '*.["tls.key"]',
  'headers.authorization',
  '*.headers.authorization',
  'data',
  'stringData',
];

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
