// Processes as the API reads them from PostgreSQL (the projection the activities write; never Temporal).
import type { Queryable } from '../db/client.js';

/** The ltree path of the organization process `workflowId` runs for, if the process exists. */
export async function processPath(sql: Queryable, workflowId: string): Promise<string | undefined> {
  const [p] = await sql<{ path: string }[]>`
    select o.path::text as path from processes p join organizations o on o.id = p.organization_id where p.workflow_id = ${workflowId}`;
  return p?.path;
}

/** An organization as the start checks of a process read it. */
export interface OrganizationToStart {
  id: number;
  type: string;
  sector: string;
  parent_id: number | null;
  settlement: 'village' | 'community' | null;
  term_ends_on: Date | null;
  election_body: string | null;
}

/** Organization `id` as the start checks read it. */
export async function organizationToStart(sql: Queryable, id: number): Promise<OrganizationToStart | undefined> {
  const [org] = await sql<OrganizationToStart[]>`
    select id, type, sector, parent_id, settlement, term_ends_on, election_body from organizations where id = ${id}`;
  return org;
}

/** Process `workflowId`: its kind, status, step, next deadline and its organization's code and path. */
export async function processById(sql: Queryable, workflowId: string) {
  const [p] = await sql<{ kind: string; code: string; path: string; status: string; current_step: string; next_deadline: Date | null }[]>`
    select p.kind, o.code, o.path::text as path, p.status, p.current_step, p.next_deadline
    from processes p join organizations o on o.id = p.organization_id where p.workflow_id = ${workflowId}`;
  return p;
}

/** The live tasks of a process, soonest due first. */
export function liveTasksOf(sql: Queryable, workflowId: string) {
  return sql<{ id: number; step: string; state: string; due_at: Date; assignee_role: string | null; provisional_years: number[] }[]>`
    select id, step, state, due_at, assignee_role, provisional_years from tasks
    where workflow_id = ${workflowId} and state in ('open', 'claimed', 'escalated') order by due_at`;
}

/** A process's history lines (without their words' parts), in order. */
export function processHistory(sql: Queryable, workflowId: string) {
  return sql<{ at: Date; step: string; event_key: string; detail: Record<string, unknown> }[]>`
    select at, step, event_key, detail from process_events where workflow_id = ${workflowId} order by at, event_key`;
}
