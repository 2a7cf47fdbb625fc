// I/O of a branch's year of organization life (workflows/organization-life): planning the year's obligations on the
// working-day calendar, reading the register of a meeting's day, and keeping a record with the obligations it
// meets — each in one statement or one transaction, so a retried activity writes nothing twice.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { shanghaiDate, type IsoDate } from '../src/domain/dates.js';
import { lifeRulesFor, meetingKinds, obligationsOf, recordedLate, type MeetingKind, type MeetingRecord } from '../src/domain/organization-life/rules.js';
import { membersOnRegisterOn } from '../src/members/store.js';
import { groupsForPlanning } from '../src/members/groups.js';
import { loadCalendar } from '../src/tasks/holders.js';

export interface PlannedObligation {
  kind: MeetingKind;
  period: string;
  startsOn: IsoDate;
  endsOn: IsoDate;
  dueOn: IsoDate;
  /** Met or waived already (a run read again after a retry): no task is opened for it. */
  settled: boolean;
  /** A 党小组会's group (rule set branch-life-2027); null or absent for the branch's own meetings. */
  groupId?: number | null;
}

/** A party group whose 党小组会 the year owes: its name, and its leader's user, who records it when linked. */
export interface LifeGroup {
  id: number;
  name: string;
  leaderUser: string | null;
}

export interface LifeYear {
  organizationId: number;
  /** The committee above the branch, whose organizers spot-check its records. */
  parentId: number | null;
  orgPath: string;
  name: string;
  ruleSet: string;
  obligations: PlannedObligation[];
  /** The groups owing a 党小组会 each month (absent in runs planned before the register knew groups). */
  groups?: LifeGroup[];
}

/** An obligation a record met: its period and kind, and whether the record came late for it. */
export interface MetObligation {
  period: string;
  kind: MeetingKind;
  late: boolean;
  groupId?: number | null;
}

export function organizationLifeActivities(sql: Sql) {
  return {
    /**
     * The year's obligations under the rule set in force on its first day, each due the rule set's working days after
     * its period ends: written once (a planned row stays as written), read back with whatever was met since.
     */
    async planLifeYear(i: { workflowId: string; organization: string; year: number }): Promise<LifeYear> {
      const [o] = await sql<{ id: number; parent_id: number | null; path: string; name: string; type: string }[]>`
        select id, parent_id, path::text as path, name, type from organizations where code = ${i.organization}`;
      if (!o) throw ApplicationFailure.nonRetryable(`no organization ${i.organization}`, 'NotFound');
      const r = lifeRulesFor(`${i.year}-01-01`);
      const cal = await loadCalendar(sql);
      // The groups the branch has now owe a 党小组会 each month of the year, where the rule set asks for it.
      const groups = r.cadence['group-meeting'] ? await groupsForPlanning(sql, o.id) : [];
      const planned = obligationsOf(
        i.year,
        r,
        groups.map((g) => g.id),
      ).map((ob) => ({ ...ob, dueOn: cal.addWorkingDays(ob.endsOn, r.recordWithinWorkingDays) }));
      const rows = await sql.begin(async (tx) => {
        await tx`
          insert into life_obligations ${tx(
            planned.map((p) => ({
              organization_id: o.id,
              year: i.year,
              period: p.period,
              kind: p.kind,
              starts_on: p.startsOn,
              ends_on: p.endsOn,
              due_on: p.dueOn,
              workflow_id: i.workflowId,
              group_id: p.groupId ?? null,
            })),
          )}
          on conflict do nothing`;
        return tx<PlannedObligation[]>`
          select kind, period, to_char(starts_on, 'YYYY-MM-DD') as "startsOn", to_char(ends_on, 'YYYY-MM-DD') as "endsOn",
                 to_char(due_on, 'YYYY-MM-DD') as "dueOn", (meeting_id is not null or waived_reason is not null) as settled,
                 group_id::int as "groupId"
          from life_obligations where organization_id = ${o.id} and year = ${i.year}
          order by starts_on, array_position(${meetingKinds as unknown as string[]}::text[], kind), group_id`;
      });
      return {
        organizationId: o.id,
        parentId: o.parent_id === null ? null : Number(o.parent_id),
        orgPath: o.path,
        name: o.name,
        ruleSet: r.id,
        // The branch's own obligations as they always were (no groupId); a group's names its group.
        obligations: rows.map(({ groupId, ...ob }) => (groupId === null || groupId === undefined ? ob : { ...ob, groupId })),
        groups,
      };
    },

    /** A page of the branches (the rule set's types) under a subtree, or the whole tree, with no year planned yet. */
    async branchesWithoutLifeYear(i: { year: number; under?: string; afterId: number; limit: number }): Promise<{ id: number; code: string }[]> {
      const r = lifeRulesFor(`${i.year}-01-01`);
      const rows = await sql<{ id: string; code: string }[]>`
        select o.id, o.code from organizations o
        where o.id > ${i.afterId} and o.type = any(${r.heldBy as string[]})
          ${i.under ? sql`and o.path <@ (select path from organizations where code = ${i.under})` : sql``}
          and not exists (select 1 from life_obligations l where l.organization_id = o.id and l.year = ${i.year})
        order by o.id limit ${i.limit}`;
      return rows.map((x) => ({ id: Number(x.id), code: x.code }));
    },

    /** The register of a meeting's day: how many were on it, and the names of those a record names among them. */
    async registerOfDay(i: {
      organizationId: number;
      day: IsoDate;
      memberIds: number[];
      /** A 党小组会's group: only its members that day. */
      groupId?: number | null;
    }): Promise<{ onRegister: number; names: Record<string, string> }> {
      const r = await membersOnRegisterOn(sql, i.organizationId, i.day, i.memberIds, i.groupId ?? undefined);
      return { onRegister: r.count, names: Object.fromEntries([...r.among].map(([id, name]) => [String(id), name])) };
    },

    /**
     * A meeting's record, filed through one obligation's task: the meeting with its absences, and the obligations it
     * meets — its own, and for each other kind held with it the unmet one whose period holds the meeting's day. A
     * retry finds the record already kept (one per task) and answers what it met then.
     */
    async recordMeeting(i: {
      workflowId: string;
      organizationId: number;
      taskKey: string;
      period: string;
      kind: MeetingKind;
      record: MeetingRecord;
      actor: string;
      at: string;
      /** A 党小组会's group: its attendance is the group's members on the day, and it meets that group's month alone. */
      groupId?: number | null;
    }): Promise<{ meetingId: number; met: MetObligation[] }> {
      const o = i.record;
      const absent = o.absent ?? [];
      const groupId = i.groupId ?? null;
      const reg = await membersOnRegisterOn(sql, i.organizationId, o.meetingOn, [], groupId ?? undefined);
      const recordedOn = shanghaiDate(new Date(i.at));
      return sql.begin(async (tx) => {
        const [kept] = await tx<{ id: number }[]>`select id from meetings where workflow_id = ${i.workflowId} and task_key = ${i.taskKey}`;
        if (kept) {
          const met = await tx<(MetObligation & { groupId: number | null })[]>`
            select period, kind, late, group_id::int as "groupId" from life_obligations where meeting_id = ${kept.id}`;
          return { meetingId: kept.id, met: met.map(({ groupId: g, ...m }) => (g === null ? m : { ...m, groupId: g })) };
        }
        const [m] = await tx<{ id: number }[]>`
          insert into meetings (organization_id, workflow_id, task_key, held_on, kinds, topic, minutes, on_register, present, recorded_by, recorded_at, group_id)
          values (${i.organizationId}, ${i.workflowId}, ${i.taskKey}, ${o.meetingOn}, ${o.kinds as string[]}, ${o.topic}, ${o.minutes},
                  ${reg.count}, ${Math.max(reg.count - absent.length, 0)}, ${i.actor}, ${i.at}, ${groupId})
          returning id`;
        if (absent.length) {
          await tx`insert into meeting_absences ${tx(absent.map((a) => ({ meeting_id: m!.id, member_id: a.memberId, reason: a.reason })))}`;
        }
        // Set-based: this task's own obligation, and the others the meeting's kinds meet in the period holding its day
        // (the branch's own: a branch meeting meets no group's month, a group's meets only its own).
        const rows = await tx<{ period: string; kind: MeetingKind; endsOn: IsoDate; dueOn: IsoDate; groupId: number | null }[]>`
          select period, kind, to_char(ends_on, 'YYYY-MM-DD') as "endsOn", to_char(due_on, 'YYYY-MM-DD') as "dueOn", group_id::int as "groupId"
          from life_obligations
          where organization_id = ${i.organizationId} and meeting_id is null and waived_reason is null
            and ((period = ${i.period} and kind = ${i.kind} and group_id is not distinct from ${groupId}::bigint)
                 or (${groupId}::bigint is null and group_id is null and kind = any(${o.kinds.filter((k) => k !== i.kind) as string[]})
                     and ${o.meetingOn}::date between starts_on and ends_on))
          for update`;
        const met: MetObligation[] = rows.map((r) => ({
          period: r.period,
          kind: r.kind,
          late: recordedLate(o.meetingOn, r.endsOn, recordedOn, r.dueOn),
          ...(r.groupId === null ? {} : { groupId: r.groupId }),
        }));
        if (met.length) {
          await tx`
            update life_obligations l set meeting_id = ${m!.id}, recorded_at = ${i.at}, late = v.late
            from (select * from jsonb_to_recordset(${tx.json(met.map((x) => ({ ...x, groupId: x.groupId ?? null })))}) as x(period text, kind text, late boolean, "groupId" bigint)) v
            where l.organization_id = ${i.organizationId} and l.period = v.period and l.kind = v.kind and l.group_id is not distinct from v."groupId"`;
        }
        return { meetingId: m!.id, met };
      });
    },

    /** An obligation whose task a person cancelled (a branch dissolved, a meeting excused): waived, with their reason. */
    async waiveObligation(i: { organizationId: number; period: string; kind: MeetingKind; reason: string; groupId?: number | null }): Promise<void> {
      await sql`
        update life_obligations set waived_reason = ${i.reason}
        where organization_id = ${i.organizationId} and period = ${i.period} and kind = ${i.kind} and meeting_id is null
          and group_id is not distinct from ${i.groupId ?? null}::bigint`;
    },

    /** The year's figures when it closes: met on time, met late, missed, waived. */
    async lifeYearFigures(i: { organizationId: number; year: number }): Promise<{ held: number; late: number; missing: number; waived: number }> {
      const [r] = await sql<{ held: number; late: number; missing: number; waived: number }[]>`
        select count(*) filter (where late = false)::int as held, count(*) filter (where late)::int as late,
               count(*) filter (where meeting_id is null and waived_reason is null)::int as missing,
               count(*) filter (where waived_reason is not null)::int as waived
        from life_obligations where organization_id = ${i.organizationId} and year = ${i.year}`;
      return r!;
    },
  };
}
