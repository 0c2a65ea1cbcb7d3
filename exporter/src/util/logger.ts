/** The logging interface the exporter depends on: pino's, reduced to what we call. */
import { pino } from 'pino';

type LogFn = (obj: object | string, msg?: string) => void;
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured JSON logs on stderr (stdout stays free for command output). */
export function createLogger(level: LogLevel = 'info', destination: NodeJS.WritableStream = process.stderr) {
  return pino(
    {
      level,
      base: { app: 'cloudpulse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // defence in depth: never print credentials even if an object carrying them is logged
      redact: {
        paths: ['*.password', '*.bearer_token', '*.authorization', 'headers.authorization', '*.headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination as pino.DestinationStream,
  );
}

/** A logger that drops everything (tests, offline commands). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
