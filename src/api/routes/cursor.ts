import type { z } from 'zod';
import { HttpError } from '../errors.js';

/** Opaque keyset cursors: the sort key of the last item, base64url JSON. */
export const encodeCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * Whether every value in a decoded cursor is one this API could have issued. A cursor is client input that goes
 * straight into a keyset comparison, so what PostgreSQL refuses must be refused here first: a NUL in a string
 * (text cannot hold one) and a number that is not a safe integer (keys are bigint ids; 1e20 overflows bigint,
 * and a fraction or an unsafe integer was never an id written by encodeCursor).
 */
function storable(value: unknown): boolean {
  if (typeof value === 'string') return !value.includes('\u0000');
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.every(storable);
  if (value !== null && typeof value === 'object') return Object.entries(value).every(([k, v]) => storable(k) && storable(v));
  return true;
}

const notACursor = () =>
  new HttpError(400, 'invalid_request', 'querystring.cursor: not a cursor from this API', [
    { field: 'querystring.cursor', message: 'not a cursor from this API' },
  ]);

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.infer<T> | undefined {
  if (!cursor) return undefined;
  let key: z.infer<T>;
  try {
    key = schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
  } catch {
    throw notACursor();
  }
  if (!storable(key)) throw notACursor();
  return key;
}
