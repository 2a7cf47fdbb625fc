import pino, { type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

/** Vendor secrets that a logged object may carry (channel options, a robot being configured): never written. */
export const SECRET_PATHS = [
  'corpSecret',
  '*.corpSecret',
  '*.*.corpSecret',
  'appSecret',
  '*.appSecret',
  '*.*.appSecret',
  'accessKeySecret',
  '*.accessKeySecret',
  '*.*.accessKeySecret',
  'secretsKey',
  '*.secretsKey',
  'body.key',
  'body.secret',
  'req.headers.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

const CENSOR = '[redacted]';
/** Query parameters that are credentials: the calendar feed's token (calendar clients cannot send a header). */
const SECRET_PARAM = /^(token|access_token|password|secret)$/i;
/** A message's task link, `/t/<token>` (src/auth/task-links.ts): the path itself signs its holder in. */
const TASK_LINK = /^\/t\/[^/?#]+/;

/** `url` as it may be logged: credentials in its path or query replaced, everything else verbatim. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(TASK_LINK, `/t/${CENSOR}`);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      // `%74oken=` is the same parameter to the route.
      let name = key;
      try {
        name = decodeURIComponent(key);
      } catch {
        // A malformed escape is compared as written.
      }
      return SECRET_PARAM.test(name) ? `${key}=${CENSOR}` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string; remotePort?: number };
}

/**
 * The request as fastify logs it ("incoming request", errors), with the URL redacted. Fastify's own serializer
 * writes `url` verbatim, and a logger's serializers take precedence over fastify's. Headers are not written at
 * all: an Authorization header never reaches the log.
 */
export const serializers = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    host: req.host ?? req.headers?.host,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  }),
};

/** The options every process logs with: secrets redacted, request URLs without their credentials. */
export function loggerOptions(options: LoggerOptions): LoggerOptions {
  return { redact: { paths: SECRET_PATHS, censor: CENSOR }, ...options, serializers: { ...serializers, ...options.serializers } };
}

/**
 * JSON lines for a log collector, readable lines for a person: pino-pretty (pino's own pretty printer) when the
 * stream is a terminal. Pretty-printing runs in this thread, not as a transport, so a fatal line is written
 * before the process exits.
 */
export function createLogger(options: LoggerOptions, fd: 1 | 2 = 1): Logger {
  options = loggerOptions(options);
  const tty = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  if (!tty) return pino(options, pino.destination(fd));
  return pino(options, pretty({ destination: fd, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,role', singleLine: true, sync: true }));
}
