import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's security headers on every answer. The middleware is built once: @fastify/helmet rebuilt it (parsing
 * the CSP directives again) on every request, 3.6% of the API's CPU under the inbox benchmark (bench/http.ts).
 * Routes that need another policy set their own header (/docs sets its CSP with hashes of its inline scripts).
 */
export default fp<HelmetOptions>(
  async (app, opts) => {
    const headers = helmet(opts);
    app.addHook('onRequest', (req, reply, done) => headers(req.raw, reply.raw, (err) => done(err as Error | undefined)));
  },
  { name: 'orglife-security-headers' },
);
