// 三色管理: an organization is green, yellow or red from the facts of its processes, under a
// versioned rule set (one lookup for every rule set: src/domain/rules.ts `ruleSetFor`). Pure: the recompute
// (activities/ratings.ts) gathers the facts of the whole tree in one statement and rates them here; the API, the
// web UI and the tests read the same reasons and words.
import { addMonths, type IsoDate } from './dates.js';
import { ruleSetFor, type TaskTiming } from './rules.js';

export const ratingColors = ['green', 'yellow', 'red'] as const;
export type RatingColor = (typeof ratingColors)[number];

/** Why an organization is not green. Each reason's colour is the rule set's (`severity`). */
export const ratingReasons = ['overdue-task', 'escalated', 'term-late', 'return-missing', 'secretary-untrained', 'village-unpaired'] as const;
export type RatingReason = (typeof ratingReasons)[number];

/** What the recompute reads of one organization on a day. */
export interface RatingFacts {
  /** Its open tasks past their due time. */
  overdueTasks: number;
  /** The highest escalation level among them (0: none escalated). */
  escalationLevel: number;
  /** 未按期换届, by the one definition (src/organizations/term-late.ts). */
  termLate: boolean;
  /** It files a yearly return and the last one due is missing. */
  returnMissing: boolean;
  /** Its secretary's training cycle ended without the training. */
  secretaryUntrained: boolean;
  /** A village (settlementOf) in no active urban–rural pairing. */
  villageUnpaired: boolean;
}

export interface RatingRules {
  id: string;
  effectiveFrom: IsoDate;
  title: string;
  /** A reason's colour. An escalation at `redEscalationLevel` or above is red whatever `escalated` says. */
  severity: Readonly<Record<RatingReason, 'yellow' | 'red'>>;
  redEscalationLevel: number;
  /** This many yellow reasons at once make red. */
  yellowsForRed: number;
  /** A period is this many calendar months (Shanghai), starting on the first of January. */
  periodMonths: number;
  /** Red in this many periods in a row opens a 约谈 for the supervising committee. */
  redPeriodsForInterview: number;
  /** The yearly return for year Y is due on this day (month-day) of Y + 1. */
  returnDue: string;
  /** The 约谈 task: due, reminders and escalations in working days, as every task. */
  interview: TaskTiming & { dueWorkingDays: number };
}

const ratings2026: RatingRules = {
  id: 'ratings-2026',
  effectiveFrom: '2026-01-01',
  title: '三色管理 (县委组织部基层党建工作“红黄绿”三色管理办法, seed)',
  severity: {
    'overdue-task': 'yellow',
    escalated: 'yellow',
    'term-late': 'red',
    'return-missing': 'yellow',
    'secretary-untrained': 'yellow',
    'village-unpaired': 'yellow',
  },
  redEscalationLevel: 2,
  yellowsForRed: 3,
  periodMonths: 1,
  redPeriodsForInterview: 3,
  returnDue: '03-31',
  interview: { dueWorkingDays: 10, reminderWorkingDays: [7, 1], escalationWorkingDays: [3, 10, 20] },
};

export const ratingRuleSets: readonly RatingRules[] = [ratings2026];

/** The set in force on `date` (the first set also rates the days before it: ratings began with it), or a named one. */
export function ratingRulesFor(date: IsoDate, id?: string): RatingRules {
  return ruleSetFor(ratingRuleSets, 'ratings', date < ratingRuleSets[0]!.effectiveFrom ? ratingRuleSets[0]!.effectiveFrom : date, id);
}

export interface Rating {
  color: RatingColor;
  reasons: RatingReason[];
}

/** The reasons the facts give, in the catalog's order. */
export function ratingReasonsOf(f: RatingFacts): RatingReason[] {
  const found: Record<RatingReason, boolean> = {
    'overdue-task': f.overdueTasks > 0,
    escalated: f.escalationLevel > 0,
    'term-late': f.termLate,
    'return-missing': f.returnMissing,
    'secretary-untrained': f.secretaryUntrained,
    'village-unpaired': f.villageUnpaired,
  };
  return ratingReasons.filter((r) => found[r]);
}

/** Green without a reason; red with a red reason, an escalation at the red level, or enough yellows; else yellow. */
export function rate(f: RatingFacts, rules: RatingRules): Rating {
  const reasons = ratingReasonsOf(f);
  if (reasons.length === 0) return { color: 'green', reasons };
  const red = reasons.some((r) => rules.severity[r] === 'red') || f.escalationLevel >= rules.redEscalationLevel || reasons.length >= rules.yellowsForRed;
  return { color: red ? 'red' : 'yellow', reasons };
}

/** The first day of the period holding `day`. */
export function periodOf(day: IsoDate, rules: RatingRules): IsoDate {
  const month = Number(day.slice(5, 7)) - 1;
  const start = month - (month % rules.periodMonths) + 1;
  return `${day.slice(0, 4)}-${String(start).padStart(2, '0')}-01`;
}

/** The first day of the earliest of the `redPeriodsForInterview` periods ending with the one holding `day`. */
export function interviewWindowStart(day: IsoDate, rules: RatingRules): IsoDate {
  return addMonths(periodOf(day, rules), -rules.periodMonths * (rules.redPeriodsForInterview - 1));
}

/** The year of the last yearly return due by `day`. */
export function lastReturnYearDue(day: IsoDate, rules: RatingRules): number {
  const year = Number(day.slice(0, 4));
  return day.slice(5) >= rules.returnDue ? year - 1 : year - 2;
}
