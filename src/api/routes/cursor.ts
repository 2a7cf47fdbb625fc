import type { z } from 'zod';
import { HttpError } from '../errors.js';

/** Opaque keyset cursors: the sort key of the last item, base64url JSON. */
export const encodeCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.infer<T> | undefined {
  if (!cursor) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
  } catch {
    throw new HttpError(400, 'invalid_request', 'querystring.cursor: not a cursor from this API', [
      { field: 'querystring.cursor', message: 'not a cursor from this API' },
    ]);
  }
}
