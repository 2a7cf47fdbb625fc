import assessments from './routes/assessments.js';
import yearlyReturns from './routes/yearly-returns.js';
import proxyAddr from '@fastify/proxy-addr';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import type { Tracing } from '../runtime/telemetry.js';
import { registerErrorHandler } from './errors.js';
import { registerJsonBodyParser } from './json-body.js';
import updateGateway from './gateway.js';
import sharedReads from './plugins/shared-reads.js';
import authPlugin from './plugins/auth.js';
import noNul from './plugins/no-nul.js';
import limits from './plugins/limits.js';
import securityHeaders from './plugins/security-headers.js';
import { errorResponseSchema } from './errors.js';
import taskLinks from './routes/task-links.js';
import auth from './routes/auth.js';
import health from './routes/health.js';
import users from './routes/users.js';
import organizations from './routes/organizations.js';
import training from './routes/rotation-training.js';
import liaison from './routes/liaison-dispatch.js';
import pairing from './routes/pairing.js';
import processes from './routes/processes.js';
import tasks from './routes/tasks.js';
import comments from './routes/comments.js';
import substitutes from './routes/substitutes.js';
import organizationLife from './routes/organization-life.js';
import web from './plugins/web.js';
import metrics from './plugins/metrics.js';
import escalations from './routes/escalations.js';
import bulk from './routes/bulk.js';
import nudges from './routes/nudges.js';
import views from './routes/views.js';
import notifications from './routes/notifications.js';
import { calendarFeed, calendarSettings } from './routes/calendar.js';
import organizationImport from './routes/organization-import.js';
import terms from './routes/term-election.js';
import units from './routes/units.js';
import people from './routes/people.js';
import members from './routes/members.js';
import memberTransfers from './routes/member-transfers.js';
import recruitment from './routes/recruitment.js';
import meetings from './routes/meetings.js';
import memberAppraisals from './routes/member-appraisals.js';
import recruitmentPlan from './routes/recruitment-plan.js';
import memberExport from './routes/member-export.js';
import search from './routes/search.js';
import ratings from './routes/ratings.js';
import channels from './routes/channels.js';

declare module 'fastify' {
  interface FastifyInstance {
    sql: Sql;
    temporal: Client;
    config: Config;
    /** Every route registered, for the route-table tests (each /api/v1 route must prove its scope check). */
    routeTable: { method: string; url: string }[];
  }
}

export interface AppDeps {
  sql: Sql;
  temporal: Client;
  config: Config;
  log: Logger;
  /** How long a principal read from PostgreSQL is reused (PRINCIPAL_TTL_MS unless told). */
  principalTtlMs?: number;
  /** Traces exported (src/runtime/telemetry.ts): a span for each /api request, the parent of its Temporal calls. */
  tracing?: Tracing;
}

/**
 * The id a request's log lines carry: the client's X-Request-Id (a balancer's or a caller's correlation id) when
 * it is a short plain token, else one of our own: a client cannot put arbitrary text (quotes, markup, kilobytes
 * of it) into every line of a request's log.
 */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const requestId = (req: { headers: Record<string, string | string[] | undefined> }) => {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
};

/**
 * OpenAPI 3.0.3 reads `enum` before `nullable`: a nullable enum admits null only when its list holds null. zod's
 * `.nullable()` on an enum writes `nullable: true` alone, so the document would refuse the null the route accepts
 * (a client generated from it, or schemathesis, sends a body the document calls invalid). Adds null to those lists.
 */
function nullInNullableEnums<T>(doc: T): T {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (o.nullable === true && Array.isArray(o.enum) && !o.enum.includes(null)) o.enum.push(null);
    Object.values(o).forEach(walk);
  };
  walk(doc);
  return doc;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    genReqId: requestId,
    // req.ip is the client's: the socket's address, or the one a trusted reverse proxy names in X-Forwarded-For
    // (ORGLIFE_TRUSTED_PROXIES), for the sign-in limits and the logs alike.
    trustProxy: proxyAddr.compile(deps.config.ORGLIFE_TRUSTED_PROXIES ?? ['loopback']),
    bodyLimit: 1024 * 1024,
    // Node's own limits on receiving a request (headers, then the whole body): a client that trickles bytes is cut
    // off. Uploads are bounded again, more tightly, as they are read (src/api/uploads.ts).
    requestTimeout: 10 * 60_000,
    // On close (SIGTERM) the connections still open are closed too: a request that never ends cannot keep the
    // process from stopping.
    forceCloseConnections: true,
    // Route params are bounded by their zod schemas, which answer 400 naming the field.
    routerOptions: { maxParamLength: 1000 },
  });
  // Before every hook and route, which it wraps as they are added: the request's span is open when they run.
  if (deps.tracing) await app.register(deps.tracing.fastify);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Before any route, so all inherit it: JSON nested too deep is a 400 before parsing work explodes.
  registerJsonBodyParser(app);
  app.decorate('sql', deps.sql);
  app.decorate('temporal', deps.temporal);
  app.decorate('config', deps.config);
  // Every route that sends a workflow an Update does so through app.updateProcess.
  await app.register(updateGateway);
  registerErrorHandler(app);
  // First, so that every route's requests are counted.
  await app.register(metrics);

  await app.register(swagger, {
    openapi: {
      info: { title: 'orglife', description: 'Lifecycle processes of grassroots Party organizations', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or olt_ API token' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) => nullInNullableEnums('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject),
  });
  app.decorate('routeTable', []);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') app.routeTable.push({ method, url: route.url });
    if (!route.url.startsWith('/api/v1')) return;
    // Document the Bearer requirement and the error answers every API route can give.
    const errors = Object.fromEntries([400, 401, 403, 404, 409, 413, 422, 429, 503].map((c) => [c, errorResponseSchema]));
    const response = { ...errors, ...((route.schema?.response as object | undefined) ?? {}) };
    // Login is public; the calendar feed authenticates by the token in its query (calendar clients send no headers).
    const security = ['/api/v1/auth/login', '/api/v1/auth/task-link', '/api/v1/calendar.ics'].includes(route.url) ? {} : { security: [{ bearer: [] }] };
    route.schema = { ...route.schema, ...security, response } as typeof route.schema;
  });
  await app.register(noNul);
  await app.register(limits);
  // Security headers on every answer; /docs sets its own CSP with hashes of its inline scripts.
  await app.register(securityHeaders, {
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], styleSrc: ["'self'", "'unsafe-inline'"], scriptSrc: ["'self'"] },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register(authPlugin, { principalTtlMs: deps.principalTtlMs });
  await app.register(sharedReads);
  await app.register(health);
  await app.register(auth, { prefix: '/api/v1' });
  // A message's task link is its own credential (src/auth/task-links.ts).
  await app.register(taskLinks, { prefix: '/api/v1' });
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
      await api.register(pairing);
      await api.register(tasks);
      await api.register(comments);
      await api.register(substitutes);
      await api.register(organizationLife);
      await api.register(escalations);
      await api.register(bulk);
      await api.register(nudges);
      await api.register(views);
      await api.register(notifications);
      await api.register(calendarSettings);
      await api.register(organizationImport);
      await api.register(terms);
      await api.register(units);
      await api.register(people);
      await api.register(members);
      await api.register(memberTransfers);
      await api.register(memberExport);
      await api.register(recruitment);
      await api.register(meetings);
      await api.register(memberAppraisals);
      await api.register(recruitmentPlan);
      await api.register(search);
      await api.register(assessments);
      await api.register(yearlyReturns);
      await api.register(ratings);
      await api.register(channels);
    },
    { prefix: '/api/v1' },
  );
  await app.register(web);
  return app;
}
