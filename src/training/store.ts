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

/** Adds a training session held by an organization; false when a session of that code exists. */
export async function addSession(
  sql: Queryable,
  s: { code: string; organizationId: number; title: string; startsOn: string; endsOn: string; capacity: number | null },
): Promise<boolean> {
  const rows = await sql`
    insert into training_sessions (code, organization_id, title, starts_on, ends_on, capacity)
    values (${s.code}, ${s.organizationId}, ${s.title}, ${s.startsOn}, ${s.endsOn}, ${s.capacity})
    on conflict (code) do nothing returning id`;
  return rows.length > 0;
}

/** The session of this code, with the path of the organization holding it, its days and its seats. */
export async function sessionByCode(sql: Queryable, code: string) {
  const [s] = await sql<{ id: number; path: string; starts_on: Date; ends_on: Date; capacity: number | null }[]>`
    select s.id, o.path::text as path, s.starts_on, s.ends_on, s.capacity from training_sessions s join organizations o on o.id = s.organization_id where s.code = ${code}`;
  return s;
}

/** How many are enrolled in session `id`. */
export async function enrolledCount(sql: Queryable, sessionId: number): Promise<number> {
  const [taken] = await sql<{ n: number }[]>`select count(*)::int as n from training_enrolments where session_id = ${sessionId}`;
  return taken!.n;
}

/** The key of the live task of `step` in process `workflowId`, if one is open. */
export async function liveTaskKey(sql: Queryable, workflowId: string, step: string): Promise<string | undefined> {
  const [t] = await sql<{ task_key: string }[]>`
    select task_key from tasks where workflow_id = ${workflowId} and step = ${step} and state in ('open', 'claimed', 'escalated')`;
  return t?.task_key;
}

/**
 * Per county (the third level of the tree, or the level above a shallower organization) of the organizations `scope`
 * admits (over `o`; narrowed to the subtree of `under`, an ltree path): the secretaries in a training cycle running
 * on `today` and those of them trained.
 */
export function trainingByCounty(sql: Queryable, scope: Fragment, today: string, under?: string) {
  return sql<{ county: string; name: string; secretaries: number; trained: number }[]>`
    with current as (
      select c.organization_id, c.state from training_cycles c
      where c.starts_on <= ${today}::date and ${today}::date < c.ends_on and c.state <> 'closed'
    )
    select k.code as county, k.name, count(*)::int as secretaries, count(*) filter (where cur.state = 'completed')::int as trained
    from current cur
    join organizations o on o.id = cur.organization_id
    join organizations k on k.id = ltree2text(subpath(o.path, greatest(0, least(2, nlevel(o.path) - 2)), 1))::bigint
    where ${scope} ${under !== undefined ? sql`and o.path <@ ${under}::ltree` : sql``}
    group by k.code, k.name order by k.code`;
}
