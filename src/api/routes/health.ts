import type { FastifyPluginAsync } from 'fastify';

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const health: FastifyPluginAsync = async (app) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks = await Promise.allSettled([within(2000, app.sql`select 1`), within(2000, app.temporal.connection.workflowService.getSystemInfo({}))]);
    const failing = [
      checks[0].status === 'rejected' ? { component: 'PostgreSQL', message: String((checks[0].reason as Error).message) } : null,
      checks[1].status === 'rejected' ? { component: 'Temporal', message: String((checks[1].reason as Error).message) } : null,
    ].filter((x) => x !== null);
    if (failing.length === 0) return { status: 'ready' };
    return reply.status(503).send({
      error: { code: 'not_ready', message: `${failing.map((f) => f.component).join(' and ')} not answering`, details: failing },
    });
  });
};

export default health;
