// The member register's reads and orglife's own writes to it. Reads answer masked values; an unmasked 身份证号 or
// phone is read only through `unmasked`, which writes one personal_data_reads row per value it returns in the same
// statement, so no value leaves the database without its audit.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/client.js';
import { memberAwayId } from '../../workflows/member-away/workflow.js';
import { countedStatuses, maskPhone, type MemberCategory, type MemberStatus } from '../domain/members.js';
import type { PersonalDataKey } from './personal-data.js';
import { groupMembersOnSql } from './groups.js';

export interface MemberSummary {
  id: number;
  name: string;
  gender: string;
  category: MemberCategory;
  status: MemberStatus;
  statusSince: string | null;
  joinedOn: string;
  fullOn: string | null;
  organization: { code: string; name: string };
  phone: string | null;
  idNumber: string;
  occupation: string | null;
  /** The 党小组 the member is in today, if any. */
  partyGroup: { id: number; name: string } | null;
}

export interface Member extends MemberSummary {
  ethnicity: string | null;
  birthDate: string;
  education: string | null;
  linkedUser: string | null;
  /** The period away under way, if any. */
  awayPeriod: { kind: 'away' | 'abroad'; place: string; since: string; workflowId: string } | null;
  /** The register's organization (internal, like `path`: the routes check and write with them). */
  organizationId: number;
  path: string;
}

export interface MemberEvent {
  id: number;
  kind: string;
  at: string;
  actor: string;
  source: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
}

const summaryColumns = (sql: Sql) => sql`
  m.id, m.name, m.gender, m.category, m.status, to_char(m.status_since, 'YYYY-MM-DD') as "statusSince",
  to_char(m.joined_on, 'YYYY-MM-DD') as "joinedOn", to_char(m.full_on, 'YYYY-MM-DD') as "fullOn",
  json_build_object('code', o.code, 'name', o.name) as organization, m.phone_masked as phone, m.id_number_masked as "idNumber",
  m.occupation,
  (select json_build_object('id', g.id, 'name', g.name) from party_group_members gm join party_groups g on g.id = gm.group_id
   where gm.member_id = m.id and gm.until is null) as "partyGroup"`;

/**
 * The organizations' full / probationary figures from their registers, and the mark that the register keeps them
 * (an organization import leaves them alone from then on). Set-based over the organizations given, inside the
 * caller's transaction.
 */
export async function recountMembers(sql: Sql, organizationIds: readonly number[]): Promise<void> {
  if (!organizationIds.length) return;
  // Two writes to one register at once (two transfers received together) would each count without the other's
  // member: the organizations are locked first, so the count below is read after any other writer's commit.
  await sql`select id from organizations where id = any(${organizationIds as number[]}::bigint[]) order by id for update`;
  await sql`
    update organizations o set members_on_register = true,
      full_members = coalesce(c.full, 0), probationary_members = coalesce(c.probationary, 0), updated_at = now()
    from (select id from unnest(${organizationIds as number[]}::bigint[]) as id) t
    left join lateral (
      select count(*) filter (where m.category = 'full')::int as full, count(*) filter (where m.category = 'probationary')::int as probationary
      from members m where m.organization_id = t.id and m.status = any(${countedStatuses as MemberStatus[]})) c on true
    where o.id = t.id`;
}

export interface MemberFilter {
  organizationId: number;
  /** A part of the name, or pinyin initials ("zsf"). */
  q?: string;
  status?: MemberStatus;
  category?: MemberCategory;
  /** Only the members of this 党小组 today (a 党小组会's attendance is picked from them). */
  group?: number;
  afterName?: { name: string; id: number };
  limit: number;
}

/** One organization's register, by name (a cursor of name and id pages it). */
export async function listMembers(sql: Sql, f: MemberFilter): Promise<MemberSummary[]> {
  const conds = [sql`m.organization_id = ${f.organizationId}`];
  if (f.q) {
    const initials = /^[A-Za-z]{1,32}$/.test(f.q) ? f.q.toLowerCase() : null;
    conds.push(initials ? sql`(m.name_initials like ${`${initials}%`} or m.name like ${`%${f.q}%`})` : sql`m.name like ${`%${f.q}%`}`);
  }
  if (f.status) conds.push(sql`m.status = ${f.status}`);
  if (f.category) conds.push(sql`m.category = ${f.category}`);
  if (f.group) conds.push(sql`m.id in (select member_id from party_group_members where group_id = ${f.group} and until is null)`);
  if (f.afterName) conds.push(sql`(m.name, m.id) > (${f.afterName.name}, ${f.afterName.id})`);
  return sql<MemberSummary[]>`
    select ${summaryColumns(sql)} from members m join organizations o on o.id = m.organization_id
    where ${conds.reduce((a, c) => sql`${a} and ${c}`)}
    order by m.name, m.id limit ${f.limit}`;
}

/** One member, masked, with the path of the register that holds them (for the caller's scope); undefined if none. */
export async function getMember(sql: Sql, id: number): Promise<Member | undefined> {
  const [m] = await sql<Member[]>`
    select ${summaryColumns(sql)}, m.ethnicity, to_char(m.birth_date, 'YYYY-MM-DD') as "birthDate", m.education,
           u.username as "linkedUser", o.id as "organizationId", o.path::text as path,
           (select json_build_object('kind', a.kind, 'place', a.place, 'since', to_char(a.since, 'YYYY-MM-DD'), 'workflowId', a.workflow_id)
            from member_away a where a.member_id = m.id and a.ended_on is null) as "awayPeriod"
    from members m join organizations o on o.id = m.organization_id left join users u on u.id = m.user_id
    where m.id = ${id}`;
  return m;
}

/** The member a user is linked to, if any. */
export async function memberOfUser(sql: Sql, userId: number): Promise<number | undefined> {
  const [m] = await sql<{ id: number }[]>`select id from members where user_id = ${userId}`;
  return m?.id;
}

export async function memberHistory(sql: Sql, id: number): Promise<MemberEvent[]> {
  return sql<MemberEvent[]>`
    select id, kind, to_json(at)#>>'{}' as at, actor, source, reason, before, after from member_events where member_id = ${id} order by id`;
}

export type PersonalField = 'idNumber' | 'phone';

/**
 * The unmasked values of `fields` for the members given, each read recorded (who, whose, which, why) in the same
 * statement that reads it.
 */
export async function unmasked(
  sql: Sql,
  key: PersonalDataKey,
  memberIds: readonly number[],
  fields: readonly PersonalField[],
  actor: string,
  purpose: string,
): Promise<Map<number, Partial<Record<PersonalField, string>>>> {
  const out = new Map<number, Partial<Record<PersonalField, string>>>();
  if (!memberIds.length || !fields.length) return out;
  const rows = await sql<{ id: number; id_number_sealed: string | null; phone_sealed: string | null }[]>`
    with read as (
      select m.id, m.id_number_sealed, m.phone_sealed from members m where m.id = any(${memberIds as number[]})
    ), audit as (
      insert into personal_data_reads (actor, member_id, field, purpose)
      select ${actor}, r.id, f.field, ${purpose} from read r cross join unnest(${fields as string[]}::text[]) as f(field)
      where (f.field = 'idNumber') or (f.field = 'phone' and r.phone_sealed is not null)
    )
    select id, case when ${fields.includes('idNumber')} then id_number_sealed end as id_number_sealed,
           case when ${fields.includes('phone')} then phone_sealed end as phone_sealed from read`;
  for (const r of rows) {
    const v: Partial<Record<PersonalField, string>> = {};
    if (r.id_number_sealed) v.idNumber = key.unseal(r.id_number_sealed);
    if (r.phone_sealed) v.phone = key.unseal(r.phone_sealed);
    out.set(r.id, v);
  }
  return out;
}

/**
 * Records a member's status as of a day (失联, back to 正常 …), by the person keeping the register. From then on the
 * status is orglife's: an import does not set it back. A status other than away or abroad ends the member's period
 * away, whose workflow the caller then tells (`awayWorkflowId`). `changed` is false when the member is in it already.
 */
export async function changeStatus(
  sql: Sql,
  c: { memberId: number; status: MemberStatus; since: string; reason: string; actor: string },
): Promise<{ changed: boolean; awayWorkflowId: string | null }> {
  return sql.begin(async (tx) => {
    const [m] = await tx<{ status: MemberStatus; status_since: string | null; organization_id: number }[]>`
      select status, to_char(status_since, 'YYYY-MM-DD') as status_since, organization_id from members where id = ${c.memberId} for update`;
    if (!m || m.status === c.status) return { changed: false, awayWorkflowId: null };
    await tx`update members set status = ${c.status}, status_since = ${c.since}, status_by = 'orglife', updated_at = now() where id = ${c.memberId}`;
    await tx`
      insert into member_events (member_id, kind, actor, reason, before, after)
      values (${c.memberId}, 'status-changed', ${c.actor}, ${c.reason},
              ${tx.json({ status: m.status, since: m.status_since })}, ${tx.json({ status: c.status, since: c.since })})`;
    await recountMembers(tx as unknown as Sql, [m.organization_id]);
    const [away] =
      c.status === 'away' || c.status === 'abroad'
        ? []
        : await tx<{ workflow_id: string }[]>`
            update member_away set ended_on = ${c.since}, ended_by = ${c.actor} where member_id = ${c.memberId} and ended_on is null returning workflow_id`;
    return { changed: true, awayWorkflowId: away?.workflow_id ?? null };
  });
}

export interface AwayRecord {
  memberId: number;
  kind: 'away' | 'abroad';
  place: string;
  since: string;
  contactName: string | null;
  contactPhone: string | null;
  reason: string;
  actor: string;
}

/**
 * Opens a member's period away (流动党员) or abroad: the status and the period in one transaction, the period named
 * by the workflow id its process runs under. Null when the member is away already (with a period) or not counted on the
 * register; a member whose status an import set to away or abroad gets the period the import could not give them.
 */
export async function registerAway(sql: Sql, key: PersonalDataKey, a: AwayRecord): Promise<{ id: number; workflowId: string } | null> {
  return sql.begin(async (tx) => {
    const [m] = await tx<{ status: MemberStatus; status_since: string | null; organization_id: number }[]>`
      select status, to_char(status_since, 'YYYY-MM-DD') as status_since, organization_id from members where id = ${a.memberId} for update`;
    // A member imported as 流动 or 出国出境 has the status but no period yet: registering one completes it.
    if (!m || !['normal', 'lost', a.kind].includes(m.status)) return null;
    if ((await tx`select 1 from member_away where member_id = ${a.memberId} and ended_on is null`).length) return null;
    const [{ id } = { id: 0 }] = await tx<{ id: number }[]>`select nextval(pg_get_serial_sequence('member_away', 'id'))::int as id`;
    const workflowId = memberAwayId(randomUUID());
    await tx`
      insert into member_away ${tx({
        id,
        workflow_id: workflowId,
        member_id: a.memberId,
        kind: a.kind,
        place: a.place,
        since: a.since,
        contact_name: a.contactName,
        contact_phone_sealed: a.contactPhone ? key.seal(a.contactPhone) : null,
        contact_phone_masked: a.contactPhone ? maskPhone(a.contactPhone) : null,
        recorded_by: a.actor,
      })}`;
    await tx`update members set status = ${a.kind}, status_since = ${a.since}, status_by = 'orglife', updated_at = now() where id = ${a.memberId}`;
    await tx`
      insert into member_events (member_id, kind, actor, reason, before, after)
      values (${a.memberId}, 'status-changed', ${a.actor}, ${a.reason}, ${tx.json({ status: m.status, since: m.status_since })},
              ${tx.json({ status: a.kind, since: a.since, place: a.place, contact: a.contactName })})`;
    await recountMembers(tx as unknown as Sql, [m.organization_id]);
    return { id, workflowId };
  });
}

/** Links a member to the user they sign in as (null unlinks). */
export async function linkUser(sql: Sql, memberId: number, userId: number | null, actor: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`update members set user_id = ${userId}, updated_at = now() where id = ${memberId}`;
    await tx`insert into member_events (member_id, kind, actor, after) values (${memberId}, 'linked', ${actor}, ${tx.json({ userId })})`;
  });
}

/** Members of a subtree by status and category: a county's figures. */
export async function statusCounts(sql: Sql, path: string): Promise<{ status: MemberStatus; category: MemberCategory; n: number }[]> {
  return sql`
    select m.status, m.category, count(*)::int as n
    from members m join organizations o on o.id = m.organization_id
    where o.path <@ ${path}::ltree group by m.status, m.category order by m.status, m.category`;
}

/**
 * The full members on an organization's register on `day` (Asia/Shanghai), as a query of their ids and names: those
 * full by then whose register and status that day — read back from the first change after it in their history (a
 * transfer, a status recorded, an import's correction), or today's where none came since — were this organization
 * and a status that counts. A members' meeting's entitled count starts from it (domain.md §4.1 step 6).
 */
const onRegister = (sql: Sql, organizationId: number, day: string, who: 'full' | 'all' = 'full', groupId?: number) => sql`
    with org as (select id, code from organizations where id = ${organizationId}),
    after as (select (${day}::date + 1)::timestamp at time zone 'Asia/Shanghai' as at),
    candidates as (
      select m.id from members m where m.organization_id = ${organizationId}
      union
      select e.member_id from member_events e, org, after where e.at >= after.at and e.before->>'organization' = org.code
    ),
    then_ as (
      select m.id, m.name, ${who === 'full' ? sql`m.full_on` : sql`m.joined_on`} as since,
        coalesce((select e.before->>'organization' from member_events e, after where e.member_id = m.id and e.at >= after.at and e.before ? 'organization'
                    and (e.before->>'organization') is distinct from (e.after->>'organization') order by e.id limit 1), o.code) as org_then,
        coalesce((select e.before->>'status' from member_events e, after where e.member_id = m.id and e.at >= after.at and e.before ? 'status'
                    and (e.before->>'status') is distinct from (e.after->>'status') order by e.id limit 1), m.status) as status_then
      from candidates c join members m on m.id = c.id join organizations o on o.id = m.organization_id
    ),
    on_register as (
      select then_.id, then_.name from then_, org
      where then_.org_then = org.code and then_.since <= ${day}::date and then_.status_then = any(${countedStatuses as MemberStatus[]})
        ${groupId === undefined ? sql`` : sql`and then_.id in (${groupMembersOnSql(sql, groupId, day)})`}
    )`;

/** How many full members were on an organization's register on `day` (onRegister). */
export async function fullMembersOnRegister(sql: Sql, organizationId: number, day: string): Promise<number> {
  const [r] = await sql<{ n: number }[]>`${onRegister(sql, organizationId, day)} select count(*)::int as n from on_register`;
  return r!.n;
}

/**
 * Which of `ids` were full members on an organization's register on `day` (onRegister), with their names: the members
 * a committee proposes to leave out of a meeting's entitled count must be.
 */
export async function fullMembersOnRegisterAmong(sql: Sql, organizationId: number, day: string, ids: readonly number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await sql<{ id: number; name: string }[]>`
    ${onRegister(sql, organizationId, day)} select id, name from on_register where id = any(${ids.map(String)}::bigint[])`;
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/**
 * Every member on an organization's register on `day` (onRegister `all`): how many, and the names of those among `ids`
 * (the members a meeting's record names absent must be). With `groupId`, only those in that 党小组 that day (a
 * 党小组会's attendance).
 */
export async function membersOnRegisterOn(
  sql: Sql,
  organizationId: number,
  day: string,
  ids: readonly number[],
  groupId?: number,
): Promise<{ count: number; among: Map<number, string> }> {
  const [r] = await sql<{ n: number; among: Record<string, string> }[]>`
    ${onRegister(sql, organizationId, day, 'all', groupId)}
    select (select count(*) from on_register)::int as n,
           coalesce((select json_object_agg(id, name) from on_register where id = any(${ids.map(String)}::bigint[])), '{}') as among`;
  return { count: r!.n, among: new Map(Object.entries(r!.among).map(([id, name]) => [Number(id), name])) };
}

/** Every member on an organization's register on `day` (onRegister `all`, probationary members too), by id. */
export function registerOn(sql: Sql, organizationId: number, day: string) {
  return sql<{ id: number; name: string }[]>`${onRegister(sql, organizationId, day, 'all')} select id::int as id, name from on_register order by id`;
}

/** A user a member may be linked to, by username, with the member already linked to them (if any); undefined for none. */
export async function userForLink(sql: Sql, username: string): Promise<{ id: number; member: number | null } | undefined> {
  const [u] = await sql<{ id: number; member: number | null }[]>`
    select u.id, (select id from members where user_id = u.id) as member from users u where u.username = ${username}`;
  return u;
}
