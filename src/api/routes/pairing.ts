import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import { inScope, organizationInScope } from '../scope.js';
import { pairingCoverageSchema } from '../../pairing/schemas.js';
import { addEvidence, attachedEvidence, deleteEvidence, pairingByCounty, pairingOf } from '../../pairing/store.js';
import { allows, type Principal } from '../../auth/principal.js';
import { processId } from '../../processes/start.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { shanghaiDate } from '../../domain/dates.js';
import { RuleViolation } from '../../domain/election.js';
import { checkEvidenceFilename, pairingWorkers } from '../../domain/pairing/rules.js';
import { pairingRuleSets, pairingRulesFor } from '../../domain/rules.js';
import { attachEvidenceUpdate, deliverableSchema, KIND, milestoneBody, recordMilestoneUpdate } from '../../../workflows/pairing/workflow.js';

// Codes arrive in query strings too: a NUL (which PostgreSQL text cannot hold) is refused here, naming the field,
// whatever the global guard does with query objects.
const code = z
  .string()
  .min(1)
  .max(64)
  .refine((c) => !c.includes('\u0000'), 'NUL characters are not allowed');
const workers = pairingWorkers;
/** The largest file any pairing rule set allows: the hard stop while a body streams in. */
const HARD_MAX_BYTES = Math.max(...pairingRuleSets.map((r) => r.evidenceMaxBytes));
/** The limit of the rule set in force today: checked on Content-Length before a byte of the body is read. */
const currentMaxBytes = () => pairingRulesFor(shanghaiDate(Date.now())).evidenceMaxBytes;
const tooLarge = (max: number) =>
  new HttpError(413, 'too_large', `evidence files are limited to ${max} bytes (${Math.round((max / 1024 / 1024) * 10) / 10} MiB)`, { limit: max });

/**
 * A running pairing of the village and the caller's right to record its work: the village's people and the
 * partner's (and those above either) see it — outside both subtrees it does not exist (404); a role that does not
 * record work is 403; a pairing not running is 409.
 */
async function runningPairing(app: Parameters<FastifyPluginAsync>[0], principal: Principal, organization: string) {
  const id = processId(KIND, organization);
  const org = await pairingOf(app.sql, organization, id);
  const partnerPath = org?.partner_path ?? null;
  if (!org || !(allows(principal, org.path) || (partnerPath !== null && allows(principal, partnerPath)))) throw notFound(`organization ${organization}`);
  if (!allows(principal, org.path, workers) && !(partnerPath !== null && allows(principal, partnerPath, workers))) {
    throw new HttpError(403, 'forbidden', `this needs the role ${workers.join(' or ')} at the village or its partner`);
  }
  if (!org.status) throw new HttpError(409, 'conflict', notRunning(organization));
  if (org.status !== 'running') throw new HttpError(409, 'conflict', `the pairing of ${organization} is ${org.status}`);
  return { org, id };
}

const notRunning = (organization: string) => `no pairing is running for ${organization}`;

/** Reads the body while hashing it, stopping at the first byte over the limit. */
async function readLimited(body: Readable, max: number): Promise<{ bytes: Buffer; sha256: string }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > max) {
      body.destroy();
      throw tooLarge(max);
    }
    hash.update(b);
    chunks.push(b);
  }
  return { bytes: Buffer.concat(chunks), sha256: hash.digest('hex') };
}

// The evidence upload in a context of its own: every body is the file itself, whatever its Content-Type.
// Files go to PostgreSQL (evidence_files.content, bytea), not to the data dir: the API and the worker may run on
// different hosts with only PostgreSQL shared, a file and its row commit together, backups and scope checks cover
// them like every other record, and the rule set's size limit (10 MiB) keeps each value small (migration 032).
const evidenceUpload: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.post(
    '/pairing/evidence',
    {
      bodyLimit: HARD_MAX_BYTES,
      // The limit is enforced before the body is read: a declared length over it is refused at once.
      onRequest: async (req) => {
        const declared = Number(req.headers['content-length']);
        const max = currentMaxBytes();
        if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
      },
      schema: {
        tags: ['pairing'],
        summary: "upload an evidence file for a deliverable of the village's pairing (the body is the file)",
        description: 'Stored in PostgreSQL with its SHA-256; larger than the rule set allows → 413 before the body is read.',
        consumes: ['application/octet-stream', 'application/pdf', 'image/jpeg', 'image/png'],
        headers: idempotencyKeyHeader,
        querystring: z.object({
          organization: code.describe('the village'),
          deliverable: deliverableSchema,
          filename: z.string().min(1).max(200),
        }),
        response: { 201: z.object({ id: z.string(), sha256: z.string(), size: z.number(), filename: z.string(), deliverable: z.string() }) },
      },
    },
    async (req, reply) =>
      idempotent(app.sql, req, reply, async () => {
        const { organization, deliverable, filename } = req.query;
        const max = currentMaxBytes();
        try {
          checkEvidenceFilename(filename);
        } catch (err) {
          if (err instanceof RuleViolation)
            throw new HttpError(400, 'invalid_request', `querystring.filename: ${err.message}`, [{ field: 'querystring.filename', message: err.message }]);
          throw err;
        }
        const body = req.body as Readable | undefined;
        if (!body || typeof body.pipe !== 'function')
          throw new HttpError(400, 'invalid_request', 'body: send the file as the request body', [{ field: 'body', message: 'the file is required' }]);
        const { org, id: workflowId } = await runningPairing(app, req.principal, organization);
        const { bytes, sha256 } = await readLimited(body, max);
        if (bytes.length === 0) throw new HttpError(400, 'invalid_request', 'body: the file is empty', [{ field: 'body', message: 'the file is empty' }]);
        const contentType = String(req.headers['content-type'] ?? 'application/octet-stream').slice(0, 200) || 'application/octet-stream';
        const id = randomUUID();
        // Stored first (committed), then offered to the workflow; a refusal removes the row again, so a refused
        // upload leaves nothing behind and the workflow only ever references files that exist.
        await addEvidence(app.sql, {
          id,
          workflowId,
          deliverable,
          organizationId: org.id,
          filename,
          contentType,
          sha256,
          content: bytes,
          uploadedBy: req.principal.username,
        });
        try {
          await app.updateProcess(
            req,
            workflowId,
            attachEvidenceUpdate,
            { id, deliverable, sha256, size: bytes.length, filename },
            { ended: notRunning(organization) },
          );
        } catch (err) {
          await deleteEvidence(app.sql, id);
          throw err;
        }
        return { status: 201, body: { id, sha256, size: bytes.length, filename, deliverable } };
      }),
  );
};

// Urban–rural pairing (domain.md §4.5): evidence, milestones, and coverage of the administrative villages per county.
const pairingRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;
  await app.register(evidenceUpload);

  app.get(
    '/pairing/evidence/:id',
    {
      schema: {
        tags: ['pairing'],
        summary: 'download an evidence file; its SHA-256 is checked before it is sent (header x-checksum-sha256)',
        params: z.object({ id: z.uuid() }),
        // Not JSON: the file itself, with the media type it was uploaded with (the errors stay JSON, added in app.ts).
        response: {
          200: { description: 'the evidence file as uploaded; header x-checksum-sha256', content: { 'application/octet-stream': { schema: z.string() } } },
        },
      },
    },
    async (req, reply) => {
      // Readable by the village's people and the partner's of the cycle it belongs to.
      const f = await attachedEvidence(sql, req.params.id);
      if (!f || !(allows(req.principal, f.path) || (f.partner_path !== null && allows(req.principal, f.partner_path))))
        throw notFound(`evidence ${req.params.id}`);
      if (createHash('sha256').update(f.content).digest('hex') !== f.sha256) {
        req.log.error({ evidence: req.params.id }, 'evidence file does not match its checksum');
        throw new HttpError(500, 'corrupt', 'the stored file does not match its checksum');
      }
      return (
        reply
          .header('content-type', f.content_type)
          .header('x-checksum-sha256', f.sha256)
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.filename)}`)
          // The bytes as stored (a Buffer is sent as is, not serialized).
          .send(f.content as unknown as string)
      );
    },
  );

  app.post(
    '/pairing/milestones',
    {
      schema: {
        tags: ['pairing'],
        summary: "record a milestone of a deliverable of the village's pairing, with its evidence files (ids from the upload)",
        headers: idempotencyKeyHeader,
        body: milestoneBody.extend({ organization: code.describe('the village') }),
        response: { 200: z.object({ cycle: z.number(), milestones: z.number() }) },
      },
    },
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        const { organization, ...m } = req.body;
        const { id } = await runningPairing(app, req.principal, organization);
        return { status: 200, body: await app.updateProcess(req, id, recordMilestoneUpdate, m, { ended: notRunning(organization) }) };
      }),
  );

  // Every administrative village (a rural Party organization below a township) should be paired: per county, the
  // villages in the caller's subtree, those with an active pairing, and the deliverables of the current cycles.
  app.get(
    '/pairing/coverage',
    {
      schema: {
        tags: ['pairing'],
        querystring: z.object({ org: code.optional().describe('only villages under this organization') }),
        response: { 200: pairingCoverageSchema },
      },
    },
    async (req) => {
      const under = req.query.org ? await organizationInScope(sql, req.principal, req.query.org) : null;
      const rows = await pairingByCounty(sql, inScope(sql, req.principal), under?.path);
      const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : null);
      return { items: rows.map((r) => ({ ...r, coverage: pct(r.paired, r.villages) })) };
    },
  );
};

export default pairingRoutes;
