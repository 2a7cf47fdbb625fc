// No request holds the API for long: each has a time limit after which it is answered 503 `timeout` (its work,
// if still running, is bounded by PostgreSQL's statement and idle-transaction limits of the API's pool:
// src/db/client.ts), and uploads are read a few at a time per process so that a burst of them cannot starve
// sign-in and the inbox of CPU and connections.
import fp from 'fastify-plugin';
import { uploadSlots } from '../uploads.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's time limit in milliseconds, instead of REQUEST_TIMEOUT_MS (a synchronous import). */
    timeoutMs?: number;
  }
  interface FastifyInstance {
    /** Runs an upload's reading and writing in one of UPLOAD_SLOTS, or answers 503 `busy` at once. */
    uploadSlot: <T>(run: () => Promise<T>) => Promise<T>;
  }
}

/** Longer than the Update gateway's deadline (15 s) and a bulk action's Updates, far below a client's patience. */
export const REQUEST_TIMEOUT_MS = 60_000;
/** Uploads read and written at once in one API process. */
export const UPLOAD_SLOTS = 3;

export default fp(
  async (app) => {
    app.decorate('uploadSlot', uploadSlots(UPLOAD_SLOTS));
    const timers = new WeakMap<object, NodeJS.Timeout>();
    app.addHook('onRequest', async (req, reply) => {
      const ms = req.routeOptions.config?.timeoutMs ?? REQUEST_TIMEOUT_MS;
      const timer = setTimeout(() => {
        if (reply.sent) return;
        req.log.warn({ ms, route: req.routeOptions.url }, 'request time limit reached');
        void reply
          .status(503)
          .header('retry-after', '5')
          .send({
            error: {
              code: 'timeout',
              message: `the request was not answered within ${Math.round(ms / 1000)} s; check whether it took effect before sending it again`,
            },
          });
      }, ms);
      timer.unref();
      timers.set(req, timer);
    });
    const clear = async (req: object) => clearTimeout(timers.get(req));
    app.addHook('onResponse', clear);
    app.addHook('onRequestAbort', clear);
  },
  { name: 'orglife-limits' },
);
