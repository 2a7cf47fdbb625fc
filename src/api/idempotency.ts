import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../db/client.js';
import { HttpError } from './errors.js';
import { failpoint } from '../runtime/failpoints.js';

export interface ActionResponse {
  status: number;
  body: unknown;
}

/** The header of every route that sends an Update (documented in the OpenAPI). */
export const idempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .max(200)
    .optional()
    .describe('a retry with the same key gets the first answer again (header idempotent-replayed: true) and acts once'),
});

/** The Idempotency-Key of a request, if any (validated: opaque, at most 200 characters). */
export function idempotencyKey(req: FastifyRequest): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 200) {
    throw new HttpError(400, 'invalid_request', 'Idempotency-Key: expected 1 to 200 characters', [
      { field: 'headers.idempotency-key', message: 'expected 1 to 200 characters' },
    ]);
  }
  return key;
}

/**
 * Runs an action once per (caller, Idempotency-Key): the first response (success or refusal) is stored, and a
 * retry with the same key and the same request gets it again without acting a second time — except a 409, which
 * says the state of the moment stands in the way (see `answer`). The same key with
 * a different request is refused (422); a retry while the first attempt still runs gets 409. An attempt that
 * stored no answer within ABANDONED_AFTER died with its process (an update answers within 15 s or gives 503):
 * the retry takes its key over and runs the action again, and the Temporal update id derived from the key
 * makes the workflow answer with the first application's result instead of acting twice.
 */
export async function idempotent(sql: Sql, req: FastifyRequest, reply: FastifyReply, run: () => Promise<ActionResponse>) {
  const key = idempotencyKey(req);
  wrapped.add(req);
  if (!key) {
    const r = await run();
    return reply.status(r.status).send(r.body);
  }
  const userId = req.principal.userId;
  const request = fingerprint(req);
  const [claimed] = await sql`
    insert into idempotency_keys (user_id, key, request) values (${userId}, ${key}, ${request}) on conflict do nothing returning key`;
  if (!claimed) {
    const [prev] = await sql<{ request: string; status: number | null; response: unknown }[]>`
      select request, status, response from idempotency_keys where user_id = ${userId} and key = ${key}`;
    if (prev!.request !== request) throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
    if (prev!.status === null) {
      const [takenOver] = await sql`
        update idempotency_keys set created_at = now()
        where user_id = ${userId} and key = ${key} and status is null and created_at < now() - ${ABANDONED_AFTER}::interval
        returning key`;
      if (!takenOver) throw new HttpError(409, 'conflict', 'a request with this Idempotency-Key is still in progress');
      return answer(sql, reply, userId, key, run);
    }
    return reply.status(prev!.status).header('idempotent-replayed', 'true').send(prev!.response);
  }
  return answer(sql, reply, userId, key, run);
}

/**
 * What makes two requests the same: method, path, query and body. A body still streaming in (a file upload,
 * read by the action itself) counts by its type and declared length.
 */
function fingerprint(req: FastifyRequest): string {
  const [path, query] = req.url.split('?');
  const body = req.body as { pipe?: unknown } | null | undefined;
  const content =
    typeof body?.pipe === 'function' ? `stream ${req.headers['content-type'] ?? ''} ${req.headers['content-length'] ?? ''}` : JSON.stringify(body ?? null);
  return `${req.method} ${path} ${createHash('sha256')
    .update(query ? `${query}\n${content}` : content)
    .digest('hex')}`;
}

/** The requests running inside `idempotent`: only those may send an Update (src/api/gateway.ts checks). */
const wrapped = new WeakSet<FastifyRequest>();
export const insideIdempotent = (req: FastifyRequest): boolean => wrapped.has(req);

/** Longer than an action may take (the update deadline is 15 s): an attempt this old without an answer is dead. */
const ABANDONED_AFTER = '20 seconds';

/** Runs the action for a claimed key, stores its answer (or refusal) under the key, then sends it. */
async function answer(sql: Sql, reply: FastifyReply, userId: number, key: string, run: () => Promise<ActionResponse>) {
  const store = (status: number, body: unknown) =>
    sql`update idempotency_keys set status = ${status}, response = ${sql.json(body as never)} where user_id = ${userId} and key = ${key}`;
  try {
    const r = await run();
    failpoint('action-before-store');
    await store(r.status, r.body);
    failpoint('action-before-reply');
    return reply.status(r.status).send(r.body);
  } catch (err) {
    if (err instanceof HttpError && err.statusCode < 500 && err.statusCode !== 409) {
      // A refusal is an answer too: the retry gets the same refusal.
      await store(err.statusCode, { error: { code: err.code, message: err.message, details: err.details } });
    } else {
      // Free the key so the client's retry runs the action again; the Temporal update id derived from the key
      // still stops a double application in the workflow. A server error is an unknown outcome; a 409 is the state
      // of the moment, not a verdict (a workflow replaying after its worker died answers "no task … in this
      // process" until it has opened the task again: kill9 saw that refusal replayed under the key for minutes).
      await sql`delete from idempotency_keys where user_id = ${userId} and key = ${key}`;
    }
    throw err;
  }
}

/** A Temporal Update id per (caller, key, what is sent): Temporal itself refuses to apply the same update twice. */
export const updateIdFor = (req: FastifyRequest, action: string): string | undefined => {
  const key = idempotencyKey(req);
  return key ? `idem:${req.principal.userId}:${action}:${key}` : undefined;
};
