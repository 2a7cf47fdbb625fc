// The member register's words (domain.md §4.7): a member's category and status, as code names and as the member
// system's Chinese words that an export writes and the screens show; and the checks of a 身份证号.
import { isValidIsoDate, type IsoDate } from './dates.js';
import { organizingRoles, type Role } from './roles.js';

export const memberCategories = ['full', 'probationary'] as const;
export type MemberCategory = (typeof memberCategories)[number];
export const memberCategoryWords: Record<MemberCategory, { 'zh-CN': string; en: string }> = {
  full: { 'zh-CN': '正式党员', en: 'Full member' },
  probationary: { 'zh-CN': '预备党员', en: 'Probationary member' },
};

/**
 * A member's status. `normal`, `away` (流动党员), `abroad` and `lost` (失联) are members of their register and count
 * in its figures; `suspended` (停止党籍), `deceased`, `transferred` (组织关系转出 to outside the province) and `cancelled`
 * (a probation the members' meeting cancelled, 发展党员) stay in the register's history but count no more.
 */
export const memberStatuses = ['normal', 'away', 'abroad', 'lost', 'suspended', 'deceased', 'transferred', 'cancelled'] as const;
export type MemberStatus = (typeof memberStatuses)[number];
export const memberStatusWords: Record<MemberStatus, { 'zh-CN': string; en: string }> = {
  normal: { 'zh-CN': '正常', en: 'Normal' },
  away: { 'zh-CN': '流动', en: 'Away (mobile member)' },
  abroad: { 'zh-CN': '出国出境', en: 'Abroad' },
  lost: { 'zh-CN': '失联', en: 'Lost contact' },
  suspended: { 'zh-CN': '停止党籍', en: 'Membership suspended' },
  deceased: { 'zh-CN': '死亡', en: 'Deceased' },
  transferred: { 'zh-CN': '已转出', en: 'Transferred out' },
  cancelled: { 'zh-CN': '取消预备党员资格', en: 'Probation cancelled' },
};
/** The statuses whose members count in their organization's full / probationary figures. */
export const countedStatuses: readonly MemberStatus[] = ['normal', 'away', 'abroad', 'lost'];

export const genders = ['male', 'female'] as const;
export type Gender = (typeof genders)[number];
export const genderWords: Record<Gender, { 'zh-CN': string; en: string }> = {
  male: { 'zh-CN': '男', en: 'Male' },
  female: { 'zh-CN': '女', en: 'Female' },
};

/** The code name of a word as a member-system export writes it (正式党员, 流动, 男 …), or undefined. */
export function fromWord<K extends string>(words: Record<K, { 'zh-CN': string; en: string }>, word: string): K | undefined {
  const w = word.trim();
  for (const [k, v] of Object.entries(words) as [K, { 'zh-CN': string; en: string }][]) {
    if (v['zh-CN'] === w || k === w) return k;
  }
  return undefined;
}

// GB 11643-1999: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** Upper case, no spaces: the form a 身份证号 is stored and compared in. */
export const normalizeIdNumber = (s: string): string => s.replace(/\s+/g, '').toUpperCase();

/**
 * Why a 身份证号 is not one (length, characters, the birth date it carries, its check digit), or null when it is.
 * The fifteen-digit numbers of before 1999 are refused: a member-system export carries eighteen.
 */
export function idNumberProblem(raw: string): string | null {
  const id = normalizeIdNumber(raw);
  if (id.length !== 18) return `a 身份证号 has 18 characters; this one has ${id.length}`;
  if (!/^\d{17}[\dX]$/.test(id)) return 'a 身份证号 is 17 digits and a digit or X';
  const birth = idNumberBirthDate(id);
  if (!birth) return `the birth date in this 身份证号 (${id.slice(6, 14)}) is not a date`;
  const expected = withCheckDigit(id.slice(0, 17)).slice(-1);
  if (id[17] !== expected) return `the check digit of this 身份证号 should be ${expected}, not ${id[17]}`;
  return null;
}

/** The 18-character 身份证号 of 17 digits and their check digit (what a demo province's members carry). */
export function withCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return `${first17}${CHECK[sum % 11]}`;
}

/** The birth date a well-formed 18-character 身份证号 carries (characters 7–14), or null. */
export function idNumberBirthDate(id: string): IsoDate | null {
  const d = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  return isValidIsoDate(d) ? (d as IsoDate) : null;
}

/** What screens and exports show unless the caller's role needs the number: 4201**********123X. */
export const maskIdNumber = (id: string): string => `${id.slice(0, 4)}${'*'.repeat(Math.max(0, id.length - 8))}${id.slice(-4)}`;
/** A mobile number as shown by default: 138****5678. */
export const maskPhone = (p: string): string => (p.length >= 7 ? `${p.slice(0, 3)}${'*'.repeat(p.length - 7)}${p.slice(-4)}` : '*'.repeat(p.length));

/** A mobile number of the mainland's plan (1[3-9] and nine digits), as the channels send to. */
export const isMobile = (s: string): boolean => /^1[3-9]\d{9}$/.test(s);

/**
 * Who may see a member's personal data unmasked, on an explicit request that is audited: the phone those who call
 * members (the organization's secretary, the organizers above it); the 身份证号 the organizers only.
 */
export const personalDataRoles: Record<'idNumber' | 'phone', readonly Role[]> = {
  idNumber: organizingRoles,
  phone: [...organizingRoles, 'secretary'],
};
/** Who keeps an organization's register: records a member's status, links a member to a user. */
export const registerKeepers: readonly Role[] = [...organizingRoles, 'secretary'];
