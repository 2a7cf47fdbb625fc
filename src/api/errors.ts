import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** The contract's error body. */
export const errorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** An error the API answers with its own status and the contract's `{ error: { code, message, details } }`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const details = err.validation.map((v) => ({
        field: [where, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
        message: v.message,
      }));
      return reply.status(400).send({
        error: { code: 'invalid_request', message: details.map((d) => `${d.field}: ${d.message}`).join('; '), details },
      });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    // @fastify/rate-limit's refusal carries no code of ours (its Retry-After header is already set).
    const code = status === 500 ? 'internal' : status === 429 ? 'too_many_requests' : (err.code ?? 'bad_request').toLowerCase();
    return reply.status(status).send({ error: { code, message: status === 500 ? 'internal error' : err.message } });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url}` } }));
}
