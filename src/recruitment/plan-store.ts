// 发展党员计划 and the seed's targets as the API reads and writes them (migrations/113_recruitment_plans.sql). Every
// figure of what was done comes from the cases of 发展党员: the day an applicant became an activist or a 发展对象 is
// the day their case recorded for the stage (process_events, step 'activist' / 'candidate', detail.on), the day
// they were admitted the 预备党员's 入党时间 on the register (members.joined_on of the applicant's member row).
import type { Queryable, Sql } from '../db/client.js';
import { addMonths, type IsoDate } from '../domain/dates.js';
import { candidateWindowStart, recruitmentTargetsMet, type RecruitmentTargetRules } from '../domain/recruitment/targets.js';

/**
 * The stage days of every case under `path` (an ltree), one row per applicant with its organization's path: the
 * one place the plan, the targets and the assessment read them from.
 */
export const stageDays = (sql: Queryable, path?: string) => sql`
  select a.id as applicant_id, o.id as organization_id, o.path,
         (select min((e.detail->>'on')::date) from process_events e where e.workflow_id = a.workflow_id and e.step = 'activist' and e.detail ? 'on') as activist_on,
         (select min((e.detail->>'on')::date) from process_events e where e.workflow_id = a.workflow_id and e.step = 'candidate' and e.detail ? 'on') as candidate_on,
         m.joined_on as admitted_on
  from applicants a join organizations o on o.id = a.organization_id left join members m on m.id = a.member_id
  ${path ? sql`where o.path <@ ${path}::ltree` : sql``}`;

export interface PlanRow {
  code: string;
  name: string;
  type: string;
  sector: string;
  /** What the level above gave it for the year (null: nothing yet). */
  admissions: number | null;
  /** What it has allocated further down, together. */
  allocated: number;
  /** 预备党员 admitted in its subtree in the year, from the cases. */
  admitted: number;
  nudges: number;
}

export interface Plan {
  year: number;
  organization: { code: string; name: string; type: string; sector: string };
  /** What the level above gave this organization (null where the plan is entered: the county, or none given yet). */
  given: number | null;
  allocated: number;
  admitted: number;
  items: PlanRow[];
}

/** 预备党员 admitted in the year under organization `o` (the stage day stageDays reads as admitted_on). */
const admittedIn = (sql: Queryable, year: number) => sql`
  (select count(*) from applicants a join members m on m.id = a.member_id join organizations ao on ao.id = a.organization_id
   where ao.path <@ o.path and m.joined_on between make_date(${year}::int, 1, 1) and make_date(${year}::int, 12, 31))::int`;

/** The plan of `orgId` for `year`: its own allocation, and each organization directly under it with theirs. */
export async function planOf(sql: Sql, orgId: number, year: number): Promise<Plan> {
  const rows = await sql<(PlanRow & { self: boolean })[]>`
    select o.id = ${orgId} as self, o.code, o.name, o.type, o.sector,
           p.admissions,
           coalesce((select sum(c.admissions) from recruitment_plans c where c.year = ${year} and c.given_by = o.id), 0)::int as allocated,
           ${admittedIn(sql, year)} as admitted,
           (select count(*) from recruitment_nudges n where n.organization_id = o.id and n.year = ${year} and n.list = 'plan')::int as nudges
    from organizations o left join recruitment_plans p on p.organization_id = o.id and p.year = ${year}
    where o.id = ${orgId} or (o.parent_id = ${orgId} and o.type <> 'unit')
    order by o.id <> ${orgId}, o.code`;
  const self = rows.find((r) => r.self)!;
  return {
    year,
    organization: { code: self.code, name: self.name, type: self.type, sector: self.sector },
    given: self.admissions,
    allocated: self.allocated,
    admitted: self.admitted,
    items: rows.filter((r) => !r.self).map(({ self: _, ...r }) => r),
  };
}

export interface Allocation {
  code: string;
  admissions: number;
}

/** Why an allocation is refused, by the field of the body it concerns. */
export interface AllocationRefusal {
  field: string;
  message: string;
}

/**
 * Gives each named organization directly under `org` its admissions for the year, in one transaction that holds the
 * organization's own allocation and the named children's while it checks: refused (nothing written) when a code is not directly under it, when
 * the allocations after the change would exceed what the level above gave it, or when a child would get less than it
 * has already allocated further down. `entersPlan`: the organization enters the plan itself (a county), so nothing
 * above limits it; else a level with no allocation from above cannot allocate.
 */
export function allocate(
  sql: Sql,
  a: { org: { id: number; code: string }; year: number; entersPlan: boolean; allocations: Allocation[]; actor: string },
): Promise<{ refused: AllocationRefusal[] } | { ok: true }> {
  return sql.begin(async (tx) => {
    const [own] = await tx<{ admissions: number }[]>`
      select admissions from recruitment_plans where year = ${a.year} and organization_id = ${a.org.id} for update`;
    if (!own && !a.entersPlan)
      return { refused: [{ field: 'params.code', message: `no plan for ${a.year} was allocated to ${a.org.code} by the level above` }] };
    // The named children's own rows too: a child allocating further down holds its row while it does, so what it has
    // allocated is read here after it commits, never before.
    await tx`
      select 1 from recruitment_plans p join organizations o on o.id = p.organization_id
      where p.year = ${a.year} and o.parent_id = ${a.org.id} and o.code = any(${a.allocations.map((x) => x.code)}) for update of p`;
    const children = await tx<{ id: number; code: string; allocated: number }[]>`
      select o.id, o.code,
             coalesce((select sum(c.admissions) from recruitment_plans c where c.year = ${a.year} and c.given_by = o.id), 0)::int as allocated
      from organizations o where o.parent_id = ${a.org.id} and o.type <> 'unit' and o.code = any(${a.allocations.map((x) => x.code)})`;
    const byCode = new Map(children.map((c) => [c.code, c]));
    const refused: AllocationRefusal[] = [];
    a.allocations.forEach((x, i) => {
      const c = byCode.get(x.code);
      if (!c) refused.push({ field: `body.allocations.${i}.organization`, message: `not an organization directly under ${a.org.code}` });
      else if (x.admissions < c.allocated)
        refused.push({ field: `body.allocations.${i}.admissions`, message: `less than the ${c.allocated} it has already allocated further down` });
    });
    const seen = new Set<string>();
    a.allocations.forEach((x, i) => {
      if (seen.has(x.code)) refused.push({ field: `body.allocations.${i}.organization`, message: 'named twice' });
      seen.add(x.code);
    });
    if (refused.length) return { refused };
    const ids = children.map((c) => c.id);
    const [{ others } = { others: 0 }] = await tx<{ others: number }[]>`
      select coalesce(sum(admissions), 0)::int as others from recruitment_plans
      where year = ${a.year} and given_by = ${a.org.id} and not (organization_id = any(${ids}::bigint[]))`;
    const total = others + a.allocations.reduce((n, x) => n + x.admissions, 0);
    if (own && total > own.admissions)
      return {
        refused: [
          {
            field: 'body.allocations',
            message: `the allocations add up to ${total}, more than the ${own.admissions} ${a.org.code} was given for ${a.year}`,
          },
        ],
      };
    await tx`
      insert into recruitment_plans ${tx(
        a.allocations.map((x) => ({ year: a.year, organization_id: byCode.get(x.code)!.id, given_by: a.org.id, admissions: x.admissions, set_by: a.actor })),
      )}
      on conflict (year, organization_id) do update set given_by = excluded.given_by, admissions = excluded.admissions, set_by = excluded.set_by, set_at = now()`;
    return { ok: true as const };
  });
}

export interface VillageTargets {
  id: number;
  code: string;
  name: string;
  /** Activists made in the year. */
  activists: number;
  /** 发展对象 made in the window (this year and the one before). */
  candidates: number;
  /** 预备党员 admitted in the year, and what the plan gave the village (null: nothing). */
  admitted: number;
  planned: number | null;
  met: boolean;
  /** The last 入党时间 of a member on the village's register, or of a case admitted there (null: none known). */
  lastAdmittedOn: string | null;
  /** No one admitted for the rule set's quiet years (or ever, as far as the register knows). */
  quiet: boolean;
  secretaries: string[];
  secretaryIds: number[];
  nudges: number;
}

/** The villages under a subtree against the targets: every village's figures, and the page asked for in full. */
export interface VillageTargetsRead {
  /** The page's villages (all of them when no page is asked for), with their secretaries and nudges. */
  items: VillageTargets[];
  /** Over every village of the subtree, not only the page. */
  summary: { villages: number; met: number; quiet: number; quietNames: string[] };
  /** The code to ask for the next page after (null: this was the last). */
  next: string | null;
}

/** How many quiet villages the summary names; the list says how many more there are. */
const QUIET_NAMES = 20;

/**
 * The villages under `path` against the seed's targets for `year`, from the cases; with the last day one of their
 * members joined the Party (the register's 入党时间, which also holds those admitted before orglife kept the cases), so
 * a township sees which villages have recruited no one for years. Every village's figures are read in grouped passes
 * (a province's villages are tens of thousands), the secretaries and nudges only for the page: `page` gives the villages
 * after the code `after`, `limit` of them, in code order.
 */
export async function villageTargets(
  sql: Queryable,
  path: string,
  year: number,
  r: RecruitmentTargetRules,
  today: IsoDate,
  page?: { after?: string; limit: number },
): Promise<VillageTargetsRead> {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const windowFrom = candidateWindowStart(r, year);
  const rows = await sql<
    { id: number; code: string; name: string; activists: number; candidates: number; admitted: number; planned: number | null; lastAdmittedOn: string | null }[]
  >`
    -- The cases and the register counted once, by village: the tree's fifth level, as organizations.settlement reads it.
    with c as (
      select subpath(d.path, 0, 5) as village,
             count(*) filter (where d.activist_on between ${from}::date and ${to}::date) as activists,
             count(*) filter (where d.candidate_on between ${windowFrom}::date and ${to}::date) as candidates,
             count(*) filter (where d.admitted_on between ${from}::date and ${to}::date) as admitted,
             max(d.admitted_on) as last_admitted
      from (${stageDays(sql, path)}) d where nlevel(d.path) >= 5 group by 1
    ), reg as (
      select subpath(mo.path, 0, 5) as village, max(m.joined_on) as last_joined
      from members m join organizations mo on mo.id = m.organization_id
      where mo.path <@ ${path}::ltree and nlevel(mo.path) >= 5 group by 1
    )
    select o.id::int as id, o.code, o.name,
           coalesce(c.activists, 0)::int as activists, coalesce(c.candidates, 0)::int as candidates, coalesce(c.admitted, 0)::int as admitted,
           p.admissions as planned,
           to_char(greatest(reg.last_joined, c.last_admitted), 'YYYY-MM-DD') as "lastAdmittedOn"
    from organizations o
    left join c on c.village = o.path
    left join reg on reg.village = o.path
    left join recruitment_plans p on p.organization_id = o.id and p.year = ${year}
    where o.path <@ ${path}::ltree and o.settlement = 'village'
    order by o.code collate "C"`;
  const quietSince = addMonths(today, -12 * r.quietYears);
  const all = rows.map((v) => ({ ...v, met: recruitmentTargetsMet(r, v), quiet: v.lastAdmittedOn === null || v.lastAdmittedOn < quietSince }));
  const start = page?.after === undefined ? 0 : all.findIndex((v) => v.code > page.after!);
  const shown = page ? (start < 0 ? [] : all.slice(start, start + page.limit)) : all;
  const next = page && start >= 0 && start + page.limit < all.length ? shown[shown.length - 1]!.code : null;
  const ids = shown.map((v) => v.id);
  const extra = await sql<{ id: number; secretaries: string[]; secretaryIds: number[]; nudges: number }[]>`
    select o.id::int as id, coalesce(sec.usernames, '{}') as secretaries, coalesce(sec.ids, '{}') as "secretaryIds",
           (select count(*) from recruitment_nudges n where n.organization_id = o.id and n.year = ${year} and n.list = 'targets')::int as nudges
    from organizations o
    left join lateral (
      select array_agg(u.username order by u.username) as usernames, array_agg(u.id::int order by u.username) as ids
      from user_roles ur join users u on u.id = ur.user_id and not u.disabled where ur.organization_id = o.id and ur.role = 'secretary'
    ) sec on true
    where o.id = any(${ids}::bigint[])`;
  const byId = new Map(extra.map((e) => [e.id, e]));
  const quiet = all.filter((v) => v.quiet);
  return {
    items: shown.map((v) => {
      const e = byId.get(v.id);
      return { ...v, secretaries: e?.secretaries ?? [], secretaryIds: (e?.secretaryIds ?? []).map(Number), nudges: e?.nudges ?? 0 };
    }),
    summary: { villages: all.length, met: all.filter((v) => v.met).length, quiet: quiet.length, quietNames: quiet.slice(0, QUIET_NAMES).map((v) => v.name) },
    next,
  };
}

/** The organizations under `path` with an allocation for `year` that have admitted fewer than it gave them, with their secretaries. */
export async function behindPlan(sql: Queryable, path: string, year: number) {
  const rows = await sql<{ id: number; code: string; name: string; secretaries: string[]; secretaryIds: number[] }[]>`
    select o.id::int as id, o.code, o.name, coalesce(sec.usernames, '{}') as secretaries, coalesce(sec.ids, '{}') as "secretaryIds"
    from recruitment_plans p join organizations o on o.id = p.organization_id
    left join lateral (
      -- A branch's secretary; a committee's organizers, who allocate its share further down.
      select array_agg(u.username order by u.username) as usernames, array_agg(u.id::int order by u.username) as ids
      from user_roles ur join users u on u.id = ur.user_id and not u.disabled
      where ur.organization_id = o.id and ur.role = case when o.type = 'committee' then 'organizer' else 'secretary' end
    ) sec on true
    where p.year = ${year} and o.path <@ ${path}::ltree and o.path <> ${path}::ltree and ${admittedIn(sql, year)} < p.admissions
    order by o.code`;
  return rows.map((r) => ({ ...r, secretaryIds: r.secretaryIds.map(Number) }));
}
