// An organization's life as the API reads it: its register row, its processes and their tasks, its secretary's
// training cycles, its pairings, liaison dispatches and assessment rows — one set-based statement each, run together.
import type { Queryable } from '../db/client.js';
import type { IsoDate } from '../domain/dates.js';
import { termLate } from './term-late.js';

/** What GET /organizations/{code}/life is assembled from, for organization `id`, its term late or not on `today`. */
export async function organizationLifeRecords(sql: Queryable, id: number, today: IsoDate) {
  const [[o], processes, tasks, training, pairings, liaison, assessments] = await Promise.all([
    sql<
      {
        code: string;
        name: string;
        type: string;
        sector: string | null;
        settlement: 'village' | 'community' | null;
        secretary_name: string | null;
        term_started_on: string | null;
        term_years: number | null;
        term_ends_on: string | null;
        term_postponed_until: string | null;
        late: boolean;
      }[]
    >`
      select o.code, o.name, o.type, o.sector, o.settlement, o.secretary_name, o.term_started_on::text, o.term_years, o.term_ends_on::text, o.term_postponed_until::text,
             ${termLate(sql, today)} as late
      from organizations o where o.id = ${id}`,
    sql<{ workflow_id: string; kind: string; status: string; current_step: string; started_at: Date; comments: number }[]>`
      select workflow_id, kind, status, current_step, started_at,
             (select count(*)::int from comments c where c.workflow_id = p.workflow_id and c.task_id is null) as comments
      from processes p where organization_id = ${id} order by started_at desc, workflow_id limit 100`,
    // Every task of those processes with who closed it: the last actor of its closing event.
    sql<
      {
        id: number;
        workflow_id: string;
        process: string;
        step: string;
        state: string;
        opened_at: Date;
        due_at: Date;
        closed_at: Date | null;
        by: string | null;
        on_behalf_of: string | null;
      }[]
    >`
      select t.id, t.workflow_id, t.process, t.step, t.state, t.opened_at, t.due_at, t.closed_at, e.actor as by, e.on_behalf_of
      from tasks t join processes p on p.workflow_id = t.workflow_id and p.organization_id = ${id}
      left join lateral (
        select actor, on_behalf_of from task_events ev where ev.task_id = t.id and ev.kind in ('completed', 'cancelled') order by ev.id desc limit 1
      ) e on true
      order by t.opened_at, t.id`,
    sql<{ cycle: number; secretary_name: string | null; starts_on: string; ends_on: string; state: string; trained_on: string | null }[]>`
      select cycle, secretary_name, starts_on::text, ends_on::text, state, trained_on::text from training_cycles where organization_id = ${id} order by starts_on, cycle`,
    sql<{ cycle: number; village: string; village_name: string; partner: string; partner_name: string; starts_on: string; ends_on: string; state: string }[]>`
      select p.cycle, v.code as village, v.name as village_name, u.code as partner, u.name as partner_name, p.starts_on::text, p.ends_on::text, p.state
      from pairings p join organizations v on v.id = p.organization_id join organizations u on u.id = p.partner_id
      where p.organization_id = ${id} or p.partner_id = ${id} order by p.starts_on, p.cycle`,
    sql<{ officer: string | null; state: string; full_members: number | null; acknowledged_at: Date | null; established_at: Date | null }[]>`
      select officer, state, full_members, acknowledged_at, established_at from liaison_dispatches where organization_id = ${id} order by updated_at`,
    sql<{ year: number; score: string; term_on_time: boolean; secretary_trained: boolean | null; no_overdue_tasks: boolean; sector_rank: number | null }[]>`
      select year, score, term_on_time, secretary_trained, no_overdue_tasks, sector_rank from assessment_scores where organization_id = ${id} order by year`,
  ]);
  return { o: o!, processes, tasks, training, pairings, liaison, assessments };
}
