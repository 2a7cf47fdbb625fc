import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A GET whose answer depends only on the caller and the URL (an inbox page): identical requests of one user
     * that arrive while the same answer is being read share that one reading (see shared-reads.ts).
     */
    sharedRead?: boolean;
  }
}

interface Flight {
  seq: number;
  body: Promise<string | undefined>;
  settle(body: string | undefined): void;
}

const flightOf = new WeakMap<FastifyRequest, { key: string; flight: Flight }>();

/**
 * Single-flight for `sharedRead` routes. A person's phone and desktop, a page's retries, a script polling its inbox:
 * the same user asking the same page again while the first reading is under way gets that reading's answer instead
 * of a second query, decode and serialization. Nothing is kept after the answer is sent (no cache to go stale).
 *
 * A request joins a reading only if it began after the user's last write through this process completed, so a
 * person who has just acted never sees the page from before their action. A write by someone else that commits while
 * a reading is in flight may be missing from the followers' answer exactly as it is from the leader's: the answer is
 * as of a moment a few milliseconds earlier than the request, never older than one reading.
 */
export default fp(
  async (app) => {
    const flights = new Map<string, Flight>();
    const lastWrite = new Map<number, number>();
    let seq = 0;

    app.addHook('preHandler', async (req, reply) => {
      if (!req.routeOptions.config.sharedRead || req.method !== 'GET' || !req.principal) return;
      const key = `${req.principal.userId} ${req.url}`;
      const running = flights.get(key);
      if (running && running.seq > (lastWrite.get(req.principal.userId) ?? -1)) {
        const body = await running.body;
        // The leader failed or answered something other than 200: this request reads for itself.
        if (body !== undefined) return reply.code(200).type('application/json; charset=utf-8').send(body);
      }
      let settle!: (b: string | undefined) => void;
      const body = new Promise<string | undefined>((r) => (settle = r));
      const flight: Flight = { seq: ++seq, body, settle };
      flights.set(key, flight);
      flightOf.set(req, { key, flight });
    });

    const land = (req: FastifyRequest, body: string | undefined) => {
      const f = flightOf.get(req);
      if (!f) return;
      flightOf.delete(req);
      if (flights.get(f.key) === f.flight) flights.delete(f.key);
      f.flight.settle(body);
    };
    app.addHook('onSend', async (req, reply, payload) => {
      land(req, reply.statusCode === 200 && typeof payload === 'string' ? payload : undefined);
      // A write is recorded before its answer leaves, so the writer's next request cannot overtake it.
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.principal) {
        lastWrite.delete(req.principal.userId); // re-inserted last: the Map's order is the writers' recency
        lastWrite.set(req.principal.userId, seq);
        // Forget the longest-quiet writer only: a recent writer is never handed a reading from before their write.
        if (lastWrite.size > 50_000) lastWrite.delete(lastWrite.keys().next().value!);
      }
      return payload;
    });
    app.addHook('onResponse', async (req) => {
      land(req, undefined); // an answer that never reached onSend (an error thrown before it)
    });
  },
  { name: 'shared-reads' },
);
