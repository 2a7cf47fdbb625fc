// A batch of a member file's rows as the COPY text the import stages (src/members/import.ts): each row checked on its
// own (columns.ts), its name's pinyin initials, its 身份证号 and phone sealed and the 身份证号's digest. Pure work on
// the rows given, so that it runs on the import's own thread for a small file and on worker threads
// (stage-worker.ts) for a large one, where sealing a province's register is most of the reading's time.
import type { IsoDate } from '../domain/dates.js';
import { initialsOf } from '../api/initials.js';
import type { RowError } from '../organizations/import/columns.js';
import type { RawRow } from '../organizations/import/read.js';
import { checkMemberRow, type MemberColumn } from './columns.js';
import { sealPersonalData, type PersonalDataKey } from './personal-data.js';

export interface StagedRows {
  /** The rows' COPY text (the import's staged columns), or '' once a row of the file had an error. */
  text: string;
  errors: RowError[];
}

/** A value as COPY's text format writes it (the import's values never hold a backslash or a control character but by mistake). */
const copyText = (v: string | number | null): string =>
  v === null ? '\\N' : typeof v === 'number' ? String(v) : /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => copyEscapes[c]!) : v;
const copyEscapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

// A register's names repeat (a province has far fewer names than members): the initials of each are computed once.
const initialsCache = new Map<string, string>();
function initials(name: string): string {
  let v = initialsCache.get(name);
  if (v === undefined) {
    if (initialsCache.size >= 200_000) initialsCache.clear();
    v = initialsOf(name);
    initialsCache.set(name, v);
  }
  return v;
}

/**
 * Checks `rows` and, while `stage` holds (no row of the file had an error so far), stages them. A file with an error is
 * refused whatever else it holds: from its first error on, rows are only checked.
 */
export function stageMemberRows(rows: readonly RawRow[], header: Map<MemberColumn, number>, today: IsoDate, key: PersonalDataKey, stage: boolean): StagedRows {
  const errors: RowError[] = [];
  const report = (e: RowError) => errors.push(e);
  let text = '';
  for (const raw of rows) {
    const r = checkMemberRow(raw.row, raw.cells, header, today, report);
    if (!stage || errors.length > 0) continue;
    const sealed = sealPersonalData(key, r.idNumber!, r.phone);
    text += `${[
      r.row,
      r.organizationCode,
      r.organizationName,
      r.name,
      initials(r.name!),
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
    ]
      .map(copyText)
      .join('\t')}\n`;
  }
  return { text: errors.length > 0 ? '' : text, errors };
}
