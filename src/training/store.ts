// Training sessions (轮训) as the pickers read them.
import type { Fragment } from 'postgres';
import type { z } from 'zod';
import type { Queryable } from '../db/client.js';
import type { sessionPicksSchema } from './schemas.js';

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface SessionPickSearch {
  /** The caller's scope over the organization aliased as given. */
  scope: (alias: string) => Fragment;
  /** Part of the title or code; with `initials`, the title's pinyin initials too (filled beforehand). */
  q?: string | undefined;
  initials?: string | null | undefined;
  limit: number;
}

/**
 * Sessions held by an organization in scope, or with an enrolment from one (a secretary finds the county's session
 * it is enrolled in), latest first.
 */
export function pickSessions(sql: Queryable, s: SessionPickSearch): Promise<z.infer<typeof sessionPicksSchema>['items']> {
  const conds = [
    sql`(${s.scope('o')} or exists (
          select 1 from training_enrolments e join organizations eo on eo.id = e.organization_id
          where e.session_id = s.id and ${s.scope('eo')}))`,
  ];
  if (s.q) {
    const like = likePattern(s.q);
    conds.push(sql`(s.title like ${like} or s.code ilike ${like} ${s.initials ? sql`or s.title_initials like ${likePattern(s.initials)}` : sql``})`);
  }
  return sql<z.infer<typeof sessionPicksSchema>['items']>`
    select s.code, s.title, o.code as organization, o.name as "organizationName",
           to_char(s.starts_on, 'YYYY-MM-DD') as "startsOn", to_char(s.ends_on, 'YYYY-MM-DD') as "endsOn"
    from training_sessions s join organizations o on o.id = s.organization_id
    where ${conds.reduce((a, c) => sql`${a} and ${c}`)}
    order by s.starts_on desc, s.code limit ${s.limit}`;
}
