// Signing in and out as the API reads and writes it: the enabled user a password is checked against, and the end of
// a session, of every session of a user, or of a machine API token.
import type { Queryable } from '../db/client.js';

/** The enabled user with this username, with what a sign-in checks and signs. */
export async function userToSignIn(sql: Queryable, username: string) {
  const [user] = await sql<{ id: number; username: string; password_hash: string; token_version: number }[]>`
    select id, username, password_hash, token_version from users where username = ${username} and not disabled`;
  return user;
}

/** The enabled user with this id, with their password's hash. */
export async function userWithPassword(sql: Queryable, id: number) {
  const [user] = await sql<{ id: number; username: string; password_hash: string }[]>`
    select id, username, password_hash from users where id = ${id} and not disabled`;
  return user;
}

/** Revokes a machine API token (a revoked one keeps its time). */
export async function revokeApiToken(sql: Queryable, id: number): Promise<void> {
  await sql`update api_tokens set revoked_at = now() where id = ${id} and revoked_at is null`;
}

/** Forgets the signed-out session ids whose JWT can no longer be presented. */
export async function forgetExpiredSignOuts(sql: Queryable): Promise<void> {
  await sql`delete from revoked_sessions where expires_at < now()`;
}

/** Ends every session of the user (their token_version moves on). */
export async function endAllSessions(sql: Queryable, userId: number): Promise<void> {
  await sql`update users set token_version = token_version + 1 where id = ${userId}`;
}

/** Ends one session: its id is refused until its JWT expires (`expiresAt`, seconds since the epoch). */
export async function endSession(sql: Queryable, s: { jti: string; userId: number; expiresAt: number }): Promise<void> {
  await sql`
    insert into revoked_sessions (jti, user_id, expires_at) values (${s.jti}, ${s.userId}, to_timestamp(${s.expiresAt}))
    on conflict (jti) do nothing`;
}
