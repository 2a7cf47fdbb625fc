// People and their appointments (secretaries, committee members, organizers, liaison officers) as the API reads them.
import type { Fragment } from 'postgres';
import type { Queryable } from '../db/client.js';

export interface PersonEntry {
  id: number;
  name: string;
  phone: string | null;
  email: string | null;
  appointments: { organization: string; role: string; startsOn: string }[];
}

export interface AppointmentEntry {
  id: number;
  person: { id: number; name: string; phone: string | null };
  role: string;
  startsOn: string;
  endsOn: string | null;
}

export interface PeopleSearch {
  /** The caller's scope over the appointment's organization `o`. */
  scope: Fragment;
  /** The ltree path of an organization the caller sees: appointments in its subtree only. */
  under?: string | undefined;
  role?: string | undefined;
  /** People after this id: the cursor. */
  afterId?: number | undefined;
  limit: number;
}

/**
 * People with a current appointment that the search admits, by id, each with those appointments: at most `limit`
 * rows, and one more when there are more.
 */
export function peopleAppointed(sql: Queryable, s: PeopleSearch): Promise<PersonEntry[]> {
  const conds = [s.scope, sql`a.ends_on is null`];
  if (s.under !== undefined) conds.push(sql`o.path <@ ${s.under}::ltree`);
  if (s.role) conds.push(sql`a.role = ${s.role}`);
  if (s.afterId !== undefined) conds.push(sql`pe.id > ${s.afterId}`);
  return sql<PersonEntry[]>`
    select pe.id, pe.name, pe.phone, pe.email,
           json_agg(json_build_object('organization', o.code, 'role', a.role, 'startsOn', to_char(a.starts_on, 'YYYY-MM-DD'))
                    order by o.code) as appointments
    from people pe join appointments a on a.person_id = pe.id join organizations o on o.id = a.organization_id
    where ${conds.reduce((x, c) => sql`${x} and ${c}`)}
    group by pe.id order by pe.id limit ${s.limit + 1}`;
}

/** The appointments at organization `organizationId`, current ones first; ended ones too when `all`. */
export function appointmentsAt(sql: Queryable, organizationId: number, all: boolean): Promise<AppointmentEntry[]> {
  return sql<AppointmentEntry[]>`
    select a.id, json_build_object('id', pe.id, 'name', pe.name, 'phone', pe.phone) as person, a.role,
           to_char(a.starts_on, 'YYYY-MM-DD') as "startsOn", to_char(a.ends_on, 'YYYY-MM-DD') as "endsOn"
    from appointments a join people pe on pe.id = a.person_id
    where a.organization_id = ${organizationId} and ${all ? sql`true` : sql`a.ends_on is null`}
    order by a.ends_on nulls first, a.role, a.starts_on desc`;
}
