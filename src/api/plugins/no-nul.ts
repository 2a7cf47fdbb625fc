import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

/**
 * Path of the first string holding a NUL character, which PostgreSQL text cannot store. Only JSON-shaped data
 * is walked (plain objects, arrays): a multipart body holds streams, buffers and a `fields` link back to the
 * body itself, and walking those spun the API at full CPU on every upload.
 */
function findNul(value: unknown, path: string, seen = new Set<object>()): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || seen.has(value)) return null;
  const proto = Object.getPrototypeOf(value) as object | null;
  // Fastify's parsed query string is a null-prototype object one level down (fast-querystring's `new Empty()`,
  // whose prototype has no prototype): it is JSON-shaped too, and skipping it let NULs through to PostgreSQL (500).
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) !== null) return null;
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
      for (const [where, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
        const field = findNul(value, where);
        if (field) {
          throw new HttpError(400, 'invalid_request', `${field}: NUL characters are not allowed`, [
            { field, message: 'NUL characters are not allowed' },
          ]);
        }
      }
    });
  },
  { name: 'orglife-no-nul' },
);
