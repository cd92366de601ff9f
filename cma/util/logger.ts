import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout (or the given stream); one logger per process, children per part. */
export function createLogger(name: string, level: string = process.env.UNIMATRIX_LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return destination ? pino({ name, level }, destination) : pino({ name, level });
}

/** A logger that drops everything, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
