// Import of the member register from a member-system export (contract.md "Member import columns"): the whole
// file is read and checked row by row before any lock or transaction, staged through COPY, checked set-based against
// the register and the tree, and written in one transaction — all rows or none, every refusal named by row and column.
//
// A re-import keeps what orglife recorded: a member's register (a transfer) and status changed here are not set back
// by a file, which is older than the act that changed them; the rows that would have are listed in `kept`.
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from '../db/client.js';
import { allows, scopeRoots, type Principal } from '../auth/principal.js';
import { organizingRoles } from '../domain/roles.js';
import { shanghaiDate } from '../domain/dates.js';
import type { RowError } from '../organizations/import/columns.js';
import { Errors, ImportBusy, ImportRejected, stageSheet, type ImportProgress } from '../organizations/import/import.js';
import { mapMemberHeader, type MemberColumn } from './columns.js';
import { secretOf, type PersonalDataKey } from './personal-data.js';
import { stageMemberRows, type StagedRows } from './stage-rows.js';
import type { StageRequest } from './stage-worker.js';
import { countedStatuses, type MemberStatus } from '../domain/members.js';

export interface MemberImportResult {
  created: number;
  updated: number;
  unchanged: number;
  /** Values of the file not written because orglife recorded a later change (a transfer, a status change). */
  kept: RowError[];
}

export interface MemberImportOptions {
  principal: Principal;
  actor: string;
  source: string;
  key: PersonalDataKey;
  maxBytes?: number;
  maxRows?: number;
  timeoutMs?: number;
  onProgress?: (p: ImportProgress) => void;
}

// Member imports write counts of the organizations they touch; two at once would each count without the other's rows.
const MEMBER_IMPORT_LOCK = 7_311_044;
const LOCK_WAIT_MS = 30_000;
const STATEMENT_MS = 20 * 60_000;

const staged = [
  'line',
  'organization_code',
  'organization_name',
  'name',
  'name_initials',
  'gender',
  'ethnicity',
  'birth_date',
  'education',
  'id_number_sealed',
  'id_number_digest',
  'id_number_masked',
  'phone_sealed',
  'phone_masked',
  'joined_on',
  'full_on',
  'category',
  'status',
  'occupation',
] as const;

/** The fields a file writes and a member's history compares, besides the register and the status. */
const fileFields = [
  'name',
  'gender',
  'ethnicity',
  'birth_date',
  'education',
  'id_number_masked',
  'phone_masked',
  'joined_on',
  'full_on',
  'category',
  'occupation',
] as const;

export async function importMembers(sql: Sql, input: Readable, opts: MemberImportOptions): Promise<MemberImportResult> {
  const p = opts.principal;
  const writeRoots = scopeRoots(p, organizingRoles);
  if (writeRoots.length === 0) throw new ImportRejected(403, 'importing members needs the role admin or organizer', []);
  const wholeTree = writeRoots.includes('');
  const errors = new Errors();
  const progress = { phase: 'reading' as ImportProgress['phase'], bytes: 0, rows: 0 };
  const report = (phase: ImportProgress['phase']) => {
    progress.phase = phase;
    opts.onProgress?.({ ...progress });
  };

  const file = await stage(input, opts, errors, (bytes, rows) => {
    progress.bytes = bytes;
    progress.rows = rows;
  });
  try {
    return await sql.begin(async (tx) => {
      await tx`select set_config('lock_timeout', ${`${LOCK_WAIT_MS}ms`}, true)`;
      try {
        await tx`select pg_advisory_xact_lock(${MEMBER_IMPORT_LOCK})`;
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') throw new ImportBusy();
        throw err;
      }
      await tx`set local lock_timeout = 0`;
      await tx`select set_config('statement_timeout', ${`${STATEMENT_MS}ms`}, true)`;
      // A province's file is sorted, hashed and joined whole (a million rows of sealed values): in memory, not in
      // batches spilled to disk at the server's default of 4 MB a sort or hash.
      await tx`set local work_mem = '256MB'`;
      await tx`
        create temp table member_input (
          line int not null, organization_code text not null, organization_name text not null, name text, name_initials text,
          gender text, ethnicity text, birth_date date, education text, id_number_sealed text, id_number_digest text,
          id_number_masked text, phone_sealed text, phone_masked text, joined_on date, full_on date, category text, status text,
          occupation text
        ) on commit drop`;
      const copy = await tx`copy member_input (${tx(staged as unknown as string[])}) from stdin`.writable();
      await pipeline(createReadStream(file.path), copy);
      report('checking');
      // A file of a few rows against a register of millions is read by index; a file of a province's register is read
      // by hash joins, which the planner chooses from the staged rows' statistics.
      await tx`analyze member_input`;

      // The register a row names: its organization by code, or by its full name where the file has no code. Each
      // register once (a file names a branch for each of its tens of members), then joined back to its rows below.
      await tx`
        create temp table member_registers on commit drop as
        select r.organization_code, r.organization_name, coalesce(oc.id, onm.id) as organization_id
        from (select distinct organization_code, organization_name from member_input) r
        left join organizations oc on r.organization_code <> '' and oc.code = r.organization_code
        left join (select name, min(id) as id from organizations group by name having count(*) = 1) onm
          on r.organization_code = '' and onm.name = r.organization_name`;
      await tx`analyze member_registers`;
      const named = await tx<{ line: number; code: string; name: string; path: string | null; type: string | null; same_name: number }[]>`
        select s.line, s.organization_code as code, s.organization_name as name, o.path::text as path, o.type,
               (select count(*)::int from organizations x where s.organization_code = '' and x.name = s.organization_name) as same_name
        from member_registers r left join organizations o on o.id = r.organization_id
        join member_input s on s.organization_code = r.organization_code and s.organization_name = r.organization_name
        where o.id is null or o.type = 'unit' or not (${wholeTree ? tx`true` : tx`o.path <@ ${tx.array(writeRoots)}::ltree[]`})
        order by s.line`;
      for (const r of named) {
        const column: MemberColumn = r.code ? '党组织编码' : '所在党组织';
        const which = r.code || r.name;
        if (r.path !== null && r.type === 'unit')
          errors.add({ row: r.line, column, message: `${which} is a unit without a Party organization: it keeps no register` });
        else if (r.path !== null && allows(p, r.path))
          errors.add({ row: r.line, column, message: `you may not change the register of ${which}: that needs the role admin or organizer there` }, 403);
        else if (r.same_name > 1)
          errors.add({ row: r.line, column, message: `${r.same_name} organizations are named ${which}: name the register by its 党组织编码` });
        else errors.add({ row: r.line, column, message: `no organization ${which} in your subtree` }, 404);
      }

      // A person is on one register: the same 身份证号 twice in the file is refused, each later row naming the first.
      const dups = await tx<{ line: number; first: number }[]>`
        select line, first from (
          select line, min(line) over (partition by id_number_digest) as first, count(*) over (partition by id_number_digest) as n
          from member_input where id_number_digest is not null) d
        where n > 1 and line > first order by line`;
      for (const d of dups) errors.add({ row: d.line, column: '身份证号', message: `this 身份证号 appears again (first on row ${d.first})` });

      // Each row with its register and the member it finds by the 身份证号's digest, written once: the checks and writes
      // below read it, and only a re-import's rows are written again (by what orglife recorded, or as unchanged).
      await tx`
        create temp table member_rows on commit drop as
        select s.*, r.organization_id, m.id as member_id, case when m.id is null then 'create' else 'update' end as action
        from member_input s join member_registers r on r.organization_code = s.organization_code and r.organization_name = s.organization_name
        left join members m on m.id_number_digest = s.id_number_digest`;
      await tx`drop table member_input`;
      await tx`analyze member_rows`;

      // A member already on a register the caller does not keep: a move between those registers is a transfer.
      if (!wholeTree) {
        const foreign = await tx<{ line: number; code: string }[]>`
          select s.line, o.code from member_rows s join members m on m.id = s.member_id join organizations o on o.id = m.organization_id
          where not (o.path <@ ${tx.array(writeRoots)}::ltree[]) order by s.line`;
        for (const r of foreign)
          errors.add({
            row: r.line,
            column: '身份证号',
            message: 'this member is on the register of an organization outside your subtree: a move between registers is a transfer (组织关系转接)',
          });
      }

      if (errors.count > 0) {
        errors.list.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
        const more = errors.count > errors.list.length ? ` (the first ${errors.list.length} are listed)` : '';
        throw new ImportRejected(errors.status, `the file has ${errors.count} error(s)${more}; nothing was imported`, errors.list);
      }

      report('writing');
      // What orglife recorded stays: the register of a member moved here, the status of a member changed here.
      const kept: RowError[] = [];
      const keptRows = await tx<{ line: number; register: boolean; status: boolean; code: string; state: string }[]>`
        select s.line, (m.placed_by = 'orglife' and m.organization_id <> s.organization_id) as register,
               (m.status_by = 'orglife' and m.status <> s.status) as status, o.code, m.status as state
        from member_rows s join members m on m.id = s.member_id join organizations o on o.id = m.organization_id
        where (m.placed_by = 'orglife' and m.organization_id <> s.organization_id) or (m.status_by = 'orglife' and m.status <> s.status)
        order by s.line`;
      for (const r of keptRows) {
        if (r.register) kept.push({ row: r.line, column: '党组织编码', message: `kept on the register of ${r.code}, where orglife moved this member` });
        if (r.status) kept.push({ row: r.line, column: '党员状态', message: `kept the status orglife recorded (${r.state})` });
      }
      // A re-import's rows: what orglife recorded set back in (only where it differs), then the rows that change
      // nothing marked. A sealed value is compared by what it seals (the digest; the masked phone).
      await tx`
        update member_rows s set
          organization_id = case when m.placed_by = 'orglife' then m.organization_id else s.organization_id end,
          status = case when m.status_by = 'orglife' then m.status else s.status end
        from members m where m.id = s.member_id
          and ((m.placed_by = 'orglife' and m.organization_id <> s.organization_id) or (m.status_by = 'orglife' and m.status <> s.status))`;
      await tx`
        update member_rows s set action = 'same' from members m
        where m.id = s.member_id and m.organization_id = s.organization_id and m.status = s.status
          and (${tx.unsafe(fileFields.map((f) => `m.${f}`).join(', '))}) is not distinct from (${tx.unsafe(fileFields.map((f) => `s.${f}`).join(', '))})
          and m.id_number_digest = s.id_number_digest`;

      const today = shanghaiDate(Date.now());
      // The registers whose figures change: where a row goes, and where an updated member was.
      await tx`
        create temp table member_touched on commit drop as
        select organization_id as id from member_rows where action <> 'same'
        union select m.organization_id from member_rows s join members m on m.id = s.member_id where s.action = 'update'`;
      // History: a member registered, or what an import changed (masked values only: the history is read widely).
      const after = (alias: string) =>
        tx.unsafe(`jsonb_build_object('organization', o.code, 'status', ${alias}.status, ${fileFields.map((f) => `'${f}', ${alias}.${f}`).join(', ')})`);
      // One statement each: the statement's snapshot is the members before it, so `before` is what the update replaced.
      await tx`
        with before as (
          select s.member_id, jsonb_build_object('organization', o.code, 'status', m.status, ${tx.unsafe(fileFields.map((f) => `'${f}', m.${f}`).join(', '))}) as before
          from member_rows s join members m on m.id = s.member_id join organizations o on o.id = m.organization_id where s.action = 'update'
        ), changed as (
          update members m set organization_id = s.organization_id, status = s.status,
            status_since = case when m.status is distinct from s.status then ${today}::date else m.status_since end,
            ${tx.unsafe(fileFields.map((f) => `${f} = s.${f}`).join(', '))},
            name_initials = s.name_initials, id_number_sealed = s.id_number_sealed, phone_sealed = s.phone_sealed, updated_at = now()
          from member_rows s where s.member_id = m.id and s.action = 'update'
          returning m.*
        )
        insert into member_events (member_id, kind, actor, source, before, after)
        select c.id, 'updated', ${opts.actor}, ${opts.source}, b.before, ${after('c')}
        from changed c join before b on b.member_id = c.id join organizations o on o.id = c.organization_id`;
      await tx`
        with created as (
          insert into members (organization_id, status, status_since, name_initials, id_number_sealed, id_number_digest, phone_sealed,
                               ${tx.unsafe(fileFields.join(', '))})
          select organization_id, status, ${today}::date, name_initials, id_number_sealed, id_number_digest, phone_sealed, ${tx.unsafe(fileFields.join(', '))}
          from member_rows where action = 'create' order by line
          returning *
        )
        insert into member_events (member_id, kind, actor, source, after)
        select c.id, 'registered', ${opts.actor}, ${opts.source}, ${after('c')}
        from created c join organizations o on o.id = c.organization_id`;
      await recount(tx as unknown as Sql);

      const counts = await tx<{ action: string; n: number }[]>`select action, count(*)::int as n from member_rows group by action`;
      const count = (a: string) => counts.find((c) => c.action === a)?.n ?? 0;
      report('done');
      return { created: count('create'), updated: count('update'), unchanged: count('same'), kept };
    });
  } finally {
    await file.dispose();
  }
}

/**
 * The full / probationary figures of the registers an import touched (`member_touched`), as recountMembers
 * (store.ts) writes them, for all of them in one statement: an import of a province's register touches every branch,
 * and a count per organization is a hundred thousand index scans where one pass over the members is a hash join.
 * The organizations are locked first, in order, as recountMembers does: a transfer received meanwhile is counted.
 */
async function recount(tx: Sql): Promise<void> {
  await tx`analyze member_touched`;
  await tx`select o.id from organizations o join member_touched t on t.id = o.id order by o.id for update of o`;
  await tx`
    update organizations o set members_on_register = true,
      full_members = coalesce(c.full, 0), probationary_members = coalesce(c.probationary, 0), updated_at = now()
    from (
      select t.id, count(m.id) filter (where m.category = 'full')::int as full, count(m.id) filter (where m.category = 'probationary')::int as probationary
      from member_touched t left join members m on m.organization_id = t.id and m.status = any(${countedStatuses as MemberStatus[]})
      group by t.id) c
    where o.id = c.id
      and (o.members_on_register, o.full_members, o.probationary_members) is distinct from (true, coalesce(c.full, 0), coalesce(c.probationary, 0))`;
}

/** Reads and checks every row, sealing personal data as it goes, into a COPY file beside the upload. */
async function stage(
  input: Readable,
  opts: MemberImportOptions,
  errors: Errors,
  progress: (bytes: number, rows: number) => void,
): Promise<{ path: string; dispose: () => Promise<void> }> {
  const today = shanghaiDate(Date.now());
  const secret = secretOf(opts.key);
  let rows = 0;
  let pool: StagePool | undefined;
  let inOrder = Promise.resolve();
  let file: Awaited<ReturnType<typeof stageSheet>>;
  try {
    file = await stageSheet(
      input,
      opts,
      {
        header: mapMemberHeader,
        rows: (batch, header: Map<MemberColumn, number>) => {
          rows += batch.length;
          // Rows are staged only while the file has no error: it is refused whatever the set-based checks find.
          const stage = errors.count === 0;
          // A large file is staged on worker threads: sealing is most of the reading's time, and the threads start in
          // about half a second, which a file of a few thousand rows does not win back.
          if (secret && rows > WORKERS_AFTER_ROWS) pool ??= new StagePool(secret, STAGE_WORKERS);
          const inline = () => stageMemberRows(batch, header, today, opts.key, stage);
          // A worker that cannot start (a runtime without tsx's loader for the sources) leaves the work to this thread:
          // the same function, the same text.
          const staging = pool ? pool.stage({ rows: batch, header: [...header], today, stage }).catch(inline) : Promise.resolve(inline());
          // Errors counted in the file's order (the first MAX_LISTED_ERRORS are listed), whichever batch is done first.
          const done = inOrder
            .then(() => staging)
            .then((staged) => {
              for (const e of staged.errors) errors.add(e);
              return errors.count > 0 ? '' : staged.text;
            });
          inOrder = done.then(
            () => undefined,
            () => undefined,
          );
          return done;
        },
      },
      progress,
    );
  } finally {
    await pool?.close();
  }
  if (errors.count > 0) {
    await file.dispose();
    errors.list.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
    throw new ImportRejected(errors.status, `the file has ${errors.count} error(s); nothing was imported`, errors.list);
  }
  return file;
}

// Rows read on the import's own thread before a file counts as large, and the worker threads of a large one: one a
// core, the import's own thread reading and parsing the file meanwhile.
const WORKERS_AFTER_ROWS = 10_000;
const STAGE_WORKERS = Math.max(1, Math.min(4, availableParallelism()));

interface StageWorker {
  worker: Worker;
  pending: Map<number, { resolve: (r: StagedRows) => void; reject: (e: Error) => void }>;
  /** Why the worker stopped: a message posted to it then would never be answered. */
  stopped?: Error;
}

/** Worker threads (stage-worker.ts) staging batches of rows, each batch to the worker with the fewest under way. */
class StagePool {
  private readonly workers: StageWorker[];
  private next = 0;

  constructor(secret: string, size: number) {
    this.workers = Array.from({ length: size }, () => {
      const w: StageWorker = { worker: startWorker(secret), pending: new Map() };
      const fail = (err: Error) => {
        w.stopped ??= err;
        for (const p of w.pending.values()) p.reject(err);
        w.pending.clear();
      };
      w.worker.on('message', (m: ({ id: number } & StagedRows) | { id: number; error: string }) => {
        const p = w.pending.get(m.id);
        w.pending.delete(m.id);
        if ('error' in m) p?.reject(new Error(`staging member rows failed: ${m.error}`));
        else p?.resolve(m);
      });
      w.worker.on('error', fail);
      w.worker.on('exit', (code) => fail(new Error(`a member import's worker thread stopped (exit code ${code})`)));
      return w;
    });
  }

  stage(request: Omit<StageRequest, 'id'>): Promise<StagedRows> {
    const running = this.workers.filter((w) => !w.stopped);
    if (running.length === 0) return Promise.reject(this.workers[0]?.stopped ?? new Error('no worker thread'));
    const w = running.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      w.pending.set(id, { resolve, reject });
      w.worker.postMessage({ id, ...request } satisfies StageRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/**
 * The worker of stage-worker.ts beside this file: its .js when built, its .ts when run from the sources through tsx
 * (which a worker thread does not inherit: it registers tsx first).
 */
function startWorker(secret: string): Worker {
  const url = new URL(`./stage-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  // A worker's heap bounded (its batches are a few megabytes): V8 would otherwise let each grow to its default
  // before collecting, hundreds of megabytes beside the API's own.
  const resourceLimits = { maxOldGenerationSizeMb: 160 };
  if (url.pathname.endsWith('.js')) return new Worker(url, { workerData: { secret }, resourceLimits });
  // tsx's ES module entry (its package's `import` condition; a require() resolves the CommonJS one).
  const tsx =
    typeof import.meta.resolve === 'function'
      ? import.meta.resolve('tsx/esm/api')
      : pathToFileURL(
          createRequire(import.meta.url)
            .resolve('tsx/esm/api')
            .replace(/\.cjs$/, '.mjs'),
        ).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`, {
    eval: true,
    workerData: { secret },
    resourceLimits,
  });
}
