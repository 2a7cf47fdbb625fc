import pino, { type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

/** Vendor secrets that a logged object may carry (channel options, a robot being configured): never written. */
export const SECRET_PATHS = [
  'corpSecret', '*.corpSecret', '*.*.corpSecret', 'appSecret', '*.appSecret', '*.*.appSecret',
  'accessKeySecret', '*.accessKeySecret', '*.*.accessKeySecret', 'secretsKey', '*.secretsKey',
  'body.key', 'body.secret', 'req.headers.authorization',
];

/**
 * JSON lines for a log collector, readable lines for a person: pino-pretty (pino's own pretty printer) when the
 * stream is a terminal. Pretty-printing runs in this thread, not as a transport, so a fatal line is written
 * before the process exits.
 */
export function createLogger(options: LoggerOptions, fd: 1 | 2 = 1): Logger {
  options = { redact: { paths: SECRET_PATHS, censor: '[redacted]' }, ...options };
  const tty = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  if (!tty) return pino(options, pino.destination(fd));
  return pino(options, pretty({ destination: fd, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,role', singleLine: true, sync: true }));
}
