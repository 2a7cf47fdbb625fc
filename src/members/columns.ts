// The member import's columns (contract.md "Member import columns"): the Chinese headers a member-system export
// writes, and the checks of one row on its own. Checks that need every row or the stored register (the organization
// a row names, a 身份证号 twice) come later, set-based (import.ts).
import { isValidIsoDate, type IsoDate } from '../domain/dates.js';
import {
  fromWord,
  genderWords,
  idNumberBirthDate,
  idNumberProblem,
  isMobile,
  memberCategoryWords,
  memberStatusWords,
  normalizeIdNumber,
  type Gender,
  type MemberCategory,
  type MemberStatus,
} from '../domain/members.js';
import { HeaderError, type RowError } from '../organizations/import/columns.js';

/** The headers, as the export writes them; a file may carry others (they are ignored). */
export const memberColumns = [
  '姓名',
  '性别',
  '民族',
  '出生日期',
  '学历',
  '身份证号',
  '入党日期',
  '转正日期',
  '人员类别',
  '党组织编码',
  '所在党组织',
  '联系电话',
  '工作岗位',
  '党员状态',
] as const;
export type MemberColumn = (typeof memberColumns)[number];

/** Other spellings exports use for the same column. */
const aliases: Record<string, MemberColumn> = {
  公民身份号码: '身份证号',
  身份证号码: '身份证号',
  手机号码: '联系电话',
  手机号: '联系电话',
  党员类别: '人员类别',
  党组织名称: '所在党组织',
  所在党支部: '所在党组织',
  加入党组织日期: '入党日期',
  转为正式党员日期: '转正日期',
};

const required: readonly MemberColumn[] = ['姓名', '性别', '身份证号', '入党日期', '人员类别'];

/** Where each known column is; refuses a header without the required ones or without a way to name the register. */
export function mapMemberHeader(cells: readonly string[]): Map<MemberColumn, number> {
  const at = new Map<MemberColumn, number>();
  const errors: RowError[] = [];
  cells.forEach((raw, i) => {
    const name = raw.trim();
    const col = (memberColumns as readonly string[]).includes(name) ? (name as MemberColumn) : aliases[name];
    if (!col) return;
    if (at.has(col)) errors.push({ row: 1, column: name, message: `column ${col} appears twice` });
    else at.set(col, i);
  });
  for (const col of required) if (!at.has(col)) errors.push({ row: 1, column: col, message: `missing column ${col}` });
  if (!at.has('党组织编码') && !at.has('所在党组织'))
    errors.push({ row: 1, column: '党组织编码', message: 'missing column 党组织编码 (or 所在党组织): the register that holds each member' });
  if (errors.length) throw new HeaderError('the header row lacks required columns or repeats one', errors);
  return at;
}

/** A row after its own checks; a field that failed is null and has an error. */
export interface MemberRow {
  row: number;
  organizationCode: string;
  organizationName: string;
  name: string | null;
  gender: Gender | null;
  ethnicity: string | null;
  birthDate: IsoDate | null;
  education: string | null;
  idNumber: string | null;
  joinedOn: IsoDate | null;
  fullOn: IsoDate | null;
  category: MemberCategory | null;
  phone: string | null;
  occupation: string | null;
  status: MemberStatus | null;
}

// Excel in a Chinese locale writes 2022/1/5 or 2022.1.5 in CSV; the member system writes 20220105 too.
const DATE = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
// A date cell saved as its serial number (days since 1899-12-30, Excel's epoch with its 1900 leap-year bug).
const SERIAL = /^\d{4,5}$/;

/** A date as a spreadsheet may carry it, as YYYY-MM-DD; null when it is none. */
export function parseSheetDate(raw: string): IsoDate | null {
  const s = raw.trim().replace(/\s+\d{1,2}:\d{2}(:\d{2})?$/, '');
  let m = DATE.exec(s) ?? COMPACT_DATE.exec(s);
  if (m) {
    const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    return isValidIsoDate(iso) ? iso : null;
  }
  m = SERIAL.exec(s);
  if (m) {
    const n = Number(s);
    if (n < 1 || n > 2_958_465) return null;
    return new Date(Date.UTC(1899, 11, 30) + n * 86_400_000).toISOString().slice(0, 10);
  }
  return null;
}

/** Checks one data row on its own. `today` bounds the dates (nothing on the register happens in the future). */
export function checkMemberRow(row: number, cells: readonly string[], at: Map<MemberColumn, number>, today: IsoDate, report: (e: RowError) => void): MemberRow {
  const get = (c: MemberColumn) => {
    const i = at.get(c);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const fail = (column: MemberColumn, message: string) => {
    report({ row, column, message });
    return null;
  };
  const text = (c: MemberColumn, max: number, needed = false) => {
    const v = get(c);
    if (!v) return needed ? fail(c, `${c} is empty`) : null;
    return v.length > max ? fail(c, `${c} is longer than ${max} characters`) : v;
  };
  const date = (c: MemberColumn, needed: boolean) => {
    const raw = get(c);
    if (!raw) return needed ? fail(c, `${c} is empty`) : null;
    const d = parseSheetDate(raw);
    if (!d) return fail(c, `"${raw}" is not a date (YYYY-MM-DD)`);
    if (d > today) return fail(c, `${c} ${d} is in the future`);
    return d;
  };
  const word = <K extends string>(c: MemberColumn, words: Record<K, { 'zh-CN': string; en: string }>, fallback?: K) => {
    const raw = get(c);
    if (!raw) return fallback ?? fail(c, `${c} is empty`);
    return (
      fromWord(words, raw) ??
      fail(
        c,
        `unknown ${c} "${raw}"; expected one of ${Object.values<{ 'zh-CN': string }>(words)
          .map((w) => w['zh-CN'])
          .join(', ')}`,
      )
    );
  };

  const name = text('姓名', 64, true);
  const gender = word('性别', genderWords);
  const ethnicity = text('民族', 32);
  const education = text('学历', 32);
  const occupation = text('工作岗位', 64);

  const idRaw = get('身份证号');
  let idNumber: string | null = null;
  if (!idRaw) fail('身份证号', '身份证号 is empty');
  else {
    const problem = idNumberProblem(idRaw);
    idNumber = problem ? fail('身份证号', problem) : normalizeIdNumber(idRaw);
  }
  const fromId = idNumber ? idNumberBirthDate(idNumber) : null;
  let birthDate = date('出生日期', false);
  if (birthDate && fromId && birthDate !== fromId) birthDate = fail('出生日期', `出生日期 ${birthDate} differs from the 身份证号's ${fromId}`);
  else if (!get('出生日期')) birthDate = fromId;

  const joinedOn = date('入党日期', true);
  const fullOn = date('转正日期', false);
  const category = word('人员类别', memberCategoryWords);
  if (joinedOn && birthDate && joinedOn < addYears(birthDate, 18)) fail('入党日期', `入党日期 ${joinedOn} is before the member's 18th birthday`);
  if (fullOn && joinedOn && fullOn < joinedOn) fail('转正日期', `转正日期 ${fullOn} is before 入党日期 ${joinedOn}`);
  if (category === 'full' && !get('转正日期')) fail('转正日期', 'a 正式党员 has a 转正日期');
  if (category === 'probationary' && fullOn) fail('转正日期', 'a 预备党员 has no 转正日期 yet');

  const phoneRaw = get('联系电话').replace(/[\s-]/g, '');
  const phone = phoneRaw && !isMobile(phoneRaw) ? fail('联系电话', `联系电话 "${get('联系电话')}" is not an 11-digit mobile number`) : phoneRaw || null;
  const status = word('党员状态', memberStatusWords, 'normal');

  const organizationCode = get('党组织编码');
  const organizationName = get('所在党组织');
  if (!organizationCode && !organizationName)
    fail(at.has('党组织编码') ? '党组织编码' : '所在党组织', 'the row names no organization (党组织编码 or 所在党组织)');

  return {
    row,
    organizationCode,
    organizationName,
    name,
    gender,
    ethnicity,
    birthDate,
    education,
    idNumber,
    joinedOn,
    fullOn,
    category,
    phone,
    occupation,
    status,
  };
}

function addYears(d: IsoDate, years: number): IsoDate {
  return `${String(Number(d.slice(0, 4)) + years).padStart(4, '0')}${d.slice(4)}`;
}
