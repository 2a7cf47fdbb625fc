// Import of organizations (contract.md): validate the whole file, then write it, in one transaction.
//
// Rows stream from the parser straight into a temporary table through COPY, so memory stays flat whatever
// the file's size; every check that needs all rows (duplicates, parents, cycles, scope) is then one set-based
// statement over that table, and the writes are one upsert per tree level. A file with any error rolls the
// transaction back: nothing is written, and every error is listed with its row and column.
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from '../../db/client.js';
import { allows, scopeRoots, type Principal } from '../../auth/principal.js';
import { organizingRoles } from '../../domain/roles.js';
import { shanghaiDate } from '../../domain/dates.js';
import { SETTLEMENT_LEVEL } from '../../domain/assessment.js';
import { checkRow, columns, HeaderError, mapHeader, type ImportRow, type RowError } from './columns.js';
import { readRows, UnreadableFile, type RawRow, type ReadLimits } from './read.js';

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  /** Rows whose process-owned fields went to the owning process as a correction (after the commit). */
  routed: RoutedRow[];
  /** Process-owned fields of rows that were not written (the rest of each row was): row, column and why. */
  refused: RowError[];
  /** What the import read from the tree's shape: the file's villages and communities, and where a sector word disagrees. */
  inferred: InferredSettlements;
}

/**
 * Villages and communities are decided by their place in the tree (domain.md §2; `organizations.settlement`), not by
 * the file's sector words: the file's rows counted as villages and communities after it was written, and the rows
 * whose sector word (农村 / 社区) says village or community where the tree says otherwise — a warning, not a refusal:
 * the row is written, and counted by its place.
 */
export interface InferredSettlements {
  villages: number;
  communities: number;
  /** With the row's sector and its level in the tree (the root 1), so that a page can say it in its own words. */
  warnings: (RowError & { sector: string; level: number })[];
}

/** A row sent to the running process that owns its changed fields; `failed` when the process refused it. */
export interface RoutedRow {
  row: number;
  code: string;
  workflowId: string;
  columns: string[];
  status: 'applied' | 'failed';
  message?: string;
}

/** A corrected term for a running term election (workflows/messages.ts correctTerm, without the actor). */
export interface TermCorrection {
  workflowId: string;
  /** Unique per import and row: a retried send is applied once. */
  updateId: string;
  startedOn: string;
  termYears: number;
  secretary?: string;
  reason: string;
  source: string;
}

export interface ImportProgress {
  phase: 'reading' | 'checking' | 'writing' | 'done';
  bytes: number;
  rows: number;
}

export interface ImportOptions {
  /** The caller; null for the operator's CLI, which acts for the whole tree. */
  principal: Principal | null;
  /** Who the audit names. */
  actor: string;
  /** What the audit names as the source of a change (import job, file name). */
  source: string;
  maxBytes?: number;
  maxRows?: number;
  /** Milliseconds for receiving and reading the file (not for writing it). */
  timeoutMs?: number;
  onProgress?: (p: ImportProgress) => void;
  /**
   * Sends a term correction to its running election (the API's Temporal client); it throws with the process's
   * refusal. Without it (the operator's CLI) a routed row is reported failed and its term is not written.
   */
  correctTerm?: (c: TermCorrection) => Promise<void>;
  /**
   * Tells a running chase for a missing term (workflows/term-date-missing) that the file gave its organization a
   * term, so that its task closes now. Without it (the CLI) the next daily sweep tells it.
   */
  termRecorded?: (workflowId: string, source: string) => Promise<void>;
}

/** Listed errors are capped so that a file of 200,000 bad rows still gets a bounded answer. */
export const MAX_LISTED_ERRORS = 10_000;

/**
 * The whole file is refused. status: 400 unreadable file or header, 422 rows that fail checks, 403 rows the
 * caller may see but not change, 404 rows outside the caller's subtree (indistinguishable from unknown codes).
 */
export class ImportRejected extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 408 | 413 | 422,
    message: string,
    readonly errors: RowError[],
  ) {
    super(message);
  }
}

const WRITE_ROLES = organizingRoles;
/** Corrections sent to their processes at once after an import. */
const ROUTE_CONCURRENCY = 8;
// Imports change the shape of the tree; two at once could each validate against a tree the other changes.
const IMPORT_LOCK = 7_311_043;
/** How long an import waits for another one to finish writing before it is answered busy. */
export const IMPORT_LOCK_WAIT_MS = 30_000;
/** One statement of an import's checks or writes (a level of a million rows inserted at once). */
const IMPORT_STATEMENT_MS = 20 * 60_000;

/** Another import is writing; this one wrote nothing and may be sent again. */
export class ImportBusy extends Error {
  constructor() {
    super(`another import is being written; nothing was imported: try again in a minute`);
  }
}

/** A value as COPY's text format writes it. */
export const copyText = (v: string | number | null): string =>
  v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

// The staging table's column order: the file's line number, then the contract's columns.
const copyColumns: (keyof ImportRow)[] = ['row', ...columns];

/** A file's errors: every one counted, the first MAX_LISTED_ERRORS listed; the status the worst of them asks. */
export class Errors {
  readonly list: RowError[] = [];
  count = 0;
  status: 403 | 404 | 422 = 422;
  add(e: RowError, status: 403 | 404 | 422 = 422) {
    this.count++;
    if (status === 404 || (status === 403 && this.status === 422)) this.status = status;
    if (this.list.length < MAX_LISTED_ERRORS) this.list.push(e);
  }
}

export async function importOrganizations(sql: Sql, input: Readable, opts: ImportOptions): Promise<ImportResult> {
  const p = opts.principal;
  const writeRoots = p ? scopeRoots(p, WRITE_ROLES) : [''];
  if (writeRoots.length === 0) throw new ImportRejected(403, 'importing organizations needs the role admin or organizer', []);
  const wholeTree = writeRoots.includes('');
  const grantCodes = p ? p.grants.filter((g) => WRITE_ROLES.includes(g.role) && g.code).map((g) => g.code!) : [];
  const progress = { phase: 'reading' as ImportProgress['phase'], bytes: 0, rows: 0 };
  const report = (phase: ImportProgress['phase']) => {
    progress.phase = phase;
    opts.onProgress?.({ ...progress });
  };

  // 1. Read the whole file before any lock or transaction: each row checked on its own and written as COPY text
  // to a file beside the upload, so a file that is slow, truncated or too large costs no connection and no lock.
  const errors = new Errors();
  const staged = await stageSheet(
    input,
    opts,
    {
      header: mapHeader,
      row: (raw, at) => {
        const row = checkRow(raw.row, raw.cells, at, (e) => errors.add(e));
        return row.code ? copyColumns.map((c) => row[c]) : null;
      },
    },
    (bytes, rows, phase) => {
      progress.bytes = bytes;
      progress.rows = rows;
      if (phase) report(phase);
    },
  );
  const dataRows = staged.rows;

  const routes: PendingRoute[] = [];
  const chases: { workflow_id: string; line: number }[] = [];
  let written: ImportResult;
  try {
    written = (await sql.begin(async (tx) => {
      // Another import holds the lock while it writes: wait a while, then answer busy rather than hold a connection.
      await tx`select set_config('lock_timeout', ${`${IMPORT_LOCK_WAIT_MS}ms`}, true)`;
      try {
        await tx`select pg_advisory_xact_lock(${IMPORT_LOCK})`;
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') throw new ImportBusy();
        throw err;
      }
      await tx`set local lock_timeout = 0`;
      // The writes of a province's file take minutes: longer than the API's statement limit, still bounded.
      await tx`select set_config('statement_timeout', ${`${IMPORT_STATEMENT_MS}ms`}, true)`;
      await tx`
        create temp table import_rows (
          line int not null, code text not null, parent_code text not null, name text, type text, sector text,
          term_years int, term_started_on date, secretary_name text, secretary_phone text,
          full_members int, probationary_members int, depth int, ok boolean, action text not null default 'create'
        ) on commit drop`;
      const copy = await tx`copy import_rows (line, code, parent_code, name, type, sector, term_years, term_started_on,
                                               secretary_name, secretary_phone, full_members, probationary_members) from stdin`.writable();
      await pipeline(createReadStream(staged.path), copy);
      report('checking');

      // 2. Checks over all rows.
      // Every statement below joins a large part of import_rows with organizations, whose statistics predate
      // this import (or this level): planned on them, a nested loop over a seq scan takes minutes. Hash joins
      // cost a scan of each side, whatever the estimates say.
      await tx`set local enable_nestloop = off`;
      await tx`create index on import_rows (code)`;
      await tx`create index on import_rows (parent_code)`;
      await tx`analyze import_rows`;
      const roots = tx`${tx.array(writeRoots)}::ltree[]`;
      const inWriteScope = (alias: string) => (wholeTree ? tx`true` : tx`${tx(alias)}.path <@ ${roots}`);

      const dups = await tx<{ line: number; code: string; first: number }[]>`
        select line, code, first from (
          select line, code, min(line) over (partition by code) as first, count(*) over (partition by code) as n from import_rows) d
        where n > 1 and line > first order by line`;
      for (const d of dups) errors.add({ row: d.line, column: 'code', message: `code ${d.code} appears again (first on row ${d.first})` });

      // A parent that is neither in the file nor (for a scoped caller) in the caller's subtree. To a scoped
      // caller an organization outside its subtree does not exist, so both read alike.
      const parents = await tx<{ line: number; parent_code: string; path: string | null }[]>`
        select s.line, s.parent_code, o.path::text as path
        from import_rows s left join organizations o on o.code = s.parent_code
        where s.parent_code <> '' and not exists (select 1 from import_rows x where x.code = s.parent_code)
          and (o.id is null or not (${inWriteScope('o')}))
        order by s.line`;
      for (const r of parents) {
        if (r.path !== null && p && allows(p, r.path)) {
          errors.add(
            {
              row: r.line,
              column: 'parent_code',
              message: `you may not add organizations under ${r.parent_code}: that needs the role admin or organizer there`,
            },
            403,
          );
        } else if (wholeTree) {
          errors.add({ row: r.line, column: 'parent_code', message: `unknown parent_code ${r.parent_code}: not in this file nor stored` });
        } else {
          errors.add({ row: r.line, column: 'parent_code', message: `no organization ${r.parent_code} in this file or in your subtree` }, 404);
        }
      }

      if (!wholeTree) {
        const rootRows = await tx<{ line: number }[]>`select line from import_rows where parent_code = '' order by line`;
        for (const r of rootRows) {
          errors.add(
            { row: r.line, column: 'parent_code', message: 'an empty parent_code makes a root organization: only an admin of the whole tree imports one' },
            403,
          );
        }
        const foreign = await tx<{ line: number; code: string; path: string }[]>`
          select s.line, s.code, o.path::text as path from import_rows s join organizations o on o.code = s.code
          where not (${inWriteScope('o')}) order by s.line`;
        for (const r of foreign) {
          if (p && allows(p, r.path))
            errors.add({ row: r.line, column: 'code', message: `you may not change ${r.code}: that needs the role admin or organizer there` }, 403);
          else errors.add({ row: r.line, column: 'code', message: `code ${r.code} is used by an organization outside your subtree` }, 404);
        }
      }

      // Cycles and final placement: walk down from the rows that hang under something not in the file. A row
      // whose parent is stored (not in the file) still depends on the nearest ancestor of that parent which the
      // file moves; rows the walk never reaches form or hang below a cycle.
      if (dups.length === 0) {
        await tx`
          with recursive above as materialized (
            -- A row under a stored parent: every organization on that parent's stored path, with its height. Taken
            -- apart here on its own, so that the join below reads organizations once for all rows: joined inside
            -- the lateral walk, the planner read the whole table once per row.
            select s.code, u.id, u.n
            from import_rows s
            join organizations p on p.code = s.parent_code
            cross join lateral unnest(string_to_array(p.path::text, '.')::bigint[]) with ordinality as u(id, n)
            where not exists (select 1 from import_rows y where y.code = s.parent_code)
          ), anchor as (
            -- The nearest of them which the file also holds: the row is written after it.
            select distinct on (above.code) above.code, a.code as anc
            from above
            join organizations a on a.id = above.id
            join import_rows x on x.code = a.code
            order by above.code, above.n desc
          ), dep as (
            select s.code,
              case
                when s.parent_code = '' then null
                when inf.code is not null then s.parent_code
                else anchor.anc
              end as dep,
              ${
                wholeTree
                  ? tx`true`
                  : tx`(coalesce(p.path <@ ${roots}, false) and inf.code is null)
                       or (s.code = any(${grantCodes}) and op.code is not distinct from nullif(s.parent_code, ''))`
              } as base_ok
            from import_rows s
            left join import_rows inf on inf.code = s.parent_code
            left join anchor on anchor.code = s.code
            left join organizations p on p.code = s.parent_code
            left join organizations cur on cur.code = s.code
            left join organizations op on op.id = cur.parent_id
          ), walk as (
            select code, 0 as depth, base_ok as ok from dep where dep is null
            union all
            select d.code, w.depth + 1, w.ok or d.base_ok from dep d join walk w on d.dep = w.code
          )
          update import_rows s set depth = w.depth, ok = w.ok from walk w where w.code = s.code`;
        const cyclic = await tx<{ line: number; parent_code: string }[]>`
          select line, parent_code from import_rows where depth is null order by line`;
        for (const r of cyclic) {
          errors.add({ row: r.line, column: 'parent_code', message: `parent_code ${r.parent_code} makes a cycle: the organization would lie below itself` });
        }
        if (!wholeTree) {
          const outside = await tx<{ line: number; code: string }[]>`
            select line, code from import_rows where depth is not null and not ok and parent_code <> '' order by line`;
          for (const r of outside) {
            errors.add({ row: r.line, column: 'parent_code', message: `${r.code} would lie outside your subtree` }, 404);
          }
        }
      }

      if (errors.count > 0) {
        errors.list.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
        const more = errors.count > errors.list.length ? ` (the first ${errors.list.length} are listed)` : '';
        throw new ImportRejected(errors.status, `the file has ${errors.count} error(s)${more}; nothing was imported`, errors.list);
      }

      // 3. Writes.
      report('writing');
      // Rows start as 'create'; those whose code is stored become 'update' or 'same'.
      const classify = () => tx`
        update import_rows s set action = case
            when (op.code, o.name, o.type, o.sector, o.term_years, o.term_started_on, o.secretary_name, o.secretary_phone,
                  o.full_members, o.probationary_members)
                 is distinct from
                 (nullif(s.parent_code, ''), s.name, s.type, s.sector, s.term_years, s.term_started_on, s.secretary_name,
                  s.secretary_phone, s.full_members, s.probationary_members) then 'update'
            else 'same' end
        from organizations o left join organizations op on op.id = o.parent_id
        where o.code = s.code`;
      await classify();
      // A process may write its fields while the import runs (a term renewed, a correction): the rows about to change
      // of organizations with a running process are locked before their owned fields are compared, so the comparison
      // sees the process's last write and the process's next write waits for this import instead of being overwritten.
      await tx`
        select o.id from import_rows s join organizations o on o.code = s.code
        where s.action = 'update' and exists (select 1 from processes pr where pr.organization_id = o.id and pr.status = 'running')
        order by o.id for update of o`;
      // An organization whose members are on the register reports its figures from it (src/members/store.ts
      // recountMembers): the file's typed figures are not written over them.
      await tx`
        update import_rows s set full_members = o.full_members, probationary_members = o.probationary_members
        from organizations o where o.code = s.code and o.members_on_register`;
      await classify();
      // Fields a process owns are not the file's to write (ownership below): those of refused and routed rows keep
      // their stored values, the rest of each row is written as usual.
      const owned = await ownedFields(tx as unknown as Sql);
      if (owned.keep.size > 0) {
        for (const [column, lines] of owned.keep) {
          await tx`update import_rows s set ${tx(column)} = o.${tx(column)} from organizations o where o.code = s.code and s.line = any(${[...lines]})`;
        }
        await classify();
      }
      const counts = await tx<{ action: string; n: number }[]>`select action, count(*)::int as n from import_rows group by action`;
      const count = (a: string) => counts.find((c) => c.action === a)?.n ?? 0;
      const result: ImportResult = {
        created: count('create'),
        updated: count('update'),
        unchanged: count('same'),
        routed: [],
        refused: owned.refused,
        inferred: { villages: 0, communities: 0, warnings: [] },
      };
      routes.push(...owned.routes);

      if (result.updated > 0) {
        await tx`
          insert into organization_changes (organization_id, code, changed_by, source, before, after)
          select o.id, o.code, ${opts.actor}, ${opts.source},
            jsonb_build_object('parent_code', op.code, 'name', o.name, 'type', o.type, 'sector', o.sector,
              'term_years', o.term_years, 'term_started_on', o.term_started_on, 'secretary_name', o.secretary_name,
              'secretary_phone', o.secretary_phone, 'full_members', o.full_members, 'probationary_members', o.probationary_members),
            jsonb_build_object('parent_code', nullif(s.parent_code, ''), 'name', s.name, 'type', s.type, 'sector', s.sector,
              'term_years', s.term_years, 'term_started_on', s.term_started_on, 'secretary_name', s.secretary_name,
              'secretary_phone', s.secretary_phone, 'full_members', s.full_members, 'probationary_members', s.probationary_members)
          from import_rows s join organizations o on o.code = s.code left join organizations op on op.id = o.parent_id
          where s.action = 'update'`;
      }
      const moved = (
        await tx<{ id: number }[]>`
          select o.id from import_rows s join organizations o on o.code = s.code left join organizations op on op.id = o.parent_id
          where s.action = 'update' and op.code is distinct from nullif(s.parent_code, '')`
      ).map((r) => r.id);

      const [{ max } = { max: -1 }] = await tx<{ max: number }[]>`select coalesce(max(depth), -1) as max from import_rows where action <> 'same'`;
      // The path trigger and the foreign-key check look up one parent by id per row. Their plans are cached per
      // connection: planned while the table was nearly empty they scan it whole, once per row, and a level of
      // 190,000 rows then takes hours. ANALYZE invalidates those plans; with seq scans off they are replanned on
      // the primary key.
      await tx`analyze organizations`;
      await tx`set local enable_seqscan = off`;
      for (let d = 0; d <= max; d++) {
        // Parents sit at lower depths, so they are stored by now; the path trigger builds each path from them.
        const written = await tx`
          insert into organizations (code, parent_id, name, type, sector, term_years, term_started_on, secretary_name,
                                     secretary_phone, full_members, probationary_members)
          select s.code, p.id, s.name, s.type, s.sector, s.term_years, s.term_started_on, s.secretary_name, s.secretary_phone,
                 s.full_members, s.probationary_members
          from import_rows s left join organizations p on p.code = nullif(s.parent_code, '')
          where s.depth = ${d} and s.action <> 'same'
          on conflict (code) do update set
            parent_id = excluded.parent_id, name = excluded.name, type = excluded.type, sector = excluded.sector,
            term_years = excluded.term_years, term_started_on = excluded.term_started_on,
            secretary_name = excluded.secretary_name, secretary_phone = excluded.secretary_phone,
            full_members = excluded.full_members, probationary_members = excluded.probationary_members, updated_at = now()`;
        if (written.count >= 2000) await tx`analyze organizations`;
        progress.rows = dataRows;
        report('writing');
      }

      await tx`set local enable_seqscan = on`;
      if (moved.length > 0) await rewriteSubtreePaths(tx as unknown as Sql, moved);
      await syncSecretaries(tx as unknown as Sql, shanghaiDate(Date.now()));
      // A missing term the file filled in: its chase asked for nothing else, so the import may write it and the
      // chase only needs to hear of it (after the commit, when its read of the register sees the term).
      const filled = await tx<{ workflow_id: string; line: number }[]>`
        select pr.workflow_id, s.line from import_rows s join organizations o on o.code = s.code
        join processes pr on pr.organization_id = o.id and pr.kind = 'term-date-missing' and pr.status = 'running'
        where s.action <> 'same' and o.term_started_on is not null and o.term_years is not null`;
      chases.push(...filled);
      result.inferred = await inferredSettlements(tx as unknown as Sql);
      return result;
    })) as ImportResult;
  } finally {
    await staged.dispose();
  }
  // After the commit: the corrections go to their processes, one Update per row; a refusal is that row's answer.
  // The update id names this import (not its source, which a client may repeat) and the row.
  const importId = randomUUID();
  const send = async (r: PendingRoute): Promise<RoutedRow> => {
    const base = { row: r.row, code: r.code, workflowId: r.correction.workflowId, columns: r.columns };
    if (!opts.correctTerm) {
      return {
        ...base,
        status: 'failed',
        message: 'the term register of this organization is kept by its running term election: import through the API to send it the correction',
      };
    }
    try {
      await opts.correctTerm({
        ...r.correction,
        updateId: `correctTerm:${importId}:${r.row}`,
        reason: `import ${opts.source}, row ${r.row}`,
        source: `${opts.source} row ${r.row}`,
      });
      return { ...base, status: 'applied' };
    } catch (err) {
      return { ...base, status: 'failed', message: refusalMessage(err) };
    }
  };
  // A few at a time: each waits for its workflow's answer (up to the gateway's deadline).
  for (let i = 0; i < routes.length; i += ROUTE_CONCURRENCY) written.routed.push(...(await Promise.all(routes.slice(i, i + ROUTE_CONCURRENCY).map(send))));
  // A chase not reached now (Temporal away) is told by the next sweep: the import's answer does not wait on it.
  for (const c of chases) await opts.termRecorded?.(c.workflow_id, `import ${opts.source}, row ${c.line}`).catch(() => undefined);
  report('done');
  return written;
}

/**
 * How an import reads its file: its header, and each data row as the COPY values it stages (null: stage nothing), or
 * each batch of data rows as their COPY text (`rows`: work that may run elsewhere, on worker threads; the batches'
 * texts are written in the file's order).
 */
export type SheetParser<H> = {
  /** The header row's columns; throws HeaderError when it lacks what the import needs. */
  header(cells: readonly string[]): H;
} & (
  | { row(raw: RawRow, header: H): readonly (string | number | null)[] | null; rows?: never }
  | { rows(batch: RawRow[], header: H): Promise<string>; row?: never }
);

// Rows to a batch of SheetParser.rows, and batches under way at once (enough to keep worker threads busy).
const SHEET_BATCH_ROWS = 2_000;
const SHEET_BATCHES_IN_FLIGHT = 6;

/**
 * The file's data rows as COPY text in a file on disk, each checked on its own by `parse` (which keeps its errors),
 * read under `limits` before any lock or transaction: a file that is slow, truncated or too large costs no
 * connection. Rows that only look empty (spreadsheets end with them) are skipped. Refuses an unreadable file, a bad
 * header and a file without rows (ImportRejected).
 */
export async function stageSheet<H>(
  input: Readable,
  limits: ReadLimits,
  parse: SheetParser<H>,
  progress: (bytes: number, rows: number, phase?: ImportProgress['phase']) => void,
): Promise<{ path: string; rows: number; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'orglife-import-'));
  const path = join(dir, 'rows.copy');
  const dispose = () => rm(dir, { recursive: true, force: true });
  const out = createWriteStream(path);
  let header: H | undefined;
  let dataRows = 0;
  let bytes = 0;
  let batch = '';
  const flush = async () => {
    if (!batch) return;
    const ok = out.write(batch);
    batch = '';
    if (!ok) await once(out, 'drain');
  };
  // SheetParser.rows: the rows of the batch being gathered, and the batches sent, oldest first.
  let gathered: RawRow[] = [];
  const sent: Promise<string>[] = [];
  const send = () => {
    const p = parse.rows!(gathered, header!);
    // Awaited in order below; a rejection meanwhile is not unhandled.
    p.catch(() => {});
    sent.push(p);
    gathered = [];
  };
  const receive = async (keep: number) => {
    while (sent.length > keep) {
      batch += await sent.shift()!;
      if (batch.length > 256 * 1024) await flush();
    }
  };
  try {
    for await (const raw of readRows(input, {
      maxBytes: limits.maxBytes,
      maxRows: limits.maxRows,
      timeoutMs: limits.timeoutMs,
      onBytes: (n) => {
        bytes = n;
        progress(n, dataRows);
      },
    })) {
      if (header === undefined) {
        header = parse.header(raw.cells);
        continue;
      }
      if (raw.cells.every((c) => c.trim() === '')) continue;
      dataRows++;
      if (parse.rows) {
        gathered.push(raw);
        if (gathered.length >= SHEET_BATCH_ROWS) {
          send();
          await receive(SHEET_BATCHES_IN_FLIGHT);
        }
      } else {
        const values = parse.row(raw, header);
        if (values) batch += `${values.map(copyText).join('\t')}\n`;
      }
      if (batch.length > 256 * 1024) await flush();
      if (dataRows % 5000 === 0) progress(bytes, dataRows, 'reading');
    }
    if (gathered.length) send();
    await receive(0);
    await flush();
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    await dispose();
    if (err instanceof HeaderError) throw new ImportRejected(400, err.message, err.errors);
    if (err instanceof UnreadableFile) throw new ImportRejected(err.status, err.message, []);
    throw err;
  }
  progress(bytes, dataRows);
  if (header === undefined || dataRows === 0) {
    await dispose();
    throw new ImportRejected(400, header !== undefined ? 'the file has a header but no rows' : 'the file is empty: expected a header row', []);
  }
  return { path, rows: dataRows, dispose };
}

interface PendingRoute {
  row: number;
  code: string;
  columns: string[];
  correction: Omit<TermCorrection, 'updateId' | 'reason' | 'source'>;
}

/** The reason a process refused an Update (the validator's message), else the error's own. */
function refusalMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  let message = e?.message ?? String(err);
  while (e?.cause) {
    e = e.cause as { message?: string; cause?: unknown };
    if (e.message) message = e.message;
  }
  return message;
}

type OwnedColumn = 'term_started_on' | 'term_years' | 'secretary_name' | 'secretary_phone' | 'type' | 'name';

const day = (d: Date | null): string | null => (d ? shanghaiDate(d) : null);

/**
 * One owner per field (architecture.md): a field a process writes changes only through that process while it runs,
 * and is not overwritten by a file older than what it recorded.
 * - A running term election owns the term (start, length) and the secretary. A row whose term started no later
 *   than the term on the register (the one the run registered or renewed) is refused for those columns; a row with
 *   a newer term start is routed to the run as a correction (an Update, sent after the commit).
 * - An approved 两推一选 wrote the secretary: a row naming another is refused unless its term started after the approval.
 * - An established organization (liaison dispatch) was a unit: a row that makes it a unit again, or names another
 *   term or secretary, is refused unless its term started after the establishment.
 */
async function ownedFields(tx: Sql): Promise<{ keep: Map<OwnedColumn, Set<number>>; refused: RowError[]; routes: PendingRoute[] }> {
  const keep = new Map<OwnedColumn, Set<number>>();
  const refused: RowError[] = [];
  const routes: PendingRoute[] = [];
  const hold = (column: OwnedColumn, line: number) => {
    if (!keep.has(column)) keep.set(column, new Set());
    keep.get(column)!.add(line);
  };
  const refuse = (line: number, column: OwnedColumn, message: string) => {
    hold(column, line);
    refused.push({ row: line, column, message });
  };

  const terms = await tx<
    {
      line: number;
      code: string;
      workflow_id: string;
      s_start: Date | null;
      s_years: number | null;
      s_secretary: string | null;
      s_phone: string | null;
      o_start: Date | null;
      o_years: number | null;
      o_secretary: string | null;
      o_phone: string | null;
    }[]
  >`
    select s.line, s.code, pr.workflow_id, s.term_started_on as s_start, s.term_years as s_years, s.secretary_name as s_secretary, s.secretary_phone as s_phone,
           o.term_started_on as o_start, o.term_years as o_years, o.secretary_name as o_secretary, o.secretary_phone as o_phone
    from import_rows s join organizations o on o.code = s.code
    join processes pr on pr.organization_id = o.id and pr.kind = 'term-election' and pr.status = 'running'
    where s.action = 'update'
      and (s.term_started_on, s.term_years, s.secretary_name) is distinct from (o.term_started_on, o.term_years, o.secretary_name)
    order by s.line`;
  const termLines = new Set<number>();
  for (const r of terms) {
    termLines.add(r.line);
    const [start, recorded] = [day(r.s_start), day(r.o_start)];
    const changed = (['term_started_on', 'term_years', 'secretary_name'] as const).filter((c) =>
      c === 'term_started_on' ? start !== recorded : c === 'term_years' ? r.s_years !== r.o_years : r.s_secretary !== r.o_secretary,
    );
    const phone = r.s_secretary !== r.o_secretary && (r.s_phone ?? null) !== (r.o_phone ?? null);
    if (start !== null && recorded !== null && start > recorded && r.s_years !== null) {
      for (const c of changed) hold(c, r.line);
      if (phone) hold('secretary_phone', r.line);
      routes.push({
        row: r.line,
        code: r.code,
        columns: changed,
        correction: {
          workflowId: r.workflow_id,
          startedOn: start,
          termYears: r.s_years,
          ...(r.s_secretary && r.s_secretary !== r.o_secretary ? { secretary: r.s_secretary } : {}),
        },
      });
      continue;
    }
    const why =
      start === null || r.s_years === null
        ? `the term of ${r.code} is kept by its running term election (${r.workflow_id}): a row without a term start and length cannot change it`
        : `the row's term (started ${start}) is not newer than the one the running term election recorded (started ${recorded}): the register keeps the process's term`;
    for (const c of changed) refuse(r.line, c, why);
    if (phone) hold('secretary_phone', r.line);
  }

  // The secretary approved by 两推一选, still the one on the register.
  const selections = await tx<{ line: number; code: string; s_start: Date | null; approved: Date; o_secretary: string }[]>`
    select s.line, s.code, s.term_started_on as s_start, sel.updated_at as approved, o.secretary_name as o_secretary
    from import_rows s join organizations o on o.code = s.code
    join lateral (select secretary, updated_at from secretary_selections x
                  where x.organization_id = o.id and x.state = 'approved' order by x.updated_at desc limit 1) sel on sel.secretary = o.secretary_name
    where s.action = 'update' and s.secretary_name is distinct from o.secretary_name
    order by s.line`;
  for (const r of selections) {
    if (termLines.has(r.line)) continue;
    const approvedOn = shanghaiDate(r.approved);
    const start = day(r.s_start);
    if (start !== null && start > approvedOn) continue;
    refuse(
      r.line,
      'secretary_name',
      `${r.o_secretary} was approved as secretary of ${r.code} by 两推一选 on ${approvedOn}; the row is not newer (its term started ${start ?? 'on no date'})`,
    );
    hold('secretary_phone', r.line);
  }

  // An organization established through liaison dispatch: its type, first term and secretary are the process's, and
  // so is its name as a branch (XX党支部): a row with the unit's name from before the founding is an older file.
  const established = await tx<
    {
      line: number;
      code: string;
      established: Date;
      s_type: string | null;
      o_type: string;
      s_name: string;
      o_name: string;
      unit_name: string | null;
      s_start: Date | null;
      o_start: Date | null;
      s_years: number | null;
      o_years: number | null;
      s_secretary: string | null;
      o_secretary: string | null;
    }[]
  >`
    select s.line, s.code, d.established_at as established, s.type as s_type, o.type as o_type, s.name as s_name, o.name as o_name, f.unit_name, s.term_started_on as s_start, o.term_started_on as o_start,
           s.term_years as s_years, o.term_years as o_years, s.secretary_name as s_secretary, o.secretary_name as o_secretary
    from import_rows s join organizations o on o.code = s.code
    join lateral (select established_at from liaison_dispatches x
                  where x.organization_id = o.id and x.established_at is not null order by x.established_at desc limit 1) d on true
    left join lateral (select c.before->>'name' as unit_name from organization_changes c
                       where c.organization_id = o.id and c.source = 'founding-meeting' order by c.changed_at desc limit 1) f on true
    where s.action = 'update' and o.type <> 'unit'
      and (s.type, s.name, s.term_started_on, s.term_years, s.secretary_name) is distinct from (o.type, o.name, o.term_started_on, o.term_years, o.secretary_name)
    order by s.line`;
  for (const r of established) {
    const on = shanghaiDate(r.established);
    const start = day(r.s_start);
    if (start !== null && start > on) continue;
    const why = `${r.code} was established as a Party organization on ${on} (liaison dispatch); the row is not newer (its term started ${start ?? 'on no date'})`;
    if (r.s_type !== r.o_type) refuse(r.line, 'type', why);
    if (r.s_name !== r.o_name && r.s_name === r.unit_name) refuse(r.line, 'name', why);
    if (termLines.has(r.line)) continue;
    if (start !== day(r.o_start)) refuse(r.line, 'term_started_on', why);
    if (r.s_years !== r.o_years) refuse(r.line, 'term_years', why);
    if (r.s_secretary !== r.o_secretary) {
      refuse(r.line, 'secretary_name', why);
      hold('secretary_phone', r.line);
    }
  }
  refused.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
  return { keep, refused, routes };
}

/** The file's villages and communities as the tree decides them, and the rows whose sector word disagrees (InferredSettlements). */
async function inferredSettlements(tx: Sql): Promise<InferredSettlements> {
  const [counts] = await tx<{ villages: number; communities: number }[]>`
    select count(*) filter (where o.settlement = 'village')::int as villages, count(*) filter (where o.settlement = 'community')::int as communities
    from import_rows s join organizations o on o.code = s.code`;
  // A 农村 / 社区 organization that is no village or community itself and lies in none: above the village level
  // (a township, a county organ), or below an organization of the fifth level that is not one.
  const odd = await tx<{ line: number; sector: string; level: number; above: string | null }[]>`
    select s.line, o.sector, nlevel(o.path) as level, a.name as above
    from import_rows s join organizations o on o.code = s.code
    -- (the case, not an and: the planner may evaluate subpath on a shorter path first, which it refuses)
    left join organizations a on a.id = case when nlevel(o.path) > ${SETTLEMENT_LEVEL}::int then ltree2text(subpath(o.path, ${SETTLEMENT_LEVEL - 1}::int, 1))::bigint end
    where o.type <> 'unit' and o.sector in ('rural', 'community') and o.settlement is null and (a.id is null or a.settlement is null)
    order by s.line limit ${MAX_LISTED_ERRORS}`;
  const what = (sector: string) => (sector === 'rural' ? 'a village (农村)' : 'a community (社区)');
  const warnings = odd.map((r) => ({
    row: r.line,
    column: 'sector',
    sector: r.sector,
    level: r.level,
    message:
      r.level < SETTLEMENT_LEVEL
        ? `sector "${r.sector}" names ${what(r.sector)}, but the organization sits at level ${r.level} of the tree (a township or street committee is at level ${SETTLEMENT_LEVEL - 1}, its villages and communities at ${SETTLEMENT_LEVEL}): counted as no village or community`
        : `sector "${r.sector}" names ${what(r.sector)}, but the organization lies under ${r.above ?? 'an organization'}, which is no village or community: counted as none`,
  }));
  return { villages: counts?.villages ?? 0, communities: counts?.communities ?? 0, warnings };
}

/**
 * After moves, every path below a moved organization is rebuilt from parent_id, top-down. A moved
 * organization below another moved one is reached twice; the longer derivation starts higher and wins.
 */
async function rewriteSubtreePaths(tx: Sql, moved: number[]): Promise<void> {
  await tx`
    with recursive t(id, path, n) as (
      select o.id, case when p.id is null then o.id::text::ltree else p.path || o.id::text end, 0
      from organizations o left join organizations p on p.id = o.parent_id
      where o.id = any(${moved})
      union all
      select c.id, t.path || c.id::text, t.n + 1 from organizations c join t on c.parent_id = t.id
    ), best as (
      select distinct on (id) id, path from t order by id, n desc
    )
    update organizations o set path = best.path from best where o.id = best.id and o.path is distinct from best.path`;
}

// Joins on people compare phone through coalesce rather than IS NOT DISTINCT FROM, which no hash join can
// serve: with 200,000 rows that is the difference between a second and hours.
/**
 * The secretary named in an imported row holds the organization's secretary appointment: a different name
 * or phone ends the current appointment today and starts one for the named person.
 */
async function syncSecretaries(tx: Sql, today: string): Promise<void> {
  await tx`
    insert into people (name, phone)
    select distinct secretary_name, secretary_phone from import_rows where secretary_name is not null and action <> 'same'
    on conflict (name, phone) do nothing`;
  await tx`
    update appointments a set ends_on = greatest(${today}::date, a.starts_on)
    from import_rows s
    join organizations o on o.code = s.code
    left join people pe on pe.name = s.secretary_name and coalesce(pe.phone, '') = coalesce(s.secretary_phone, '')
    where s.action <> 'same' and a.organization_id = o.id and a.role = 'secretary' and a.ends_on is null
      and a.person_id is distinct from pe.id`;
  await tx`
    insert into appointments (person_id, organization_id, role, starts_on)
    select pe.id, o.id, 'secretary', least(coalesce(s.term_started_on, ${today}::date), ${today}::date)
    from import_rows s
    join organizations o on o.code = s.code
    join people pe on pe.name = s.secretary_name and coalesce(pe.phone, '') = coalesce(s.secretary_phone, '')
    where s.action <> 'same'
      and not exists (select 1 from appointments a where a.organization_id = o.id and a.role = 'secretary' and a.ends_on is null)`;
}
