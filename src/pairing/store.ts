// Urban–rural pairing (结对共建) as the API reads and writes it: a village's pairing, its evidence files, coverage per county.
import type { Fragment } from 'postgres';
import type { Queryable } from '../db/client.js';

/**
 * The organization of this code with the status of process `workflowId` (null: none) and the path of the partner of
 * its latest cycle (null: none).
 */
export async function pairingOf(sql: Queryable, code: string, workflowId: string) {
  const [org] = await sql<{ id: number; path: string; status: string | null; partner_path: string | null }[]>`
    select o.id, o.path::text as path, p.status,
           (select po.path::text from pairings x join organizations po on po.id = x.partner_id where x.workflow_id = ${workflowId} order by x.cycle desc limit 1) as partner_path
    from organizations o left join processes p on p.workflow_id = ${workflowId} where o.code = ${code}`;
  return org;
}

export interface NewEvidence {
  id: string;
  workflowId: string;
  deliverable: string;
  organizationId: number;
  filename: string;
  contentType: string;
  sha256: string;
  content: Buffer;
  uploadedBy: string;
}

/** Stores an evidence file (not yet attached: its workflow attaches it). */
export async function addEvidence(sql: Queryable, e: NewEvidence): Promise<void> {
  await sql`
    insert into evidence_files (id, workflow_id, deliverable, organization_id, filename, content_type, size_bytes, sha256, content, uploaded_by, uploaded_at)
    values (${e.id}, ${e.workflowId}, ${e.deliverable}, ${e.organizationId}, ${e.filename}, ${e.contentType}, ${e.content.length}, ${e.sha256}, ${e.content}, ${e.uploadedBy}, now())`;
}

/** Removes an evidence file. */
export async function deleteEvidence(sql: Queryable, id: string): Promise<void> {
  await sql`delete from evidence_files where id = ${id}`;
}

/** An attached evidence file, with its village's path and the path of the partner of the cycle it belongs to. */
export async function attachedEvidence(sql: Queryable, id: string) {
  const [f] = await sql<{ path: string; partner_path: string | null; filename: string; content_type: string; sha256: string; content: Buffer }[]>`
    select o.path::text as path, po.path::text as partner_path, f.filename, f.content_type, f.sha256, f.content
    from evidence_files f join organizations o on o.id = f.organization_id
    left join pairings x on x.workflow_id = f.workflow_id and x.cycle = f.cycle
    left join organizations po on po.id = x.partner_id
    where f.id = ${id} and f.attached`;
  return f;
}

/**
 * Per county (the third level of the tree, or the level above a shallower village) of the villages `scope` admits
 * (over `o`; narrowed to the subtree of `under`, an ltree path): its villages, those in an active pairing, and the
 * deliverables of those pairings' current cycles with those delivered.
 */
export function pairingByCounty(sql: Queryable, scope: Fragment, under?: string) {
  return sql<{ county: string; name: string; villages: number; paired: number; deliverables: number; delivered: number }[]>`
    with v as (
      select o.id, o.path,
             (select x.workflow_id || '#' || x.cycle from pairings x where x.organization_id = o.id and x.state = 'active' order by x.cycle desc limit 1) as active
      from organizations o
      -- Villages as domain.md §2 counts them (organizations.settlement): directly under a township, whatever the
      -- sector words above; a branch under a village's 总支 is not one of its own.
      where o.settlement = 'village' and ${scope}
        ${under !== undefined ? sql`and o.path <@ ${under}::ltree` : sql``}
    ), d as (
      select x.workflow_id || '#' || x.cycle as active, count(*)::int as n, count(*) filter (where x.state = 'delivered')::int as delivered
      from pairing_deliverables x where x.workflow_id || '#' || x.cycle in (select active from v where active is not null)
      group by 1
    )
    select k.code as county, k.name, count(*)::int as villages, count(v.active)::int as paired,
           coalesce(sum(d.n), 0)::int as deliverables, coalesce(sum(d.delivered), 0)::int as delivered
    from v left join d on d.active = v.active
    join organizations k on k.id = ltree2text(subpath(v.path, greatest(0, least(2, nlevel(v.path) - 2)), 1))::bigint
    group by k.code, k.name order by k.code`;
}
