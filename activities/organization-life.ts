// I/O of a branch's year of organization life (workflows/organization-life): planning the year's obligations on the
// working-day calendar, reading the register of a meeting's day, and keeping a record with the obligations it
// meets — each in one statement or one transaction, so a retried activity writes nothing twice.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { shanghaiDate, type IsoDate } from '../src/domain/dates.js';
import { lifeRulesFor, meetingKinds, obligationsOf, recordedLate, type MeetingKind, type MeetingRecord } from '../src/domain/organization-life/rules.js';
import { membersOnRegisterOn } from '../src/members/store.js';
import { loadCalendar } from '../src/tasks/holders.js';

export interface PlannedObligation {
  kind: MeetingKind;
  period: string;
  startsOn: IsoDate;
  endsOn: IsoDate;
  dueOn: IsoDate;
  /** Met or waived already (a run read again after a retry): no task is opened for it. */
  settled: boolean;
}

export interface LifeYear {
  organizationId: number;
  /** The committee above the branch, whose organizers spot-check its records. */
  parentId: number | null;
  orgPath: string;
  name: string;
  ruleSet: string;
  obligations: PlannedObligation[];
}

/** An obligation a record met: its period and kind, and whether the record came late for it. */
export interface MetObligation {
  period: string;
  kind: MeetingKind;
  late: boolean;
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
      const planned = obligationsOf(i.year, r).map((ob) => ({ ...ob, dueOn: cal.addWorkingDays(ob.endsOn, r.recordWithinWorkingDays) }));
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
            })),
          )}
          on conflict do nothing`;
        return tx<{ kind: MeetingKind; period: string; startsOn: IsoDate; endsOn: IsoDate; dueOn: IsoDate; settled: boolean }[]>`
          select kind, period, to_char(starts_on, 'YYYY-MM-DD') as "startsOn", to_char(ends_on, 'YYYY-MM-DD') as "endsOn",
                 to_char(due_on, 'YYYY-MM-DD') as "dueOn", (meeting_id is not null or waived_reason is not null) as settled
          from life_obligations where organization_id = ${o.id} and year = ${i.year}
          order by starts_on, array_position(${meetingKinds as unknown as string[]}::text[], kind)`;
      });
      return {
        organizationId: o.id,
        parentId: o.parent_id === null ? null : Number(o.parent_id),
        orgPath: o.path,
        name: o.name,
        ruleSet: r.id,
        obligations: rows,
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
    async registerOfDay(i: { organizationId: number; day: IsoDate; memberIds: number[] }): Promise<{ onRegister: number; names: Record<string, string> }> {
      const r = await membersOnRegisterOn(sql, i.organizationId, i.day, i.memberIds);
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
    }): Promise<{ meetingId: number; met: MetObligation[] }> {
      const o = i.record;
      const absent = o.absent ?? [];
      const reg = await membersOnRegisterOn(sql, i.organizationId, o.meetingOn, []);
      const recordedOn = shanghaiDate(new Date(i.at));
      return sql.begin(async (tx) => {
        const [kept] = await tx<{ id: number }[]>`select id from meetings where workflow_id = ${i.workflowId} and task_key = ${i.taskKey}`;
        if (kept) {
          const met = await tx<MetObligation[]>`select period, kind, late from life_obligations where meeting_id = ${kept.id}`;
          return { meetingId: kept.id, met };
        }
        const [m] = await tx<{ id: number }[]>`
          insert into meetings (organization_id, workflow_id, task_key, held_on, kinds, topic, minutes, on_register, present, recorded_by, recorded_at)
          values (${i.organizationId}, ${i.workflowId}, ${i.taskKey}, ${o.meetingOn}, ${o.kinds as string[]}, ${o.topic}, ${o.minutes},
                  ${reg.count}, ${Math.max(reg.count - absent.length, 0)}, ${i.actor}, ${i.at})
          returning id`;
        if (absent.length) {
          await tx`insert into meeting_absences ${tx(absent.map((a) => ({ meeting_id: m!.id, member_id: a.memberId, reason: a.reason })))}`;
        }
        // Set-based: this task's own obligation, and the others the meeting's kinds meet in the period holding its day.
        const rows = await tx<{ period: string; kind: MeetingKind; endsOn: IsoDate; dueOn: IsoDate }[]>`
          select period, kind, to_char(ends_on, 'YYYY-MM-DD') as "endsOn", to_char(due_on, 'YYYY-MM-DD') as "dueOn"
          from life_obligations
          where organization_id = ${i.organizationId} and meeting_id is null and waived_reason is null
            and ((period = ${i.period} and kind = ${i.kind})
                 or (kind = any(${o.kinds.filter((k) => k !== i.kind) as string[]}) and ${o.meetingOn}::date between starts_on and ends_on))
          for update`;
        const met = rows.map((r) => ({ period: r.period, kind: r.kind, late: recordedLate(o.meetingOn, r.endsOn, recordedOn, r.dueOn) }));
        if (met.length) {
          await tx`
            update life_obligations l set meeting_id = ${m!.id}, recorded_at = ${i.at}, late = v.late
            from (select * from jsonb_to_recordset(${tx.json(met)}) as x(period text, kind text, late boolean)) v
            where l.organization_id = ${i.organizationId} and l.period = v.period and l.kind = v.kind`;
        }
        return { meetingId: m!.id, met };
      });
    },

    /** An obligation whose task a person cancelled (a branch dissolved, a meeting excused): waived, with their reason. */
    async waiveObligation(i: { organizationId: number; period: string; kind: MeetingKind; reason: string }): Promise<void> {
      await sql`
        update life_obligations set waived_reason = ${i.reason}
        where organization_id = ${i.organizationId} and period = ${i.period} and kind = ${i.kind} and meeting_id is null`;
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
