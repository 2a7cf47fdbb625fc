// Import of the member register from a member-system export (contract.md "Member import columns"): the whole
// file is read and checked row by row before any lock or transaction, staged through COPY, checked set-based against
// the register and the tree, and written in one transaction — all rows or none, every refusal named by row and column.
//
// A re-import keeps what orglife recorded: a member's register (a transfer) and status changed here are not set back
// by a file, which is older than the act that changed them; the rows that would have are listed in `kept`.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from '../db/client.js';
import { allows, scopeRoots, type Principal } from '../auth/principal.js';
import { organizingRoles } from '../domain/roles.js';
import { shanghaiDate } from '../domain/dates.js';
import { initialsOf } from '../api/initials.js';
import type { RowError } from '../organizations/import/columns.js';
import { Errors, ImportBusy, ImportRejected, stageSheet, type ImportProgress } from '../organizations/import/import.js';
import { checkMemberRow, mapMemberHeader, type MemberColumn } from './columns.js';
import { sealPersonalData, type PersonalDataKey } from './personal-data.js';
import { recountMembers } from './store.js';

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
      await tx`
        create temp table member_rows (
          line int not null, organization_code text not null, organization_name text not null, name text, name_initials text,
          gender text, ethnicity text, birth_date date, education text, id_number_sealed text, id_number_digest text,
          id_number_masked text, phone_sealed text, phone_masked text, joined_on date, full_on date, category text, status text,
          occupation text, organization_id bigint, member_id bigint, action text not null default 'create'
        ) on commit drop`;
      const copy = await tx`copy member_rows (${tx(staged as unknown as string[])}) from stdin`.writable();
      await pipeline(createReadStream(file.path), copy);
      report('checking');
      await tx`set local enable_nestloop = off`;
      await tx`create index on member_rows (id_number_digest)`;
      await tx`analyze member_rows`;

      // The register a row names: its organization by code, or by its full name where the file has no code.
      await tx`update member_rows s set organization_id = o.id from organizations o where s.organization_code <> '' and o.code = s.organization_code`;
      await tx`
        update member_rows s set organization_id = o.id
        from (select name, min(id) as id from organizations group by name having count(*) = 1) o
        where s.organization_code = '' and o.name = s.organization_name`;
      const named = await tx<{ line: number; code: string; name: string; path: string | null; type: string | null; same_name: number }[]>`
        select s.line, s.organization_code as code, s.organization_name as name, o.path::text as path, o.type,
               (select count(*)::int from organizations x where s.organization_code = '' and x.name = s.organization_name) as same_name
        from member_rows s left join organizations o on o.id = s.organization_id
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
          from member_rows where id_number_digest is not null) d
        where n > 1 and line > first order by line`;
      for (const d of dups) errors.add({ row: d.line, column: '身份证号', message: `this 身份证号 appears again (first on row ${d.first})` });

      // A member already on a register the caller does not keep: a move between those registers is a transfer.
      await tx`update member_rows s set member_id = m.id, action = 'update' from members m where m.id_number_digest = s.id_number_digest`;
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
      await tx`
        update member_rows s set
          organization_id = case when m.placed_by = 'orglife' then m.organization_id else s.organization_id end,
          status = case when m.status_by = 'orglife' then m.status else s.status end
        from members m where m.id = s.member_id`;
      // A row is the same when every field it writes is; a sealed value is compared by what it seals.
      await tx`
        update member_rows s set action = 'same' from members m
        where m.id = s.member_id and m.organization_id = s.organization_id and m.status = s.status
          and (${tx.unsafe(fileFields.map((f) => `m.${f}`).join(', '))}) is not distinct from (${tx.unsafe(fileFields.map((f) => `s.${f}`).join(', '))})
          and m.id_number_digest = s.id_number_digest`;

      const today = shanghaiDate(Date.now());
      const touched = await tx<{ id: number }[]>`
        select organization_id as id from member_rows where action <> 'same'
        union select m.organization_id from member_rows s join members m on m.id = s.member_id where s.action = 'update'`;
      const before = await tx<{ member_id: number; before: object }[]>`
        select s.member_id, jsonb_build_object('organization', o.code, 'status', m.status, ${tx.unsafe(fileFields.map((f) => `'${f}', m.${f}`).join(', '))}) as before
        from member_rows s join members m on m.id = s.member_id join organizations o on o.id = m.organization_id where s.action = 'update'`;
      await tx`
        update members m set organization_id = s.organization_id, status = s.status,
          status_since = case when m.status is distinct from s.status then ${today}::date else m.status_since end,
          ${tx.unsafe(fileFields.map((f) => `${f} = s.${f}`).join(', '))},
          name_initials = s.name_initials, id_number_sealed = s.id_number_sealed, phone_sealed = s.phone_sealed, updated_at = now()
        from member_rows s where s.member_id = m.id and s.action = 'update'`;
      const created = await tx<{ id: number }[]>`
        insert into members (organization_id, status, status_since, name_initials, id_number_sealed, id_number_digest, phone_sealed,
                             ${tx.unsafe(fileFields.join(', '))})
        select organization_id, status, ${today}::date, name_initials, id_number_sealed, id_number_digest, phone_sealed, ${tx.unsafe(fileFields.join(', '))}
        from member_rows where action = 'create' order by line
        returning id`;
      // History: a member registered, or what an import changed (masked values only: the history is read widely).
      const after = (alias: string) =>
        tx.unsafe(`jsonb_build_object('organization', o.code, 'status', ${alias}.status, ${fileFields.map((f) => `'${f}', ${alias}.${f}`).join(', ')})`);
      await tx`
        insert into member_events (member_id, kind, actor, source, after)
        select m.id, 'registered', ${opts.actor}, ${opts.source}, ${after('m')}
        from members m join organizations o on o.id = m.organization_id where m.id = any(${created.map((c) => c.id)})`;
      if (before.length)
        await tx`
          insert into member_events (member_id, kind, actor, source, before, after)
          select m.id, 'updated', ${opts.actor}, ${opts.source}, b.before, ${after('m')}
          from jsonb_to_recordset(${tx.json(before as never)}) as b(member_id bigint, before jsonb)
          join members m on m.id = b.member_id join organizations o on o.id = m.organization_id`;
      await recountMembers(
        tx as unknown as Sql,
        touched.map((t) => t.id),
      );

      const counts = await tx<{ action: string; n: number }[]>`select action, count(*)::int as n from member_rows group by action`;
      const count = (a: string) => counts.find((c) => c.action === a)?.n ?? 0;
      report('done');
      return { created: count('create'), updated: count('update'), unchanged: count('same'), kept };
    });
  } finally {
    await file.dispose();
  }
}

/** Reads and checks every row, sealing personal data as it goes, into a COPY file beside the upload. */
async function stage(
  input: Readable,
  opts: MemberImportOptions,
  errors: Errors,
  progress: (bytes: number, rows: number) => void,
): Promise<{ path: string; dispose: () => Promise<void> }> {
  const today = shanghaiDate(Date.now());
  const file = await stageSheet(
    input,
    opts,
    {
      header: mapMemberHeader,
      row: (raw, header: Map<MemberColumn, number>) => {
        const r = checkMemberRow(raw.row, raw.cells, header, today, (e) => errors.add(e));
        // Rows are staged only while the file has no error: it is refused whatever the set-based checks find.
        if (errors.count > 0) return null;
        const sealed = sealPersonalData(opts.key, r.idNumber!, r.phone);
        return [
          r.row,
          r.organizationCode,
          r.organizationName,
          r.name,
          initialsOf(r.name!),
          r.gender,
          r.ethnicity,
          r.birthDate,
          r.education,
          sealed.id_number_sealed,
          sealed.id_number_digest,
          sealed.id_number_masked,
          sealed.phone_sealed,
          sealed.phone_masked,
          r.joinedOn,
          r.fullOn,
          r.category,
          r.status,
          r.occupation,
        ];
      },
    },
    progress,
  );
  if (errors.count > 0) {
    await file.dispose();
    errors.list.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
    throw new ImportRejected(errors.status, `the file has ${errors.count} error(s); nothing was imported`, errors.list);
  }
  return file;
}
