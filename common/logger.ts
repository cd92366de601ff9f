/**
 * The one logger factory of every daemon: pino, JSON lines on stdout for log collectors — and, when
 * stdout is a terminal, one readable line per event instead ("14:03:07 WARN cma: host down
 * host=node03 evidence=probe_timeout"). UNIMATRIX_LOG_FORMAT=json|pretty overrides the choice.
 */
import { Writable } from 'node:stream';
import pino from 'pino';

export type Logger = pino.Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/** One JSON log line as a line for people; a line that is not JSON is passed on as it is. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '--:--:--';
  const level = LEVEL_NAMES[Number(entry.level)] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => {
      if (k === 'err' && typeof v === 'object' && v !== null) return `err=${JSON.stringify((v as { message?: unknown }).message ?? v)}`;
      return `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`;
    });
  return `${time} ${level.padEnd(5)} ${String(entry.name ?? '')}: ${String(entry.msg ?? '')}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}`;
}

/** A stream that turns pino's JSON lines into pretty ones on `out`. */
export function prettyStream(out: NodeJS.WritableStream = process.stdout): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') out.write(`${prettyLine(line)}\n`);
      done();
    },
  });
}

function wantsPretty(): boolean {
  const format = process.env.UNIMATRIX_LOG_FORMAT;
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  return process.stdout.isTTY === true;
}

/** One logger per process (children per part); `destination` for tests and files. */
export function createLogger(name: string, level: string = process.env.UNIMATRIX_LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  if (destination !== undefined) return pino({ name, level }, destination);
  return wantsPretty() ? pino({ name, level }, prettyStream()) : pino({ name, level });
}

/** A logger that drops everything, for library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
