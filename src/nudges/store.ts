// 一键催办 and 催报 as the API writes them: one message per person reached (a `notifications` row of kind 'nudge', so
// the in-app list, the e-mail digest and the channels carry it), the nudge's own row as its audit, and what each
// nudge counts on (tasks: an event and nudge_count; organizations: return_nudges). Each nudge is one transaction.
import type { Fragment } from 'postgres';
import type { Queryable, Sql } from '../db/client.js';
import { shanghaiDate } from '../domain/dates.js';
import { stepWords } from '../domain/step-words.js';
import { holdersOfTasks } from '../tasks/holders.js';
import { activeToday } from '../api/substitutes.js';

/** The nudge's own row, its audit entry: who, over which list, how many items and people. */
async function recordNudge(
  tx: Queryable,
  actorId: number,
  actor: string,
  filter: unknown,
  message: string | undefined,
  items: number,
  people: number,
): Promise<number> {
  const [n] = await tx<{ id: number }[]>`
    insert into nudges (actor_id, actor, filter, message, tasks, people)
    values (${actorId}, ${actor}, ${tx.json(filter as never)}, ${message ?? null}, ${items}, ${people}) returning id`;
  return Number(n!.id);
}

export interface TaskNudge {
  /** The list's condition over tasks `t` at organizations `o`. */
  where: Fragment;
  /** The ltree paths where the caller steers ('' the whole tree): only tasks there are nudged. */
  steer: readonly string[];
  actor: { id: number; username: string };
  /** The list as the caller sent it, recorded with the nudge. */
  filter: unknown;
  message: string | undefined;
  /** More live tasks than this on the list is refused. */
  max: number;
}

/**
 * Nudges everyone holding a live task on the list — the holder and, while they are away, their substitute, as its
 * reminders reach them — with one message listing their tasks, most urgent first; each task records the nudge in its
 * events and counts it. Refused, nothing written, when the list holds no live task or more than `max`.
 */
export function nudgeTaskHolders(
  sql: Sql,
  n: TaskNudge,
): Promise<{ refused: 'nothing' | 'too_many' } | { id: number; tasks: number; people: number; unreached: number[] }> {
  const steered = n.steer.includes('') ? sql`true` : sql`o.path <@ ${sql.array(n.steer as string[])}::ltree[]`;
  return sql.begin(async (tx) => {
    const targets = await tx<{ id: number; process: string; step: string; name: string; due_at: Date }[]>`
      select t.id, t.process, t.step, o.name, t.due_at from tasks t join organizations o on o.id = t.organization_id
      where ${n.where} and ${steered} and t.state in ('open', 'claimed', 'escalated')
      order by t.due_at, t.id limit ${n.max + 1}`;
    if (targets.length === 0) return { refused: 'nothing' as const };
    if (targets.length > n.max) return { refused: 'too_many' as const };
    const ids = targets.map((t) => t.id);
    const holders = await tx<{ task_id: number; user_id: number }[]>`
      select task_id, id as user_id from (${holdersOfTasks(tx as unknown as Sql, ids, new Date().toISOString())}) h`;
    const byUser = new Map<number, number[]>();
    for (const h of holders) byUser.set(h.user_id, [...(byUser.get(h.user_id) ?? []), h.task_id]);
    const nudgeId = await recordNudge(tx, n.actor.id, n.actor.username, n.filter, n.message, ids.length, byUser.size);
    const byId = new Map(targets.map((t) => [t.id, t]));
    const line = (id: number) => {
      const t = byId.get(id)!;
      return `${stepWords(t.process, t.step, 'zh-CN')} · ${t.name} · 截止 ${shanghaiDate(t.due_at)}`;
    };
    const rows = [...byUser].map(([userId, taskIds]) => {
      const mine = taskIds.sort((a, b) => byId.get(a)!.due_at.getTime() - byId.get(b)!.due_at.getTime() || a - b);
      return {
        user_id: userId,
        event_key: `nudge:${nudgeId}`,
        kind: 'nudge',
        // The most urgent of them: the message opens on it.
        task_id: mine[0]!,
        title: `催办：请尽快办理 ${mine.length} 项待办（${n.actor.username}）`,
        body: [...(n.message ? [n.message] : []), ...mine.map(line)].join('\n'),
        created_at: new Date(),
      };
    });
    if (rows.length) await tx`insert into notifications ${tx(rows)}`;
    await tx`
      insert into task_events (task_id, event_key, kind, at, actor, reason, after)
      select id, ${`nudge:${nudgeId}`}, 'nudged', now(), ${n.actor.username}, ${n.message ?? null}, jsonb_build_object('nudge', ${nudgeId}::bigint)
      from unnest(${ids}::bigint[]) as id`;
    await tx`update tasks set nudge_count = nudge_count + 1 where id = any(${ids})`;
    const reached = new Set(holders.map((h) => h.task_id));
    return { id: nudgeId, tasks: ids.length, people: byUser.size, unreached: ids.filter((id) => !reached.has(id)) };
  });
}

/** An organization missing its yearly return, with the users who are its secretaries. */
export interface MissingFiler {
  id: number;
  code: string;
  name: string;
  secretaries: unknown[];
  secretaryIds: number[];
}

export interface ReturnNudge<M extends MissingFiler> {
  year: number;
  /** The missing filers, read inside the nudge's transaction. */
  missing: (tx: Queryable) => Promise<M[]>;
  actor: { id: number; username: string };
  /** The list as the caller narrowed it, recorded with the nudge. */
  filter: object;
  message: string | undefined;
  /** The day the return is due, named in each message. */
  dueOn: string;
  max: number;
  /** Another list of organizations (发展党员's targets and plan): its message's title, and how each organization counts the nudge. */
  title?: string;
  record?: (tx: Queryable, nudgeId: number, organizationIds: number[]) => Promise<unknown>;
}

/**
 * 催报: each missing filer's secretaries, and whoever stands in for one today (as a task's reminders reach them),
 * told once, whatever number of organizations they file for; each organization counts the nudge. Refused, nothing
 * written, when no organization misses the return or more than `max` do.
 */
export function nudgeMissingFilers<M extends MissingFiler>(
  sql: Sql,
  n: ReturnNudge<M>,
): Promise<{ refused: 'nothing' | 'too_many' } | { id: number; organizations: number; people: number; unreached: string[] }> {
  return sql.begin(async (tx) => {
    const missing = await n.missing(tx);
    if (missing.length === 0) return { refused: 'nothing' as const };
    if (missing.length > n.max) return { refused: 'too_many' as const };
    const byUser = new Map<number, M[]>();
    const add = (id: number, m: M) => byUser.set(id, [...new Set([...(byUser.get(id) ?? []), m])]);
    for (const m of missing) for (const id of m.secretaryIds) add(id, m);
    const away = byUser.size
      ? await tx<{ user_id: number; substitute_id: number }[]>`
          select s.user_id, s.substitute_id from substitutions s join users u on u.id = s.substitute_id and not u.disabled
          where s.user_id = any(${[...byUser.keys()]}::bigint[]) and ${activeToday(tx as unknown as Sql)}`
      : [];
    for (const a of away) for (const m of byUser.get(Number(a.user_id)) ?? []) add(Number(a.substitute_id), m);
    const nudgeId = await recordNudge(tx, n.actor.id, n.actor.username, n.filter, n.message, missing.length, byUser.size);
    const rows = [...byUser].map(([userId, mine]) => ({
      user_id: userId,
      event_key: `nudge:${nudgeId}`,
      kind: 'nudge',
      task_id: null,
      title: n.title ?? `催报：请填报 ${n.year} 年度年报（${n.actor.username}）`,
      body: [...(n.message ? [n.message] : []), ...mine.map((m) => `${m.name} · 截止 ${n.dueOn}`)].join('\n'),
      created_at: new Date(),
    }));
    if (rows.length) await tx`insert into notifications ${tx(rows)}`;
    const ids = missing.map((m) => m.id);
    if (n.record) await n.record(tx, nudgeId, ids);
    else await tx`insert into return_nudges (nudge_id, organization_id, year) select ${nudgeId}, id, ${n.year} from unnest(${ids}::bigint[]) as id`;
    return {
      id: nudgeId,
      organizations: missing.length,
      people: byUser.size,
      unreached: missing.filter((m) => m.secretaries.length === 0).map((m) => m.code),
    };
  });
}
