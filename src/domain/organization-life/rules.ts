// Organization life 三会一课 (domain.md §4.9; 中国共产党支部工作条例（试行）2018): which meetings a branch holds and how
// often, what a meeting's record holds, and by when it is due. Shared by the workflow's validators, the API and the
// web form. Pure.
import { z } from 'zod';
import { RuleViolation } from '../election.js';
import { ruleSetFor, type DatedRuleSet, type TaskTiming } from '../rules.js';
import { addDays, addMonths, type IsoDate } from '../dates.js';
import { dateField, textField } from '../fields.js';

/** The meetings of a branch's organization life, in the order a record lists them. */
export const meetingKinds = ['branch-committee', 'group-meeting', 'members-meeting', 'party-lecture', 'theme-day'] as const;
export type MeetingKind = (typeof meetingKinds)[number];
export const meetingKindWords: Readonly<Record<MeetingKind, { 'zh-CN': string; en: string }>> = {
  'branch-committee': { 'zh-CN': '支部委员会', en: 'Branch committee meeting' },
  'group-meeting': { 'zh-CN': '党小组会', en: 'Party group meeting' },
  'members-meeting': { 'zh-CN': '支部党员大会', en: "Branch members' meeting" },
  'party-lecture': { 'zh-CN': '党课', en: 'Party lecture' },
  'theme-day': { 'zh-CN': '主题党日', en: 'Theme Party day' },
};

/** Why a member missed a meeting, as the record names it. */
export const absenceReasons = ['leave', 'duty', 'sick', 'away', 'other'] as const;

export type Cadence = 'month' | 'quarter';

/**
 * Rule parameters of organization life, by effective date: each kind's cadence (a kind absent is not asked for),
 * which organizations hold them, and the record's deadline after its period ends on the working-day calendar.
 */
export interface LifeRules extends DatedRuleSet, TaskTiming {
  cadence: Readonly<Partial<Record<MeetingKind, Cadence>>>;
  /** Organization types that keep the cadence: the regulations' 党支部. */
  heldBy: readonly string[];
  recordWithinWorkingDays: number;
  /** A spot-check's task is due these working days after it is asked for. */
  spotCheckWorkingDays: number;
  /**
   * The day of the following year ('MM-DD') on which the year closes, at 00:00 Shanghai time: the tasks of meetings
   * never recorded are closed by the process and count as missing (not held, not waived); records filed before it
   * count, late. Years planned under this rule set close then (lifeYearClosesOn).
   */
  yearClosesOn: string;
}

export const lifeRuleSets: readonly LifeRules[] = [
  {
    // [reg] 支部工作条例 art. 18: 支委会 monthly, 支部党员大会 and 党课 quarterly; [local] 主题党日 monthly. 党小组会 is
    // monthly where a branch has 党小组, which the register did not know yet: not asked for (branch-life-2027 asks). [default] the record is
    // due 5 working days after its period ends; reminders and escalation as every task (domain.md §3).
    id: 'branch-life-2018',
    effectiveFrom: '2018-10-01',
    cadence: { 'branch-committee': 'month', 'members-meeting': 'quarter', 'party-lecture': 'quarter', 'theme-day': 'month' },
    heldBy: ['branch'],
    recordWithinWorkingDays: 5,
    // [default]
    spotCheckWorkingDays: 10,
    reminderWorkingDays: [7, 1],
    escalationWorkingDays: [3, 10, 20],
    // [default] the end of the following January (see lifeYearClosesOn).
    yearClosesOn: '02-01',
  },
  {
    // [reg] 支部工作条例 art. 18 and 党章 art. 31: a branch with 党小组 holds a 党小组会 in each group every month; the
    // register now keeps the groups (src/members/groups.ts), so a year planned from 2027 owes one per group the branch
    // has when its year is planned (a branch without groups owes none). Years planned before keep the 2018 set.
    id: 'branch-life-2027',
    effectiveFrom: '2027-01-01',
    cadence: {
      'branch-committee': 'month',
      'group-meeting': 'month',
      'members-meeting': 'quarter',
      'party-lecture': 'quarter',
      'theme-day': 'month',
    },
    heldBy: ['branch'],
    recordWithinWorkingDays: 5,
    // [default]
    spotCheckWorkingDays: 10,
    reminderWorkingDays: [7, 1],
    escalationWorkingDays: [3, 10, 20],
    // [default] the end of the following January (see lifeYearClosesOn).
    yearClosesOn: '02-01',
  },
];

export function lifeRulesFor(d: IsoDate, id?: string): LifeRules {
  return ruleSetFor(lifeRuleSets, 'organization-life', d, id);
}

/**
 * The day a year of organization life closes (at 00:00 Shanghai time), as its rule set names it. The yearly
 * assessment scores a year on 31 December from the obligations due by then (activities/assessment.ts
 * organizationLifeSql: `due_on <= day`, a waived one not owed), and a run of it for a past year (after a data fix)
 * reads them as the records stand when it runs. December's and the fourth quarter's records are due in the first
 * working days of January and escalate through it, so the year stays open to the end of January for records made up
 * late; from its close day on, nothing changes the year's figures, and a re-run of the assessment reads the final
 * ones — every obligation it counts has been past due for a month by then.
 */
export function lifeYearClosesOn(year: number, r: Pick<LifeRules, 'yearClosesOn'>): IsoDate {
  return `${year + 1}-${r.yearClosesOn}`;
}

/** The hours of its close day over which a province's years close (`closeSpreadMs`). */
export const LIFE_CLOSE_SPREAD_HOURS = 6;

/**
 * How long after 00:00 of its close day a year's workflow closes its tasks: a province's 150,000 years close on the
 * same day, and woken at one instant they would all replay and write at once. Each takes its own minute of the first
 * hours instead, the same for the same workflow id (a hash of it). Records are refused from 00:00 all the same
 * (`MeetingContext.closesOn`): only the bookkeeping waits.
 */
export function closeSpreadMs(workflowId: string): number {
  // FNV-1a: stable across runs and platforms, as a replayed workflow needs.
  let h = 0x811c9dc5;
  for (let i = 0; i < workflowId.length; i++) h = Math.imul(h ^ workflowId.charCodeAt(i), 0x01000193) >>> 0;
  return (h % (LIFE_CLOSE_SPREAD_HOURS * 60)) * 60_000;
}

/**
 * One meeting a branch owes: its kind, its period ('2026-03', '2026-Q1') and the period's first and last day; a
 * 党小组会 names the group that owes it.
 */
export interface Obligation {
  kind: MeetingKind;
  period: string;
  startsOn: IsoDate;
  endsOn: IsoDate;
  groupId?: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The periods of a year at a cadence. */
export function periodsOf(year: number, cadence: Cadence): { period: string; startsOn: IsoDate; endsOn: IsoDate }[] {
  const months = cadence === 'month' ? 1 : 3;
  const out = [];
  for (let i = 0; i < 12 / months; i++) {
    const startsOn = `${year}-${pad(1 + i * months)}-01`;
    out.push({ period: cadence === 'month' ? `${year}-${pad(i + 1)}` : `${year}-Q${i + 1}`, startsOn, endsOn: addDays(addMonths(startsOn, months), -1) });
  }
  return out;
}

/**
 * Everything a branch owes in a year under a rule set, in the order the periods begin: a 党小组会 once for each of
 * `groups` (the branch's party groups when its year is planned), the other kinds once.
 */
export function obligationsOf(year: number, r: LifeRules, groups: readonly number[] = []): Obligation[] {
  const all: Obligation[] = [];
  for (const kind of meetingKinds) {
    const c = r.cadence[kind];
    if (!c) continue;
    for (const p of periodsOf(year, c)) {
      if (kind === 'group-meeting') for (const groupId of groups) all.push({ kind, ...p, groupId });
      else all.push({ kind, ...p });
    }
  }
  return all.sort(
    (a, b) => a.startsOn.localeCompare(b.startsOn) || meetingKinds.indexOf(a.kind) - meetingKinds.indexOf(b.kind) || (a.groupId ?? 0) - (b.groupId ?? 0),
  );
}

/** A period as a person reads it: 2026年3月, 2026年第1季度. */
export function periodWords(period: string, lang: 'zh-CN' | 'en' = 'zh-CN'): string {
  const [y, p] = period.split('-') as [string, string];
  if (p.startsWith('Q')) return lang === 'zh-CN' ? `${y}年第${p.slice(1)}季度` : `${p} ${y}`;
  return lang === 'zh-CN' ? `${y}年${Number(p)}月` : `${y}-${p}`;
}

/**
 * A meeting's record, in one phone screen: the day, the kinds held together (a 主题党日 with a 支部党员大会 and a 党课),
 * the topic, the members absent (picked from the register, each with a reason: those present are the register less
 * them) and the minutes.
 */
export const meetingRecordOutcome = z.object({
  meetingOn: dateField,
  kinds: z
    .array(z.enum(meetingKinds, { error: 'v.option' }), { error: 'v.required' })
    .min(1, { error: 'v.required' })
    .max(meetingKinds.length),
  topic: textField(200),
  absent: z
    .array(
      z.object({
        memberId: z.number({ error: 'v.member' }).int({ error: 'v.member' }).positive({ error: 'v.member' }),
        name: z.string().max(64).optional(),
        reason: z.enum(absenceReasons, { error: 'v.option' }),
      }),
    )
    .max(2000)
    .optional(),
  minutes: textField(20000),
});
export type MeetingRecord = z.output<typeof meetingRecordOutcome>;

/** What a record's task shows and checks against: which meeting, of which period, and today (read when it is). */
export interface MeetingContext {
  kind: MeetingKind;
  period: string;
  periodWords: string;
  startsOn: IsoDate;
  endsOn: IsoDate;
  /**
   * What the record's reads found of the register of a meeting's day, by day: member id → their name, or null for
   * one who was not on it. A member not read yet is not refused by the validator; the read comes before the task closes.
   */
  onRegister?: Record<IsoDate, Record<string, string | null>>;
  today?: IsoDate;
  /** The day the year closes (lifeYearClosesOn): from then on no record counts, whenever its task is closed. */
  closesOn?: IsoDate;
  /** A 党小组会's group: its attendance is the group's members on the meeting's day (`onRegister` reads them). */
  group?: { id: number; name: string };
}

/**
 * A record counts for its task's period: the kind it is for is among those held, the meeting was held in the period
 * or after it (a meeting made up late says so), not in the future, the year has not closed, and whoever is marked
 * absent was on the register that day.
 */
export function checkMeetingRecord(o: MeetingRecord, c: MeetingContext): void {
  if (!o.kinds.includes(c.kind)) throw new RuleViolation('meeting-kind', `a record of this task holds a ${c.kind}`);
  // A group's meeting is its own: the branch's meetings are not held by one group.
  if (c.group && o.kinds.length > 1) throw new RuleViolation('meeting-kind', `a 党小组会 of ${c.group.name} is recorded alone`);
  if (new Set(o.kinds).size !== o.kinds.length) throw new RuleViolation('meeting-kind', 'a kind is named twice');
  if (o.meetingOn < c.startsOn) throw new RuleViolation('held-on', `a meeting of ${c.period} is held on or after ${c.startsOn}`);
  if (c.today && o.meetingOn > c.today) throw new RuleViolation('held-on', `cannot be after today (${c.today})`);
  if (c.today && c.closesOn && c.today >= c.closesOn) throw new RuleViolation('year-closed', `the year closed on ${c.closesOn}`);
  const ids = (o.absent ?? []).map((a) => a.memberId);
  if (new Set(ids).size !== ids.length) throw new RuleViolation('absent', 'a member is named twice');
  const register = c.onRegister?.[o.meetingOn];
  if (register) {
    const stranger = ids.find((id) => register[String(id)] === null);
    if (stranger !== undefined)
      throw c.group
        ? new RuleViolation('absent-not-in-group', `member ${stranger} was not in ${c.group.name} on ${o.meetingOn}`)
        : new RuleViolation('absent-not-on-register', `member ${stranger} was not on the register on ${o.meetingOn}`);
  }
}

/** Whether a record came late: the meeting after its period, or the record after its due day. */
export const recordedLate = (meetingOn: IsoDate, endsOn: IsoDate, recordedOn: IsoDate, dueOn: IsoDate) => meetingOn > endsOn || recordedOn > dueOn;

/** A township's spot-check (抽查) of a branch's records of a period: when, what it found. */
export const spotCheckOutcome = z.object({
  checkedOn: dateField,
  verdict: z.enum(['sound', 'deficient'], { error: 'v.required' }),
  problemsFound: textField(2000).optional(),
});
export type SpotCheck = z.output<typeof spotCheckOutcome>;

/** What a spot-check's task shows: whose records, of which period, how many the branch kept; and today. */
export interface SpotCheckContext {
  branch: string;
  period: string;
  periodWords: string;
  today?: IsoDate;
}

/** A spot-check is dated by today at the latest; records found wanting say what was wrong. */
export function checkSpotCheck(o: SpotCheck, c: SpotCheckContext): void {
  if (c.today && o.checkedOn > c.today) throw new RuleViolation('checked-on', `cannot be after today (${c.today})`);
  if (o.verdict === 'deficient' && !o.problemsFound) throw new RuleViolation('problems-found', 'records found wanting say what was wrong');
}

/** A period of a year as its rule set names them ('2026-03', '2026-Q1'). */
export const isPeriodOf = (year: number, period: string) => new RegExp(`^${year}-(0[1-9]|1[0-2]|Q[1-4])$`).test(period);
