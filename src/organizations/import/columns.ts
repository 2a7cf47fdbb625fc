// The import columns of contract.md and the checks each cell must pass on its own.
import { isValidIsoDate } from '../../domain/dates.js';
import { termYearsRefusal } from '../../domain/rules.js';

export const organizationTypes = ['committee', 'general_branch', 'branch', 'unit'] as const;
export const sectors = ['rural', 'community', 'soe', 'government', 'university', 'nonpublic', 'social', 'institution', 'regional'] as const;
export type OrganizationType = (typeof organizationTypes)[number];
export type Sector = (typeof sectors)[number];

export const columns = [
  'code',
  'parent_code',
  'name',
  'type',
  'sector',
  'term_years',
  'term_started_on',
  'secretary_name',
  'secretary_phone',
  'full_members',
  'probationary_members',
] as const;
export type Column = (typeof columns)[number];

const chineseHeaders: Record<string, Column> = {
  编码: 'code',
  上级编码: 'parent_code',
  名称: 'name',
  类型: 'type',
  领域: 'sector',
  任期年限: 'term_years',
  本届开始日期: 'term_started_on',
  书记: 'secretary_name',
  书记电话: 'secretary_phone',
  正式党员数: 'full_members',
  预备党员数: 'probationary_members',
};

const required: readonly Column[] = ['code', 'parent_code', 'name', 'type', 'sector'];

// Files typed by hand in Chinese offices often carry the Chinese label of a type or sector.
const typeLabels: Record<string, OrganizationType> = {
  党委: 'committee',
  基层委员会: 'committee',
  党总支: 'general_branch',
  总支: 'general_branch',
  党支部: 'branch',
  支部: 'branch',
  单位: 'unit',
};
const sectorLabels: Record<string, Sector> = {
  农村: 'rural',
  社区: 'community',
  国企: 'soe',
  国有企业: 'soe',
  机关: 'government',
  高校: 'university',
  非公: 'nonpublic',
  非公有制企业: 'nonpublic',
  社会组织: 'social',
  事业单位: 'institution',
  区域: 'regional',
};

/** A cell-level problem; `row` is the row number a spreadsheet shows (the header is row 1). */
export interface RowError {
  row: number;
  column: string;
  message: string;
}

/** An import row after its own checks: a field that failed is null and has an error. */
export interface ImportRow {
  row: number;
  code: string;
  parent_code: string;
  name: string | null;
  type: OrganizationType | null;
  sector: Sector | null;
  term_years: number | null;
  term_started_on: string | null;
  secretary_name: string | null;
  secretary_phone: string | null;
  full_members: number | null;
  probationary_members: number | null;
}

export class HeaderError extends Error {
  constructor(
    message: string,
    readonly errors: RowError[],
  ) {
    super(message);
  }
}

/** Position of each known column in the header row; English names in any case, or the Chinese names. */
export function mapHeader(cells: readonly string[]): Map<Column, number> {
  const at = new Map<Column, number>();
  const errors: RowError[] = [];
  cells.forEach((raw, i) => {
    const name = raw.trim();
    const col = (columns as readonly string[]).includes(name.toLowerCase()) ? (name.toLowerCase() as Column) : chineseHeaders[name];
    if (!col) return;
    if (at.has(col)) errors.push({ row: 1, column: name, message: `column ${col} appears twice` });
    else at.set(col, i);
  });
  for (const col of required) {
    if (!at.has(col)) errors.push({ row: 1, column: col, message: `missing column ${col}` });
  }
  if (errors.length) throw new HeaderError(`the header row lacks required columns or repeats one`, errors);
  return at;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const INT = /^\+?\d+$/;
const PHONE = /^[0-9+()\- ]{3,32}$/;
// Excel in a Chinese locale writes dates as 2022/1/5 in CSV.
const DATE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;

/** Checks one data row on its own; structural checks (parents, cycles, duplicates) come later, over all rows. */
export function checkRow(row: number, cells: readonly string[], at: Map<Column, number>, report: (e: RowError) => void): ImportRow {
  const get = (c: Column) => {
    const i = at.get(c);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const fail = (column: Column, message: string) => {
    report({ row, column, message });
    return null;
  };

  const code = get('code');
  if (!code) fail('code', 'code is empty');
  else if (!CODE.test(code)) fail('code', `code "${code}" must be letters, digits, _ . - (at most 64)`);
  const parent = get('parent_code');
  if (parent && !CODE.test(parent)) fail('parent_code', `parent_code "${parent}" must be letters, digits, _ . - (at most 64)`);
  if (parent && parent === code) fail('parent_code', 'an organization cannot be its own parent');

  const nameRaw = get('name');
  const name = !nameRaw ? fail('name', 'name is empty') : nameRaw.length > 200 ? fail('name', 'name is longer than 200 characters') : nameRaw;

  const typeRaw = get('type');
  const type = (organizationTypes as readonly string[]).includes(typeRaw.toLowerCase())
    ? (typeRaw.toLowerCase() as OrganizationType)
    : (typeLabels[typeRaw] ?? fail('type', `unknown type "${typeRaw}"; expected one of ${organizationTypes.join(', ')}`));
  const sectorRaw = get('sector');
  const sector = (sectors as readonly string[]).includes(sectorRaw.toLowerCase())
    ? (sectorRaw.toLowerCase() as Sector)
    : (sectorLabels[sectorRaw] ?? fail('sector', `unknown sector "${sectorRaw}"; expected one of ${sectors.join(', ')}`));

  const yearsRaw = get('term_years');
  let term_years: number | null = null;
  if (yearsRaw) {
    const n = INT.test(yearsRaw) ? Number(yearsRaw) : NaN;
    term_years = n >= 1 && n <= 10 ? n : fail('term_years', `term_years "${yearsRaw}" must be a whole number of years from 1 to 10`);
  }
  const startRaw = get('term_started_on');
  let term_started_on: string | null = null;
  if (startRaw) {
    const m = DATE.exec(startRaw);
    const iso = m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : '';
    term_started_on = m && isValidIsoDate(iso) ? iso : fail('term_started_on', `"${startRaw}" is not a date (YYYY-MM-DD)`);
  }
  // The length the rule set in force on the term's first day allows for this kind of organization (domain.md §4.1).
  if (term_years !== null && term_started_on && type && type !== 'unit' && sector) {
    const refused = termYearsRefusal(type, sector, term_started_on, term_years);
    if (refused) fail('term_years', refused);
  }
  if (yearsRaw && !startRaw) fail('term_started_on', 'term_years is given but term_started_on is empty');
  if (startRaw && !yearsRaw) fail('term_years', 'term_started_on is given but term_years is empty');

  const count = (c: 'full_members' | 'probationary_members') => {
    const raw = get(c);
    if (!raw) return 0;
    if (/^-\d+$/.test(raw)) return fail(c, `${c} is negative (${raw})`);
    if (!INT.test(raw) || Number(raw) > 1_000_000) return fail(c, `${c} "${raw}" must be a whole number from 0`);
    return Number(raw);
  };
  const full_members = count('full_members');
  const probationary_members = count('probationary_members');

  const secName = get('secretary_name');
  const secretary_name = secName.length > 100 ? fail('secretary_name', 'secretary_name is longer than 100 characters') : secName || null;
  const phone = get('secretary_phone');
  const secretary_phone = phone && !PHONE.test(phone) ? fail('secretary_phone', `secretary_phone "${phone}" is not a phone number`) : phone || null;

  return {
    row,
    code,
    parent_code: parent,
    name,
    type,
    sector,
    term_years,
    term_started_on,
    secretary_name,
    secretary_phone,
    full_members,
    probationary_members,
  };
}
