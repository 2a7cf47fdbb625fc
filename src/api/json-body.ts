import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

/**
 * How deep a JSON body may nest. The API's bodies are forms a few levels deep; JSON.parse copes with any depth,
 * but the recursive walks after it (zod's validation, the NUL check) overflow the stack near ten thousand levels,
 * which answered 500 even before login.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `text` opens more than `max` arrays and objects inside one another (brackets in strings not counted). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * application/json as fastify parses it (secure-json-parse, refusing __proto__ and constructor.prototype keys),
 * after a linear scan that refuses a body nested deeper than MAX_JSON_DEPTH with 400, before any of that work.
 * Registered on the root instance before the routes, so every route inherits it.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, raw, done) => {
    const body = raw as string; // parseAs: 'string'
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
      const message = `nested deeper than ${MAX_JSON_DEPTH} levels`;
      done(new HttpError(400, 'invalid_request', `body: ${message}`, [{ field: 'body', message }]), undefined);
      return;
    }
    parse(req, body, done);
  });
}
