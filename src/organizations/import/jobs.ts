// The organization register's import jobs (a file read, checked and written in the background) as the API records them.
import type { Queryable } from '../../db/client.js';

export type ImportJobStatus = 'queued' | 'running' | 'succeeded' | 'rejected' | 'failed';

/** A job queued for a received file of `bytesTotal` bytes. */
export async function addImportJob(sql: Queryable, id: string, createdBy: string, bytesTotal: number): Promise<void> {
  await sql`insert into import_jobs (id, created_by, status, bytes_total) values (${id}, ${createdBy}, 'queued', ${bytesTotal})`;
}

/** The job has started. */
export async function importJobRunning(sql: Queryable, id: string): Promise<void> {
  await sql`update import_jobs set status = 'running' where id = ${id}`;
}

/** How far the job has read. */
export async function importJobProgress(sql: Queryable, id: string, bytes: number, rows: number): Promise<void> {
  await sql`update import_jobs set bytes_read = ${bytes}, rows_read = ${rows} where id = ${id}`;
}

/** The job wrote its file: its result, and every byte and the rows it counted read. */
export async function importJobSucceeded(sql: Queryable, id: string, result: object, rows: number): Promise<void> {
  await sql`update import_jobs set status = 'succeeded', result = ${sql.json(result as never)}, bytes_read = bytes_total,
              rows_read = ${rows}, finished_at = now() where id = ${id}`;
}

/** The job ended without writing: its file refused (`rejected`) or the import failed (`failed`), with the error. */
export async function importJobEnded(sql: Queryable, id: string, status: 'rejected' | 'failed', error: object): Promise<void> {
  await sql`update import_jobs set status = ${status}, error = ${sql.json(error as never)}, finished_at = now()
            where id = ${id}`;
}

/** Job `id` as stored. */
export async function importJob(sql: Queryable, id: string) {
  const [job] = await sql<
    {
      id: string;
      created_by: string;
      status: ImportJobStatus;
      bytes_total: number | null;
      bytes_read: number;
      rows_read: number;
      result: unknown;
      error: unknown;
    }[]
  >`select id, created_by, status, bytes_total, bytes_read, rows_read, result, error from import_jobs where id = ${id}`;
  return job;
}
