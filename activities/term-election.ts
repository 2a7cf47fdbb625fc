import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { termRulesFor, termYearsOf, type ElectionBody, type TermRules } from '../src/domain/rules.js';
import { addDays, shanghaiDate, shanghaiInstant, type IsoDate } from '../src/domain/dates.js';
import { fullMembersOnRegister, fullMembersOnRegisterAmong } from '../src/members/store.js';
import { writeTerm, type TermWrite } from './term-register.js';

export interface TermContext {
  organizationId: number;
  /** ltree path: the rights of the process's actions are checked against it. */
  orgPath: string;
  /** The supervising committee (上级党委): its tasks (reply, review, approval) are assigned there. */
  parentId: number | null;
  /** Full members on the register when the run starts: the most who may vote. */
  fullMembers: number;
  termEndsOn: IsoDate;
  rules: TermRules;
  /**
   * How the committee is elected (organizations.election_body): a delegates' conference counts its delegates, not the
   * members. Runs that read their context without it carry none and hold a members' meeting.
   */
  electionBody?: ElectionBody | null;
  /** The organization's own number of the term (第n届), or null when its files do not say (never the run's counter). */
  termOrdinal?: number | null;
}

/**
 * The term election's I/O (workflows/term-election/): the register it reads when a run starts and when the members'
 * meeting opens, and the register writes of its owner — the renewed term, and a correction sent by an import.
 * Idempotent: absolute values, audit rows only when something changed.
 */
export function termElectionActivities(sql: Sql) {
  return {
    async loadTermContext(input: { organization: string; at: string; ruleSet?: string }): Promise<TermContext> {
      const [org] = await sql<
        {
          id: number;
          term_ends_on: Date | null;
          path: string;
          parent_id: number | null;
          full_members: number;
          election_body: ElectionBody | null;
          term_ordinal: number | null;
        }[]
      >`
        select id, term_ends_on, path::text as path, parent_id, full_members, election_body, term_ordinal from organizations where code = ${input.organization}`;
      if (!org) throw ApplicationFailure.nonRetryable(`organization ${input.organization} does not exist`, 'NotFound');
      if (!org.term_ends_on) {
        throw ApplicationFailure.nonRetryable(`organization ${input.organization} has no term on the register`, 'NoTerm');
      }
      return {
        organizationId: org.id,
        orgPath: org.path,
        parentId: org.parent_id === null ? null : Number(org.parent_id),
        fullMembers: org.full_members,
        termEndsOn: shanghaiDate(org.term_ends_on),
        rules: termRulesFor(shanghaiDate(new Date(input.at)), input.ruleSet),
        electionBody: org.election_body,
        termOrdinal: org.term_ordinal,
      };
    },

    /** Full members on the register now: the members' meeting checks its ballot against them (domain.md §4.1 step 6). */
    async countFullMembers(i: { organizationId: number }): Promise<{ fullMembers: number }> {
      const [o] = await sql<{ full_members: number }[]>`select full_members from organizations where id = ${i.organizationId}`;
      if (!o) throw ApplicationFailure.nonRetryable(`organization ${i.organizationId} does not exist`, 'NotFound');
      return { fullMembers: o.full_members };
    },

    /** The delegates elected to the organization's delegates' conference, as the register holds them now (null: none entered). */
    async countDelegates(i: { organizationId: number }): Promise<{ delegates: number | null }> {
      const [o] = await sql<{ delegates: number | null }[]>`select delegates from organizations where id = ${i.organizationId}`;
      if (!o) throw ApplicationFailure.nonRetryable(`organization ${i.organizationId} does not exist`, 'NotFound');
      return { delegates: o.delegates };
    },

    /**
     * Full members on the register on `on` (a meeting's day, Asia/Shanghai). Where the members are on the register,
     * the register's members that day (src/members/store.ts); else the typed count: today's, unless an audited change
     * of it after that day changed it — then the count that change found. Both processes' members'
     * meetings check their entitled count against it when the ballot is recorded (domain.md §4.1 step 6, §4.2).
     */
    async fullMembersOn(i: { organizationId: number; on: IsoDate }): Promise<{ fullMembers: number }> {
      const [o] = await sql<{ full_members: number; members_on_register: boolean }[]>`
        select full_members, members_on_register from organizations where id = ${i.organizationId}`;
      if (!o) throw ApplicationFailure.nonRetryable(`organization ${i.organizationId} does not exist`, 'NotFound');
      // Members on the register: the register as it stood that day, person by person.
      if (o.members_on_register) return { fullMembers: await fullMembersOnRegister(sql, i.organizationId, i.on) };
      const [later] = await sql<{ before: number }[]>`
        select (before->>'full_members')::int as before from organization_changes
        where organization_id = ${i.organizationId} and changed_at >= ${shanghaiInstant(addDays(i.on, 1), 0)}
          and before ? 'full_members' and after ? 'full_members' and before->'full_members' is distinct from after->'full_members'
        order by changed_at, id limit 1`;
      return { fullMembers: later?.before ?? o.full_members };
    },

    /** Whether the organization's members are on the register (its counts are the register's, never typed). */
    async membersOnRegister(i: { organizationId: number }): Promise<{ onRegister: boolean }> {
      const [o] = await sql<{ members_on_register: boolean }[]>`select members_on_register from organizations where id = ${i.organizationId}`;
      if (!o) throw ApplicationFailure.nonRetryable(`organization ${i.organizationId} does not exist`, 'NotFound');
      return { onRegister: o.members_on_register };
    },

    /**
     * Members proposed to be left out of a members' meeting's entitled count, looked up on the register on `on`:
     * each id with its name where it was a full member of the organization's register that day, null where not.
     * Keys are the ids as text (the workflow keeps the answer in a task's context, which is JSON).
     */
    async fullMembersAmong(i: { organizationId: number; on: IsoDate; memberIds: number[] }): Promise<{ members: Record<string, string | null> }> {
      const found = await fullMembersOnRegisterAmong(sql, i.organizationId, i.on, i.memberIds);
      return { members: Object.fromEntries(i.memberIds.map((id) => [String(id), found.get(id) ?? null])) };
    },

    /**
     * Step 8: the approved election starts the new term. Its length is the one in force on the day the new term
     * starts (domain.md §4.1), not the run's rule set: the run carries the set in force when it began, which for a
     * term elected after a rule change is the old one (a village elected in 2018 gets the 2018 rules' 5 years, not
     * the 2010 rules' 3). `ruleSet` stays in the input for the histories that pass it; it does not choose the length.
     */
    async renewTerm(r: {
      workflowId: string;
      organizationId: number;
      startedOn: IsoDate;
      secretary: string;
      ruleSet: string;
      at: string;
    }): Promise<{ termEndsOn: IsoDate; termOrdinal: number | null }> {
      const rules = termRulesFor(r.startedOn);
      const [org] = await sql<{ type: string; sector: string }[]>`select type, sector from organizations where id = ${r.organizationId}`;
      if (!org) throw ApplicationFailure.nonRetryable(`organization ${r.organizationId} does not exist`, 'NotFound');
      const years = termYearsOf(rules, org.type, org.sector);
      const [row] = await sql<{ term_ends_on: Date; term_ordinal: number | null }[]>`
        update organizations set term_started_on = ${r.startedOn}, term_years = ${years}, secretary_name = ${r.secretary},
                                 term_postponed_until = null, updated_at = ${r.at},
                                 -- The next of the organization's own numbering, when it is known; a retry numbers once.
                                 term_ordinal = case when term_started_on is distinct from ${r.startedOn}::date then term_ordinal + 1 else term_ordinal end
        where id = ${r.organizationId} returning term_ends_on, term_ordinal`;
      return { termEndsOn: row!.term_ends_on.toISOString().slice(0, 10), termOrdinal: row!.term_ordinal };
    },

    /**
     * Step 4: the supervisor approved a postponement. The register shows the day the election is now due, and the
     * change is audited as the process's (the register's owner); cleared by renewTerm. Idempotent as correctTerm.
     */
    async recordPostponement(r: { organizationId: number; postponedUntil: IsoDate; actor: string; reason?: string; at: string }): Promise<void> {
      await sql.begin(async (tx) => {
        const [before] = await tx<{ code: string; term_postponed_until: Date | null }[]>`
          select code, term_postponed_until from organizations where id = ${r.organizationId} for update`;
        if (!before) throw ApplicationFailure.nonRetryable(`organization ${r.organizationId} does not exist`, 'NotFound');
        const old = before.term_postponed_until ? shanghaiDate(before.term_postponed_until) : null;
        if (old === r.postponedUntil) return;
        await tx`update organizations set term_postponed_until = ${r.postponedUntil}, updated_at = ${r.at} where id = ${r.organizationId}`;
        await tx`
          insert into organization_changes (organization_id, code, changed_by, changed_at, source, before, after)
          values (${r.organizationId}, ${before.code}, ${r.actor}, ${r.at}, 'term-election',
                  ${tx.json({ term_postponed_until: old })}, ${tx.json({ term_postponed_until: r.postponedUntil, reason: r.reason ?? null })})`;
      });
    },

    /**
     * The monthly reminder of a term past the day its election was due: a line in the process's history, and a
     * message to the organization's secretaries and to the supervising committee's supervisors and organizers.
     * Both in one transaction and only when the line is new, so a retry tells nobody twice.
     */
    async remindOverdueTerm(r: {
      workflowId: string;
      eventKey: string;
      organizationId: number;
      supervisorId: number | null;
      step: string;
      dueOn: IsoDate;
      monthsOverdue: number;
      run: number;
      at: string;
    }): Promise<void> {
      await sql.begin(async (tx) => {
        const [ev] = await tx`
          insert into process_events (workflow_id, event_key, at, step, detail, verb, round, run)
          values (${r.workflowId}, ${r.eventKey}, ${r.at}, ${r.step}, ${tx.json({ dueOn: r.dueOn, monthsOverdue: r.monthsOverdue })}, 'term-overdue', null, ${r.run})
          on conflict do nothing returning event_key`;
        if (!ev) return;
        const [org] = await tx<{ name: string }[]>`select name from organizations where id = ${r.organizationId}`;
        const title = `督办：${org?.name ?? ''}换届应于 ${r.dueOn} 前完成，已逾期 ${r.monthsOverdue} 个月`;
        await tx`
          insert into notifications (user_id, event_key, kind, task_id, title, body, created_at)
          select distinct u.user_id, ${`term-overdue:${r.workflowId}:${r.eventKey}`}, 'reminder', null::bigint, ${title}, '', ${r.at}::timestamptz
          from user_roles u
          where (u.organization_id = ${r.organizationId} and u.role = 'secretary')
             or (u.organization_id = ${r.supervisorId} and u.role in ('supervisor', 'organizer'))
          on conflict do nothing`;
      });
    },

    /** A correction sent by an import while the run waits on the register (writeTerm: locked, audited when changed). */
    async correctTerm(c: TermWrite): Promise<{ termEndsOn: IsoDate }> {
      return { termEndsOn: (await writeTerm(sql, c)).termEndsOn! };
    },
  };
}
