// Who is signed in, shared by the shell and the pages.
import { endSession, getMe, session, type Me, type Role } from './api.js';
import { navigate } from './router.js';
import { signal } from './signal.js';

/** The signed-in user: undefined while loading, null when signed out. */
export const me = signal<Me | null | undefined>(undefined);

export const hasRole = (m: Me, ...roles: Role[]) => m.roles.some((r) => roles.includes(r.role));

/** Organization codes where the user holds one of `roles` (null code: the whole tree). */
export const orgsWith = (m: Me, ...roles: Role[]) => [...new Set(m.roles.filter((r) => roles.includes(r.role)).map((r) => r.org))];

export async function refreshMe(): Promise<void> {
  if (!session.token) return me.set(null);
  try {
    me.set(await getMe());
  } catch {
    session.clear();
    me.set(null);
  }
}

export async function logout(): Promise<void> {
  // Ended on the server first: a copy of the token elsewhere (another tab, a shared computer's history) dies with it.
  // Forgotten here whatever the server answers (a session already over, no network).
  if (session.token) await endSession().catch(() => {});
  session.clear();
  me.set(null);
  navigate('/login');
}

session.onUnauthorized(() => {
  session.clear();
  me.set(null);
});
