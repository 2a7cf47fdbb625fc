// 党小组 on a branch's register (migrations/117_party_groups.sql): its groups with their leader and members, and the
// register keepers' writes — a group formed, renamed, deleted (none of its meetings recorded) or dissolved as of a day,
// a member placed in a group or taken out. Membership is kept by day, so a 党小组会 reads the group as it was on the
// meeting's day (groupMembersOn). A member leaving the branch leaves their group by the migration's trigger.
import type { Queryable, Sql } from '../db/client.js';
import { countedStatuses, type MemberStatus } from '../domain/members.js';
import type { IsoDate } from '../domain/dates.js';

export interface PartyGroup {
  id: number;
  name: string;
  leader: { id: number; name: string } | null;
  createdOn: string;
  members: { id: number; name: string; since: string }[];
}

/** Why a write was refused, with the field it concerns (the API's 422 or 409). */
export class GroupRefused extends Error {
  constructor(
    readonly status: 409 | 422,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A branch's groups while they last, by name, each with its members of today. */
export function groupsOf(sql: Sql, organizationId: number): Promise<PartyGroup[]> {
  return sql<PartyGroup[]>`
    select g.id::int as id, g.name, to_char(g.created_on, 'YYYY-MM-DD') as "createdOn",
           case when l.id is null then null else json_build_object('id', l.id, 'name', l.name) end as leader,
           coalesce((select json_agg(json_build_object('id', m.id, 'name', m.name, 'since', to_char(gm.since, 'YYYY-MM-DD')) order by m.name, m.id)
                     from party_group_members gm join members m on m.id = gm.member_id
                     where gm.group_id = g.id and gm.until is null), '[]') as members
    from party_groups g left join members l on l.id = g.leader_id
    where g.organization_id = ${organizationId} and g.dissolved_on is null
    order by g.name, g.id`;
}

/** A group with its branch's id and path (for the caller's scope); undefined for none. */
export async function getGroup(
  sql: Sql,
  id: number,
): Promise<{ id: number; name: string; organizationId: number; path: string; createdOn: string; dissolvedOn: string | null } | undefined> {
  const [g] = await sql<{ id: number; name: string; organizationId: number; path: string; createdOn: string; dissolvedOn: string | null }[]>`
    select g.id::int as id, g.name, g.organization_id::int as "organizationId", o.path::text as path,
           to_char(g.created_on, 'YYYY-MM-DD') as "createdOn", to_char(g.dissolved_on, 'YYYY-MM-DD') as "dissolvedOn"
    from party_groups g join organizations o on o.id = g.organization_id where g.id = ${id}`;
  return g;
}

/** A member of the branch's register today, in a status that counts (a leader or a group's member must be). */
async function onBranch(sql: Queryable, organizationId: number, memberId: number, field: string): Promise<void> {
  const [m] =
    await sql`select 1 from members where id = ${memberId} and organization_id = ${organizationId} and status = any(${countedStatuses as MemberStatus[]})`;
  if (!m) throw new GroupRefused(422, field, `member ${memberId} is not on this branch's register`);
}

/** Places `memberId` in the group from `since` (out of the one they were in), or takes them out of any with null. */
async function place(sql: Queryable, memberId: number, groupId: number | null, since: IsoDate): Promise<void> {
  const [current] = await sql<{ group_id: string; since: string }[]>`
    select group_id, to_char(since, 'YYYY-MM-DD') as since from party_group_members where member_id = ${memberId} and until is null for update`;
  if (current && Number(current.group_id) === groupId) return;
  if (current) {
    if (since < current.since) throw new GroupRefused(422, 'body.since', `the member is in their group since ${current.since}`);
    await sql`update party_group_members set until = ${since} where member_id = ${memberId} and until is null`;
  }
  // A membership that ended the day it began was none: gone, so reading the group by day never finds it.
  await sql`delete from party_group_members where member_id = ${memberId} and until = since`;
  if (groupId !== null) await sql`insert into party_group_members (group_id, member_id, since) values (${groupId}, ${memberId}, ${since})`;
}

/** A group formed on `on`: its name free among the branch's groups, its leader (if named) placed in it. */
export async function createGroup(sql: Sql, g: { organizationId: number; name: string; leaderId: number | null; on: IsoDate; actor: string }): Promise<number> {
  return sql.begin(async (tx) => {
    await nameFree(tx, g.organizationId, g.name, null);
    if (g.leaderId !== null) await onBranch(tx, g.organizationId, g.leaderId, 'body.leaderId');
    const [row] = await tx<{ id: number }[]>`
      insert into party_groups (organization_id, name, leader_id, created_on, created_by)
      values (${g.organizationId}, ${g.name}, ${g.leaderId}, ${g.on}, ${g.actor}) returning id::int as id`;
    if (g.leaderId !== null) await leaderIn(tx, row!.id, g.leaderId, g.on);
    return row!.id;
  });
}

async function nameFree(sql: Queryable, organizationId: number, name: string, except: number | null): Promise<void> {
  const [taken] = await sql`
    select 1 from party_groups where organization_id = ${organizationId} and name = ${name} and dissolved_on is null
      ${except === null ? sql`` : sql`and id <> ${except}`}`;
  if (taken) throw new GroupRefused(409, 'body.name', `the branch has a group named ${name}`);
}

/** The leader leads the group they are in: placed in it when in none; one in another group is refused. */
async function leaderIn(sql: Queryable, groupId: number, leaderId: number, on: IsoDate): Promise<void> {
  const [current] = await sql<{ group_id: string }[]>`select group_id from party_group_members where member_id = ${leaderId} and until is null`;
  if (current && Number(current.group_id) !== groupId) throw new GroupRefused(422, 'body.leaderId', 'the leader is in another group: move them first');
  if (!current) await place(sql, leaderId, groupId, on);
}

/** A group renamed, or its leader changed (null: none). */
export async function updateGroup(sql: Sql, g: { id: number; organizationId: number; name?: string; leaderId?: number | null; on: IsoDate }): Promise<void> {
  await sql.begin(async (tx) => {
    if (g.name !== undefined) {
      await nameFree(tx, g.organizationId, g.name, g.id);
      await tx`update party_groups set name = ${g.name} where id = ${g.id}`;
    }
    if (g.leaderId !== undefined) {
      if (g.leaderId !== null) {
        await onBranch(tx, g.organizationId, g.leaderId, 'body.leaderId');
        await leaderIn(tx, g.id, g.leaderId, g.on);
      }
      await tx`update party_groups set leader_id = ${g.leaderId} where id = ${g.id}`;
    }
  });
}

/**
 * A group deleted with its memberships: refused (409) once a meeting of it is recorded or a year of 三会一课 owes its
 * meetings — those records name it, so it is dissolved instead.
 */
export async function deleteGroup(sql: Sql, id: number): Promise<void> {
  await sql.begin(async (tx) => {
    const [named] = await tx`
      select 1 where exists (select 1 from meetings where group_id = ${id}) or exists (select 1 from life_obligations where group_id = ${id})`;
    if (named) throw new GroupRefused(409, 'params.id', 'the group has meetings recorded or planned: dissolve it as of a day instead');
    await tx`delete from party_group_members where group_id = ${id}`;
    await tx`delete from party_groups where id = ${id}`;
  });
}

/** A group dissolved as of `on`: its members leave it that day; its records keep its name. */
export async function dissolveGroup(sql: Sql, id: number, on: IsoDate): Promise<void> {
  await sql.begin(async (tx) => {
    const [late] = await tx<{ since: string }[]>`
      select to_char(max(since), 'YYYY-MM-DD') as since from party_group_members where group_id = ${id} and until is null having max(since) > ${on}::date`;
    if (late) throw new GroupRefused(422, 'body.on', `a member joined the group on ${late.since}, after that day`);
    await tx`update party_group_members set until = ${on} where group_id = ${id} and until is null`;
    await tx`delete from party_group_members where group_id = ${id} and until = since`;
    await tx`update party_groups set dissolved_on = ${on} where id = ${id}`;
  });
}

/** A member of the branch placed in one of its groups as of `since`, or out of theirs (null). */
export async function setMemberGroup(sql: Sql, m: { memberId: number; organizationId: number; groupId: number | null; since: IsoDate }): Promise<void> {
  await sql.begin(async (tx) => {
    if (m.groupId !== null) {
      const [g] = await tx<{ organization_id: string; dissolved_on: string | null; created_on: string }[]>`
        select organization_id, dissolved_on, to_char(created_on, 'YYYY-MM-DD') as created_on from party_groups where id = ${m.groupId}`;
      if (!g || Number(g.organization_id) !== m.organizationId || g.dissolved_on !== null)
        throw new GroupRefused(422, 'body.groupId', `no group ${m.groupId} of the member's branch`);
      if (m.since < g.created_on) throw new GroupRefused(422, 'body.since', `the group was formed on ${g.created_on}`);
      await onBranch(tx, m.organizationId, m.memberId, 'params.id');
    }
    // A leader taken out of their group no longer leads it.
    const [was] = await tx<{ group_id: string }[]>`select group_id from party_group_members where member_id = ${m.memberId} and until is null`;
    await place(tx, m.memberId, m.groupId, m.since);
    if (was && Number(was.group_id) !== m.groupId)
      await tx`update party_groups set leader_id = null where id = ${Number(was.group_id)} and leader_id = ${m.memberId}`;
  });
}

/**
 * The groups of a branch when its year of 三会一课 is planned: each owes its 党小组会, its leader's user (if linked)
 * holding the record's task.
 */
export function groupsForPlanning(sql: Sql, organizationId: number) {
  return sql<{ id: number; name: string; leaderUser: string | null }[]>`
    select g.id::int as id, g.name, u.username as "leaderUser"
    from party_groups g left join members l on l.id = g.leader_id left join users u on u.id = l.user_id
    where g.organization_id = ${organizationId} and g.dissolved_on is null
    order by g.id`;
}

/**
 * The members of a group on `day` who were on the branch's register then (`onRegister` of src/members/store.ts
 * joined by the caller): their ids, for a 党小组会's attendance.
 */
export function groupMembersOnSql(sql: Sql, groupId: number, day: IsoDate) {
  return sql`select member_id from party_group_members where group_id = ${groupId} and since <= ${day}::date and (until is null or until > ${day}::date)`;
}
