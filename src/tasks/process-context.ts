// What a process shows on its tasks beyond the task itself (GET /api/v1/tasks/{id}): each process that has more
// to show contributes it here, by its kind, so that the generic task read knows no process.
import type { Sql } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { allows } from '../auth/principal.js';
import { pairingWorkers } from '../domain/pairing/rules.js';
import { pairingDeliverable } from '../domain/pairing/steps.js';

/** The task as the read found it, with its process. */
export interface ContextTask {
  id: number;
  workflow_id: string;
  process: string;
  step: string;
  task_key: string;
  context: Record<string, unknown> | null;
  /** The task's organization, and the process's. */
  path: string;
  process_path: string | null;
  process_status: string | null;
  /** Whether the task is still to be done (open, claimed or escalated). */
  live: boolean;
}

export interface EvidenceFile {
  id: string;
  deliverable: string;
  filename: string;
  sizeBytes: number;
  uploadedAt: string;
}

export interface PairingPanel {
  cycle: number;
  mayRecord: boolean;
  milestones: { deliverable: string; milestone: string; achievedOn: string; note: string | null; evidence: string[]; recordedBy: string; recordedAt: string }[];
}

/** What the task read answers besides the task: empty for a process that contributes nothing. */
export interface ProcessTaskContext {
  evidence: EvidenceFile[];
  pairing: PairingPanel | null;
}

type Contributor = (sql: Sql, t: ContextTask, principal: Principal) => Promise<Partial<ProcessTaskContext>>;

/** A pairing's evidence files; on a deliverable's task, its cycle's milestones and whether the caller may record more. */
const pairing: Contributor = async (sql, t, principal) => {
  // A deliverable's cycle, from its task key (`c<cycle>:deliverable-<d>`): its milestones are of that cycle.
  const cycle = t.step === pairingDeliverable.step ? Number(/^c(\d+):/.exec(t.task_key)?.[1] ?? 1) : null;
  const [evidence, milestones] = await Promise.all([
    sql<{ id: string; deliverable: string; filename: string; size_bytes: number; uploaded_at: Date }[]>`
      select id::text, deliverable, filename, size_bytes, uploaded_at from evidence_files
      where workflow_id = ${t.workflow_id} and attached order by deliverable, uploaded_at limit 200`,
    cycle !== null
      ? sql<{ deliverable: string; milestone: string; achieved_on: string; note: string | null; evidence: string[]; recorded_by: string; recorded_at: Date }[]>`
          select deliverable, milestone, achieved_on::text, note, evidence::text[] as evidence, recorded_by, recorded_at from pairing_milestones
          where workflow_id = ${t.workflow_id} and cycle = ${cycle} and deliverable = ${String(t.context?.deliverable ?? '')} order by recorded_at`
      : Promise.resolve([]),
  ]);
  return {
    evidence: evidence.map((f) => ({
      id: f.id,
      deliverable: f.deliverable,
      filename: f.filename,
      sizeBytes: f.size_bytes,
      uploadedAt: f.uploaded_at.toISOString(),
    })),
    pairing:
      cycle !== null
        ? {
            cycle,
            // The rights of POST /pairing/evidence and /pairing/milestones: a worker at the village or at the partner (the task's organization).
            mayRecord:
              t.live &&
              t.process_status === 'running' &&
              (allows(principal, t.path, pairingWorkers) || (t.process_path !== null && allows(principal, t.process_path, pairingWorkers))),
            milestones: milestones.map((m) => ({
              deliverable: m.deliverable,
              milestone: m.milestone,
              achievedOn: m.achieved_on,
              note: m.note,
              evidence: m.evidence,
              recordedBy: m.recorded_by,
              recordedAt: m.recorded_at.toISOString(),
            })),
          }
        : null,
  };
};

const contributors: Readonly<Record<string, Contributor>> = { [pairingDeliverable.process]: pairing };

/** What the task's process contributes to its read. */
export async function processTaskContext(sql: Sql, t: ContextTask, principal: Principal): Promise<ProcessTaskContext> {
  const contribute = contributors[t.process];
  return { evidence: [], pairing: null, ...(contribute ? await contribute(sql, t, principal) : {}) };
}
