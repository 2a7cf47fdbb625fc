// Saved views (a named filter over tasks and overdue work) as the API reads and writes them; who may see, change or
// share one is src/api/routes/views.ts's.
import type { z } from 'zod';
import type { Queryable } from '../db/client.js';
import type { taskFilterSchema } from '../tasks/schemas.js';

export interface ViewRow {
  id: number;
  name: string;
  filter: z.infer<typeof taskFilterSchema>;
  owner_id: number;
  owner: string;
  code: string | null;
  updated_at: Date;
}

/** SQL: view `v` (shared with organization `so`) is visible to the user — theirs, or shared where they hold a role. */
function visible(sql: Queryable, userId: number) {
  // A private view (no organization) is its owner's alone, whatever roles anyone else holds.
  return sql`(v.owner_id = ${userId} or (v.organization_id is not null and (
    exists (select 1 from user_roles r join organizations ro on ro.id = r.organization_id
            where r.user_id = ${userId} and ro.path <@ so.path)
    or exists (select 1 from user_roles r where r.user_id = ${userId} and r.organization_id is null))))`;
}

/** View `id` if the user sees it. */
export async function viewSeenBy(sql: Queryable, userId: number, id: number): Promise<ViewRow | undefined> {
  const [v] = await sql<ViewRow[]>`
    select v.id, v.name, v.filter, v.owner_id, u.username as owner, so.code, v.updated_at
    from saved_views v join users u on u.id = v.owner_id left join organizations so on so.id = v.organization_id
    where v.id = ${id} and ${visible(sql, userId)}`;
  return v;
}

/** The views the user sees, their own first, by name: at most 200. */
export function viewsSeenBy(sql: Queryable, userId: number): Promise<ViewRow[]> {
  return sql<ViewRow[]>`
    select v.id, v.name, v.filter, v.owner_id, u.username as owner, so.code, v.updated_at
    from saved_views v join users u on u.id = v.owner_id left join organizations so on so.id = v.organization_id
    where ${visible(sql, userId)} order by v.owner_id = ${userId} desc, v.name, v.id limit 200`;
}

/** Saves a view under its owner's name for it; undefined when the owner has a view of that name already. */
export async function addView(
  sql: Queryable,
  v: { ownerId: number; organizationId: number | null; name: string; filter: z.infer<typeof taskFilterSchema> },
): Promise<number | undefined> {
  const [row] = await sql<{ id: number }[]>`
    insert into saved_views (owner_id, organization_id, name, filter) values (${v.ownerId}, ${v.organizationId}, ${v.name}, ${sql.json(v.filter)})
    on conflict (owner_id, name) do nothing returning id`;
  return row?.id;
}

/** Renames, refilters and (un)shares a view; false when another of the owner's views has that name. */
export async function writeView(
  sql: Queryable,
  v: { id: number; ownerId: number; organizationId: number | null; name: string; filter: z.infer<typeof taskFilterSchema> },
): Promise<boolean> {
  const [row] = await sql`
    update saved_views set name = ${v.name}, filter = ${sql.json(v.filter)}, organization_id = ${v.organizationId}, updated_at = now()
    where id = ${v.id} and not exists (select 1 from saved_views o where o.owner_id = ${v.ownerId} and o.name = ${v.name} and o.id <> ${v.id})
    returning id`;
  return row !== undefined;
}

/** Deletes a view. */
export async function deleteView(sql: Queryable, id: number): Promise<void> {
  await sql`delete from saved_views where id = ${id}`;
}
