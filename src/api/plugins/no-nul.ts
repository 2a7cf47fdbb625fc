import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

/**
 * Path of the first string holding a NUL character, which PostgreSQL text cannot store. Streams and binary
 * data are not walked: an upload's body is the raw request stream, and walking it (socket, server, ...) spun
 * the API at full CPU. The query object has a prototype of its own (fast-querystring), so it is not skipped
 * for lacking Object.prototype.
 */
function findNul(value: unknown, path: string, seen = new Set<object>()): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || seen.has(value)) return null;
  if (typeof (value as { pipe?: unknown }).pipe === 'function' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return null;
  seen.add(value);
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return `${path}.${k.replaceAll('\u0000', '\\0')}`;
    const found = findNul(v, `${path}.${k}`, seen);
    if (found) return found;
  }
  return null;
}

/** Refuses NUL characters anywhere in params, query or body with a 400 naming the field. */
export default fp(
  async (app) => {
    app.addHook('preValidation', async (req) => {
      for (const [where, value] of [
        ['params', req.params],
        ['querystring', req.query],
        ['body', req.body],
      ] as const) {
        const field = findNul(value, where);
        if (field) {
          throw new HttpError(400, 'invalid_request', `${field}: NUL characters are not allowed`, [{ field, message: 'NUL characters are not allowed' }]);
        }
      }
    });
  },
  { name: 'orglife-no-nul' },
);
