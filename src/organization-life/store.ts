// Reads of organization life (domain.md §4.9) over what the `organization-life` process writes (migrations/
// 112_organization_life.sql): a branch's meetings, and the completeness of a period under a subtree — held, held late,
// missing (past its due day with no record), still open, waived — by the organizations directly under it, with the
// branches whose records are missing. Set-based, one statement each. Every obligation counts once: a branch with three
// 党小组 owes three 党小组会 a month beside its own meetings.
import type { Queryable } from '../db/client.js';
import type { MeetingKind } from '../domain/organization-life/rules.js';

export interface Completeness {
  code: string;
  name: string;
  type: string;
  branches: number;
  held: number;
  late: number;
  missing: number;
  open: number;
  waived: number;
}

export interface MissingRecord {
  code: string;
  name: string;
  kind: MeetingKind;
  /** A 党小组会's group (each group owes its own). */
  group: string | null;
  dueOn: string;
  /** The highest escalation level its task has reached (0: none yet). */
  escalationLevel: number;
}

/**
 * A period's completeness under the organization at `path`, by the organizations directly under it (the branch
 * itself when it has none), worst first, and the missing records with their branches.
 */
export async function periodCompleteness(
  sql: Queryable,
  p: { path: string; period: string; today: string },
): Promise<{ rows: Completeness[]; missing: MissingRecord[] }> {
  const rows = await completenessByChild(sql, p);
  const missing = await sql<MissingRecord[]>`
    select b.code, b.name, l.kind, g.name as "group", to_char(l.due_on, 'YYYY-MM-DD') as "dueOn",
           coalesce((select max(t.escalation_level) from tasks t
                     where t.workflow_id = l.workflow_id and t.task_key = l.period || ':' || l.kind || coalesce(':' || l.group_id, '')), 0)::int as "escalationLevel"
    from life_obligations l join organizations b on b.id = l.organization_id left join party_groups g on g.id = l.group_id
    where l.period = ${p.period} and b.path <@ ${p.path}::ltree
      and l.meeting_id is null and l.waived_reason is null and l.due_on < ${p.today}::date
    order by l.due_on, b.name, l.kind, g.name
    limit 500`;
  return { rows, missing };
}

/**
 * The table of `periodCompleteness`, as a statement not yet run (the benchmark explains it as it is). The branches
 * below a committee under `path` are read from their committee's tallies (migrations/119_life_tallies.sql): a
 * province's table sums a few thousand townships' rows, not 300,000 obligations. The branches that are `path` itself
 * or directly under it are rows of the table of their own, counted from their obligations.
 */
export function completenessByChild(sql: Queryable, p: { path: string; period: string; today: string }) {
  return sql<Completeness[]>`
    with top as (select id, path from organizations where path = ${p.path}::ltree),
    counted as (
      select subpath(u.path, 0, nlevel(top.path) + 1) as gpath, t.branches, t.held, t.late, t.waived,
             case when t.due_on < ${p.today}::date then t.unmet else 0 end as missing,
             case when t.due_on >= ${p.today}::date then t.unmet else 0 end as open
      from top, life_tallies t join organizations u on u.id = t.unit_id
      where t.period = ${p.period} and u.path <@ top.path and u.id <> top.id
      union all
      select b.path, 1,
             count(*) filter (where l.late = false),
             count(*) filter (where l.late),
             count(*) filter (where l.waived_reason is not null),
             count(*) filter (where l.meeting_id is null and l.waived_reason is null and l.due_on < ${p.today}::date),
             count(*) filter (where l.meeting_id is null and l.waived_reason is null and l.due_on >= ${p.today}::date)
      from top, organizations b join life_obligations l on l.organization_id = b.id and l.period = ${p.period}
      where b.parent_id = top.id or b.id = top.id
      group by b.id),
    summed as (
      select gpath, sum(branches)::int as branches, sum(held)::int as held, sum(late)::int as late,
             sum(missing)::int as missing, sum(open)::int as open, sum(waived)::int as waived
      from counted group by gpath having sum(branches) > 0)
    select o.code, o.name, o.type, s.branches, s.held, s.late, s.missing, s.open, s.waived
    from summed s join organizations o on o.path = s.gpath
    order by s.missing desc, s.late desc, o.name`;
}

export interface MeetingRow {
  id: number;
  meetingOn: string;
  kinds: MeetingKind[];
  /** A 党小组会's group; its attendance (`onRegister`, `present`) is the group's. */
  group: string | null;
  topic: string;
  onRegister: number;
  present: number;
  recordedBy: string;
  recordedAt: string;
  /** The obligations it met, each with whether it came late. */
  met: { period: string; kind: MeetingKind; late: boolean }[];
}

/** A branch's meetings of a year, newest first. */
export function meetingsOf(sql: Queryable, organizationId: number, year: number) {
  return sql<MeetingRow[]>`
    select m.id::int as id, to_char(m.held_on, 'YYYY-MM-DD') as "meetingOn", m.kinds, (select name from party_groups where id = m.group_id) as "group", m.topic, m.on_register as "onRegister", m.present,
           m.recorded_by as "recordedBy", to_char(m.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "recordedAt",
           coalesce((select json_agg(json_build_object('period', l.period, 'kind', l.kind, 'late', l.late) order by l.period, l.kind)
                     from life_obligations l where l.meeting_id = m.id), '[]') as met
    from meetings m
    where m.organization_id = ${organizationId} and m.held_on >= make_date(${year}::int, 1, 1) and m.held_on < make_date(${year}::int + 1, 1, 1)
    order by m.held_on desc, m.id desc`;
}

/** The branches under `path` that keep the cadence (the rule set's types) and have no year's process yet. */
export function branchesToStart(sql: Queryable, p: { path: string; types: readonly string[]; year: number }) {
  return sql<{ id: number; code: string }[]>`
    select o.id, o.code from organizations o
    where o.path <@ ${p.path}::ltree and o.type = any(${p.types as string[]})
      and not exists (select 1 from life_obligations l where l.organization_id = o.id and l.year = ${p.year})
    order by o.id`;
}
