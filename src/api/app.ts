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
import auth from './routes/auth.js';
import health from './routes/health.js';
import users from './routes/users.js';
import organizations from './routes/organizations.js';
import processes from './routes/processes.js';
import tasks from './routes/tasks.js';
import organizationImport from './routes/organization-import.js';
import terms from './routes/terms.js';
import units from './routes/units.js';
import people from './routes/people.js';

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
    // Document the Bearer requirement on every protected route.
    if (route.url.startsWith('/api/v1') && route.url !== '/api/v1/auth/login') {
      route.schema = { ...route.schema, security: [{ bearer: [] }] } as typeof route.schema;
    }
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(authPlugin);
  await app.register(health);
  await app.register(auth, { prefix: '/api/v1' });
  // Everything else under /api/v1 needs a caller, and every route checks the caller's scope.
  await app.register(
    async (api) => {
      api.addHook('onRequest', api.authenticate);
      await api.register(users);
      await api.register(organizations);
      await api.register(processes);
      await api.register(tasks);
      await api.register(organizationImport);
      await api.register(terms);
      await api.register(units);
      await api.register(people);
    },
    { prefix: '/api/v1' },
  );
  return app;
}
