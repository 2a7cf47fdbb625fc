// GET /metrics in Prometheus's text format (src/runtime/metrics.ts), beside /healthz and /readyz: outside /api/v1,
// no session. The figures are counts, never a person's data; where the port is reachable from outside the operations
// network, ORGLIFE_METRICS_TOKEN makes the scraper present it as a bearer token.
import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { createApiMetrics } from '../../runtime/metrics.js';

const sameToken = (given: string, expected: string) => {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
};

export default fp(
  async (app) => {
    const metrics = createApiMetrics(app.sql);
    const token = app.config.ORGLIFE_METRICS_TOKEN;
    app.addHook('onResponse', async (req, reply) => {
      // The route's template: /api/v1/tasks/:id is one series, whatever the id; a path no route matched is one more.
      metrics.observe(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
      if (token && !sameToken(req.headers.authorization ?? '', `Bearer ${token}`)) {
        return reply
          .status(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: { code: 'unauthorized', message: 'GET /metrics needs the metrics token (ORGLIFE_METRICS_TOKEN)' } });
      }
      const text = await metrics.registry.metrics();
      return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(text);
    });
  },
  { name: 'metrics' },
);
