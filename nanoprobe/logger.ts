/**
 * Structured logs (common/logger.ts: JSON, or readable lines on a terminal) for the nanoprobe: one line per event on stdout, with the host name and
 * key id on every line so that several nanoprobes in one process (tests, the join benchmark) stay
 * apart. Repeated problems (send errors, refused acknowledgements) are logged at most once per
 * interval with a count, so a broken network cannot flood the log.
 */
import type pino from 'pino';
import { createLogger, LOG_LEVELS, silentLogger, type Logger, type LogLevel } from '../common/logger';

export { LOG_LEVELS, silentLogger, type Logger, type LogLevel };

export function createNanoprobeLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return createLogger('nanoprobe', level, destination);
}

export { LogThrottle, logThrottled } from '../common/log-throttle';
