import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allows, scopeRoots } from '../../auth/principal.js';
import { organizingRoles } from '../../domain/roles.js';
import { HttpError, notFound } from '../errors.js';
import { importJobSchema, importResultSchema } from '../../organizations/schemas.js';
import { ImportBusy, importOrganizations, ImportRejected, type ImportProgress, type TermCorrection } from '../../organizations/import/import.js';
import { addImportJob, importJob, importJobEnded, importJobProgress, importJobRunning, importJobSucceeded } from '../../organizations/import/jobs.js';
import { receiveUpload, uploadStream } from '../uploads.js';
import { correctTermUpdate } from '../../../workflows/messages.js';
import { termRecordedSignal } from '../../../workflows/term-date-missing/workflow.js';

/** Large provinces come as files of tens of MB; the parser streams, so only this route accepts that much. */
export const IMPORT_MAX_BYTES = 200 * 1024 * 1024;
/** A whole province is ~200,000 organizations; a national file would be split by province. */
export const IMPORT_MAX_ROWS = 1_000_000;
/** Receiving and reading the file (checking and writing it come after, each statement under its own limit). */
export const IMPORT_READ_MS = 5 * 60_000;
/** The synchronous import answers within this; a larger file goes with async=true. */
export const IMPORT_REQUEST_MS = 15 * 60_000;

/** A background job finding another import writing tries again after a pause, for up to an hour. */
const JOB_BUSY_PAUSE_MS = 15_000;
const JOB_BUSY_ATTEMPTS = 120;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const result = importResultSchema;
const jobSchema = importJobSchema;

const errorCode = { 400: 'invalid_file', 403: 'forbidden', 404: 'not_found', 408: 'request_timeout', 413: 'too_large', 422: 'invalid_rows' } as const;
const asHttp = (e: ImportRejected) => new HttpError(e.status, errorCode[e.status], e.message, e.errors);
const busy = (e: ImportBusy) => new HttpError(503, 'busy', e.message);

const organizationImport: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // The body reaches the handler as a stream: parsing it is the importer's job, row by row.
  app.addContentTypeParser(['text/csv', 'text/plain', XLSX_TYPE, 'application/octet-stream'], (_req, payload, done) => done(null, payload));

  app.post(
    '/organizations/import',
    {
      bodyLimit: IMPORT_MAX_BYTES,
      config: { timeoutMs: IMPORT_REQUEST_MS },
      schema: {
        tags: ['organizations'],
        description:
          'Import organizations from CSV (UTF-8 with or without BOM, or GBK; English or Chinese headers) or XLSX. ' +
          'All or nothing: any error rejects the whole file, listing every error by row and column. ' +
          'Fields a running process owns (the term and secretary of an organization in a term election, a secretary ' +
          'approved by 两推一选, an organization established by liaison dispatch) are not overwritten: a row with a newer ' +
          'term is routed to the term election as a correction (`routed`), an older one is refused column by column ' +
          '(`refused`), and the rest of the row is written. ' +
          'With async=true the file is accepted (202) and checked and written in the background.',
        consumes: ['text/csv', XLSX_TYPE],
        querystring: z.object({ async: z.enum(['true', 'false']).optional() }),
        response: { 200: result, 202: z.object({ jobId: z.string() }) },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      if (scopeRoots(p, organizingRoles).length === 0) {
        throw new HttpError(403, 'forbidden', 'importing organizations needs the role admin or organizer');
      }
      const body = uploadStream(req.body);
      // A row with a newer term for an organization whose term election runs goes to that run as a correction.
      const correctTerm = async ({ workflowId, updateId, ...c }: TermCorrection) => {
        await app.updateProcessAs(p, workflowId, correctTermUpdate, c, updateId);
      };
      const termRecorded = async (workflowId: string, source: string) => {
        await app.temporal.workflow.getHandle(workflowId).signal(termRecordedSignal, { source });
      };
      const opts = {
        principal: p,
        actor: p.username,
        maxBytes: IMPORT_MAX_BYTES,
        maxRows: IMPORT_MAX_ROWS,
        timeoutMs: IMPORT_READ_MS,
        correctTerm,
        termRecorded,
      };

      if (req.query.async !== 'true') {
        return app.uploadSlot(async () => {
          try {
            return await importOrganizations(app.sql, body, { ...opts, source: `api:${req.id}` });
          } catch (err) {
            if (err instanceof ImportRejected) throw asHttp(err);
            if (err instanceof ImportBusy) throw busy(err);
            throw err;
          }
        });
      }

      // The file is received (within its limits) before the answer; it is read, checked and written in the background.
      const file = await receiveUpload(body, { maxBytes: IMPORT_MAX_BYTES, timeoutMs: IMPORT_READ_MS });
      const jobId = randomUUID();
      try {
        await addImportJob(app.sql, jobId, p.username, file.size);
      } catch (err) {
        await file.dispose();
        throw err;
      }
      void runJob(jobId, file.dispose, async (onProgress) => {
        // A job waits its turn behind other imports instead of failing busy: it holds no connection while it waits.
        for (let attempt = 1; ; attempt++) {
          try {
            return await importOrganizations(app.sql, createReadStream(file.path), { ...opts, source: `job:${jobId}`, onProgress });
          } catch (err) {
            if (!(err instanceof ImportBusy) || attempt >= JOB_BUSY_ATTEMPTS) throw err;
            await new Promise((r) => setTimeout(r, JOB_BUSY_PAUSE_MS));
          }
        }
      });
      return reply.status(202).send({ jobId });
    },
  );

  const runJob = async (
    jobId: string,
    dispose: () => Promise<void>,
    run: (onProgress: (p: ImportProgress) => void) => ReturnType<typeof importOrganizations>,
  ) => {
    const sql = app.sql;
    let last = 0;
    try {
      await importJobRunning(sql, jobId);
      const r = await run((p) => {
        // At most one progress write a second: progress is for people watching, not an event log.
        if (Date.now() - last < 1000) return;
        last = Date.now();
        void importJobProgress(sql, jobId, p.bytes, p.rows).catch(() => {});
      });
      await importJobSucceeded(sql, jobId, r, r.created + r.updated + r.unchanged);
    } catch (err) {
      const e = err instanceof ImportRejected ? err : null;
      const error = e
        ? { status: e.status, code: errorCode[e.status], message: e.message, details: e.errors }
        : err instanceof ImportBusy
          ? { status: 503, code: 'busy', message: err.message, details: [] }
          : { status: 500, code: 'internal', message: 'the import failed; nothing was written', details: [] };
      if (!e && !(err instanceof ImportBusy)) app.log.error({ err, jobId }, 'import job failed');
      await importJobEnded(sql, jobId, e ? 'rejected' : 'failed', error).catch(() => {});
    } finally {
      await dispose();
    }
  };

  app.get(
    '/organizations/import/:jobId',
    { schema: { tags: ['organizations'], params: z.object({ jobId: z.string().uuid() }), response: { 200: jobSchema } } },
    async (req) => {
      const job = await importJob(app.sql, req.params.jobId);
      // A job is its creator's; an admin of the whole tree sees every job.
      if (!job || (job.created_by !== req.principal.username && !allows(req.principal, '', ['admin']))) throw notFound(`import job ${req.params.jobId}`);
      return {
        jobId: job.id,
        status: job.status,
        progress: { bytesRead: job.bytes_read, bytesTotal: job.bytes_total, rows: job.rows_read },
        // Jobs stored before imports routed rows to processes have neither list, nor those before it reported villages the inferred counts.
        result: job.result
          ? {
              routed: [],
              refused: [],
              inferred: { villages: 0, communities: 0, warnings: [] },
              ...(job.result as Partial<z.infer<typeof result>>),
              ...(job.result as Pick<z.infer<typeof result>, 'created' | 'updated' | 'unchanged'>),
            }
          : null,
        error: (job.error as z.infer<typeof jobSchema>['error']) ?? null,
      };
    },
  );
};

export default organizationImport;
