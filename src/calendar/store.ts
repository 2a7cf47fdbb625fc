// The working-day calendar as the API reads and writes it (calendar_days, calendar_years, calendar_notices), and the
// calendar feed: a user's token and the deadlines it shows.
import type { Fragment } from 'postgres';
import type { Queryable, Sql } from '../db/client.js';

/** A day declared off (isWorkday false) or an adjusted workday, with the notice's words for it. */
export interface CalendarDay {
  day: string;
  isWorkday: boolean;
  note: string | null;
}

/**
 * Replaces a year's days (the notice is the whole arrangement) and marks the year loaded, in one transaction;
 * answers how many open tasks are planned provisionally into the year (their re-plan is the caller's to start).
 */
export function writeYear(sql: Sql, year: number, days: readonly CalendarDay[], load: { source: string; note: string | null; by: string }): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`delete from calendar_days where day >= ${`${year}-01-01`}::date and day <= ${`${year}-12-31`}::date`;
    const rows = days.map((d) => ({ day: d.day, is_workday: d.isWorkday, note: d.note }));
    await tx`insert into calendar_days ${tx(rows)} on conflict (day) do update set is_workday = excluded.is_workday, note = excluded.note, updated_at = now()`;
    await tx`
      insert into calendar_years (year, source, note, days, loaded_by) values (${year}, ${load.source}, ${load.note}, ${days.length}, ${load.by})
      on conflict (year) do update set source = excluded.source, note = excluded.note, days = excluded.days, loaded_by = excluded.loaded_by, loaded_at = now()`;
    const [n] = await tx<{ n: number }[]>`
      select count(*)::int as n from tasks where ${year} = any(provisional_years) and state in ('open', 'claimed', 'escalated') and plan_input is not null`;
    return n!.n;
  });
}

/** Declares one day off or a workday (over what the package says). */
export async function writeDay(sql: Queryable, d: CalendarDay): Promise<void> {
  await sql`
    insert into calendar_days (day, is_workday, note) values (${d.day}, ${d.isWorkday}, ${d.note})
    on conflict (day) do update set is_workday = excluded.is_workday, note = excluded.note, updated_at = now()`;
}

/** The days of a year declared in the table, in order. */
export async function daysOfYear(sql: Queryable, year: number): Promise<CalendarDay[]> {
  const rows = await sql<{ day: string; is_workday: boolean; note: string | null }[]>`
    select day::text as day, is_workday, note from calendar_days where extract(year from day) = ${year} order by day`;
  return rows.map((r) => ({ day: r.day, isWorkday: r.is_workday, note: r.note }));
}

/** The years an admin loaded, how and when. */
export function loadedYears(sql: Queryable) {
  return sql<{ year: number; source: string; note: string | null; days: number; loaded_by: string; loaded_at: Date }[]>`select * from calendar_years`;
}

/** Per year, the live tasks planned provisionally into it (without its holidays). */
export function provisionalTasksByYear(sql: Queryable) {
  return sql<{ year: number; n: number }[]>`
    select y as year, count(*)::int as n from tasks, unnest(provisional_years) y
    where provisional_years <> '{}' and state in ('open', 'claimed', 'escalated') group by y`;
}

/** The years the daily calendar notice announced to the admins, in order. */
export function noticedYears(sql: Queryable) {
  return sql<{ year: number }[]>`select year from calendar_notices order by year`;
}

/** Sets (or rotates) the user's calendar feed token, stored as its SHA-256 digest. */
export async function writeCalendarToken(sql: Queryable, userId: number, digest: string): Promise<void> {
  await sql`update users set calendar_token_sha256 = ${digest} where id = ${userId}`;
}

/** The enabled user whose calendar feed token has this digest. */
export async function calendarTokenOwner(sql: Queryable, digest: string): Promise<{ id: number; username: string } | undefined> {
  const [user] = await sql<{ id: number; username: string }[]>`
    select id, username from users where calendar_token_sha256 = ${digest} and not disabled`;
  return user;
}

/** The live tasks `held` admits (a condition over tasks `t`), soonest due first, at most 2,000: a feed's deadlines. */
export function deadlinesHeld(sql: Queryable, held: Fragment) {
  return sql<{ id: number; step: string; process: string; name: string; due_at: Date; state: string; escalation_level: number }[]>`
    select t.id, t.step, t.process, o.name, t.due_at, t.state, t.escalation_level
    from tasks t join organizations o on o.id = t.organization_id
    where t.state in ('open', 'claimed', 'escalated') and ${held}
    order by t.due_at limit 2000`;
}
