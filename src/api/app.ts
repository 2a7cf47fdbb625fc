import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import { registerErrorHandler } from './errors.js';
import authPlugin from './plugins/auth.js';
import noNul from './plugins/no-nul.js';
import { errorResponseSchema } from './errors.js';
import auth from './routes/auth.js';
import health from './routes/health.js';
import users from './routes/users.js';
import organizations from './routes/organizations.js';
import training from './routes/training.js';
import liaison from './routes/liaison.js';
import processes from './routes/processes.js';
import tasks from './routes/tasks.js';
import escalations from './routes/escalations.js';
import notifications from './routes/notifications.js';
import { calendarFeed, calendarSettings } from './routes/calendar.js';

declare module 'fastify' {
  interface FastifyInstance {
    sql: Sql;
    temporal: Client;
    config: Config;
  }
}

export interface AppDeps {
  sql: Sql;
  temporal: Client;
  config: Config;
  log: Logger;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    genReqId: (req) => (req.headers['x-request-id'] as string | undefined) ?? crypto.randomUUID(),
    bodyLimit: 1024 * 1024,
    // Route params are bounded by their zod schemas, which answer 400 naming the field.
    routerOptions: { maxParamLength: 1000 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('sql', deps.sql);
  app.decorate('temporal', deps.temporal);
  app.decorate('config', deps.config);
  registerErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'orglife', description: 'Lifecycle processes of grassroots Party organizations', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or olt_ API token' } } },
    },
    transform: jsonSchemaTransform,
  });
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    // Document the Bearer requirement and the error answers every API route can give.
    const errors = Object.fromEntries([400, 401, 403, 404, 409, 422, 429].map((c) => [c, errorResponseSchema]));
    const response = { ...errors, ...((route.schema?.response as object | undefined) ?? {}) };
    const security = route.url === '/api/v1/auth/login' ? {} : { security: [{ bearer: [] }] };
    route.schema = { ...route.schema, ...security, response } as typeof route.schema;
  });
  await app.register(noNul);
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(authPlugin);
  await app.register(health);
  await app.register(auth, { prefix: '/api/v1' });
  // Calendar clients cannot send a Bearer header: the feed authenticates by its own per-user token.
  await app.register(calendarFeed, { prefix: '/api/v1' });
  // Everything else under /api/v1 needs a caller, and every route checks the caller's scope.
  await app.register(
    async (api) => {
      api.addHook('onRequest', api.authenticate);
      await api.register(users);
      await api.register(organizations);
      await api.register(processes);
      await api.register(training);
      await api.register(liaison);
      await api.register(tasks);
      await api.register(escalations);
      await api.register(notifications);
      await api.register(calendarSettings);
    },
    { prefix: '/api/v1' },
  );
  return app;
}
