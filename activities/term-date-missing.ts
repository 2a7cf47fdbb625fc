// I/O of the term-date-missing process (workflows/term-date-missing/) and of the term register's yearly schedule:
// which organizations lack a term, writing the term the organizer entered, and the 年度换届计划 sent to supervisors.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import type { IsoDate } from '../src/domain/dates.js';
import type { ProcessKind } from '../src/domain/step.js';
import { writeTerm, type TermWrite } from './term-register.js';
import { electsHere, termPlanReason, type TermPlanReason } from '../src/organizations/term-late.js';

export interface TermDateContext extends SupervisedOrganization {
  termStartedOn: IsoDate | null;
  /** The organization's type and sector: the term length the rule set allows depends on them. */
  type?: string;
  sector?: string;
}

export const TERM_DATE_MISSING = 'term-date-missing' satisfies ProcessKind;

/**
 * Organizations that should have a term on the register and have none: a Party organization (committee, general
 * branch, branch — a unit has no committee yet) with a supervising committee above it, whose committee is elected
 * here (an appointed 工委 or a county committee has no term to chase: electsHere).
 */
const missing = (sql: Sql) => sql`o.type <> 'unit' and o.parent_id is not null and ${electsHere(sql)} and (o.term_started_on is null or o.term_years is null)`;

/** An organization and its supervising committee, as a process about it reads them (the chase, the 约谈). */
export interface SupervisedOrganization {
  organizationId: number;
  orgPath: string;
  code: string;
  name: string;
  /** The supervising committee: its organizers hold the organization's task. */
  parentId: number;
}
export const supervised = (o: { id: string | number; path: string; code: string; name: string; parent_id: string | number }): SupervisedOrganization => ({
  organizationId: Number(o.id),
  orgPath: o.path,
  code: o.code,
  name: o.name,
  parentId: Number(o.parent_id),
});

/** The subtree a sweep, a plan or a recompute is limited to (a code; the whole tree without one). */
export async function rootPath(sql: Sql, under?: string): Promise<string | null> {
  if (!under) return null;
  const [r] = await sql<{ path: string }[]>`select path::text as path from organizations where code = ${under}`;
  if (!r) throw ApplicationFailure.nonRetryable(`organization ${under} does not exist`, 'NotFound');
  return r.path;
}

export function termDateMissingActivities(sql: Sql) {
  return {
    async loadTermDateContext(i: { organization: string }): Promise<TermDateContext> {
      const [o] = await sql<
        {
          id: number;
          path: string;
          code: string;
          name: string;
          parent_id: number | null;
          type: string;
          sector: string;
          term_started_on: string | null;
          term_years: number | null;
        }[]
      >`
        select id, path::text as path, code, name, parent_id, type, sector, to_char(term_started_on, 'YYYY-MM-DD') as term_started_on, term_years
        from organizations where code = ${i.organization}`;
      if (!o) throw ApplicationFailure.nonRetryable(`organization ${i.organization} does not exist`, 'NotFound');
      if (o.type === 'unit' || o.parent_id === null)
        throw ApplicationFailure.nonRetryable(`${i.organization} has no term to chase (a unit, or the root)`, 'NoTerm');
      return {
        ...supervised({ ...o, parent_id: o.parent_id }),
        termStartedOn: o.term_years === null ? null : o.term_started_on,
        type: o.type,
        sector: o.sector,
      };
    },

    /** The term on the register now, if any (it may have arrived by import while the task was open). */
    async readRegisteredTerm(i: { organizationId: number }): Promise<{ termStartedOn: IsoDate | null }> {
      const [o] = await sql<{ term_started_on: string | null }[]>`
        select to_char(term_started_on, 'YYYY-MM-DD') as term_started_on from organizations where id = ${i.organizationId} and term_years is not null`;
      return { termStartedOn: o?.term_started_on ?? null };
    },

    /**
     * Writes the term the organizer entered, audited like every register change. Only into an empty register: a
     * term that arrived meanwhile (an import) is not overwritten by the task, and the answer says so. Idempotent.
     */
    async recordMissingTerm(c: TermWrite): Promise<{ written: boolean; termEndsOn: IsoDate | null }> {
      return writeTerm(sql, { ...c, ifEmpty: true });
    },

    /**
     * One page of the daily sweep: organizations lacking a term with no chase running (ordered by id, after
     * `afterId`), and the running chases whose organization got its term another way (an import, the CLI).
     */
    async findTermDateWork(i: { under?: string; afterId: number; limit: number }): Promise<{ missing: { id: number; code: string }[]; recorded: string[] }> {
      const root = await rootPath(sql, i.under);
      const within = root === null ? sql`true` : sql`o.path <@ ${root}::ltree`;
      const rows = await sql<{ id: string; code: string }[]>`
        select o.id, o.code from organizations o
        where ${missing(sql)} and ${within} and o.id > ${i.afterId}
          and not exists (select 1 from processes p where p.organization_id = o.id and p.kind = ${TERM_DATE_MISSING} and p.status = 'running')
        order by o.id limit ${i.limit}`;
      const recorded =
        i.afterId > 0
          ? []
          : await sql<{ workflow_id: string }[]>`
              select p.workflow_id from processes p join organizations o on o.id = p.organization_id
              where p.kind = ${TERM_DATE_MISSING} and p.status = 'running' and ${within}
                and o.term_started_on is not null and o.term_years is not null
              order by p.workflow_id`;
      return { missing: rows.map((r) => ({ id: Number(r.id), code: r.code })), recorded: recorded.map((r) => r.workflow_id) };
    },

    /**
     * 年度换届计划 (domain.md §4.1 step 1): to the supervisors of each supervising committee, the terms of the
     * organizations directly under it that are due in `year` — ending in it, an approved postponement ending in it, or
     * overdue from an earlier year (termPlanReason), each line saying which — as one in-app notification each (gathered
     * by the notifier into the e-mail digest). One per committee, supervisor and year: a retried or re-run plan
     * notifies nobody twice.
     */
    async sendTermPlan(i: { year: number; under?: string; at: string }): Promise<{ committees: number; notifications: number }> {
      const root = await rootPath(sql, i.under);
      const within = root === null ? sql`true` : sql`o.path <@ ${root}::ltree`;
      const rows = await sql<
        {
          parent_id: string;
          parent_name: string;
          code: string;
          name: string;
          term_ends_on: string;
          postponed_until: string | null;
          reason: TermPlanReason;
          secretary_name: string | null;
        }[]
      >`
        select * from (
          select o.parent_id, p.name as parent_name, o.code, o.name, to_char(o.term_ends_on, 'YYYY-MM-DD') as term_ends_on,
                 to_char(o.term_postponed_until, 'YYYY-MM-DD') as postponed_until, ${termPlanReason(sql, i.year)} as reason, o.secretary_name
          from organizations o join organizations p on p.id = o.parent_id
          where o.type <> 'unit' and ${within}) t
        where t.reason is not null
        order by t.parent_id, t.term_ends_on, t.code`;
      const why = (r: (typeof rows)[number]) =>
        r.reason === 'overdue'
          ? `${r.term_ends_on} 届满，逾期未换届`
          : r.reason === 'postponement-ends'
            ? `${r.term_ends_on} 届满，经批准延期至 ${r.postponed_until}`
            : `${r.term_ends_on} 届满`;
      const byCommittee = new Map<string, (typeof rows)[number][]>();
      for (const r of rows) byCommittee.set(r.parent_id, [...(byCommittee.get(r.parent_id) ?? []), r]);
      let notifications = 0;
      for (const [committee, list] of byCommittee) {
        const lines = list.map((r) => `${why(r)} ${r.name}（${r.code}）${r.secretary_name ? ` 书记：${r.secretary_name}` : ''}`);
        const written = await sql`
          insert into notifications (user_id, event_key, kind, title, body, created_at)
          select distinct r.user_id, ${`term-plan:${i.year}:${committee}`}, 'term-plan',
                 ${`${i.year}年度换届计划：${list[0]!.parent_name}所属 ${list.length} 个党组织本年应换届`}, ${lines.join('\n')}, ${i.at}::timestamptz
          from user_roles r where r.organization_id = ${committee} and r.role = 'supervisor'
          on conflict do nothing`;
        notifications += written.count;
      }
      return { committees: byCommittee.size, notifications };
    },
  };
}
