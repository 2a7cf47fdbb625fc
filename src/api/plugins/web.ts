import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `vite build` (scripts/build-web.mjs) puts the UI. */
export const webDist = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/**
 * Serves the web UI at `/`: hashed bundles under /assets/ (cached for good), and index.html for every other
 * GET outside /api and /docs so the single-page app's own routes (/tasks/7, /orgs/42…) survive a reload.
 * Registered without fastify-plugin: its @fastify/static decorations stay inside this context and do not clash
 * with the copy @fastify/swagger-ui registers for /docs.
 */
const web: FastifyPluginAsync<{ root?: string }> = async (app, opts) => {
  const root = opts.root ?? webDist;
  const built = existsSync(join(root, 'index.html'));
  if (!built) app.log.warn({ root }, 'web UI not built: `npm start` builds it (scripts/build-web.mjs)');

  if (built) {
    await app.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
    });
  }

  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split('?')[0]!;
    // Unknown API and docs paths keep the JSON 404 of the API rather than getting the app's page.
    if (path.startsWith('/api/') || path === '/api' || path.startsWith('/docs')) return reply.callNotFound();
    if (!built) {
      return reply.status(503).type('text/plain; charset=utf-8').send('orglife: the web UI is not built; run `node scripts/build-web.mjs`');
    }
    // index.html names the current bundles: always revalidate it. sendFile would otherwise apply the options
    // registered above for /assets/ (a year, immutable) and overwrite this header, so a browser that had the page
    // would never see a new release.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  });
};

export default web;
