// 组织生活会 and 民主评议党员 (domain.md §4.9; 中国共产党党员教育管理工作条例 2019 art. 29–32, 中国共产党支部工作条例
// （试行）2018 art. 18): once a year each branch talks with its members (谈心谈话), holds its 组织生活会, and rates every
// member on its register in a 民主测评; the township committee reviews the result; a member rated 不合格 is given a
// time to improve (限期改正), after which the branch decides. Shared by the workflow's validators, the API and the web
// form. Pure.
import { z } from 'zod';
import { RuleViolation } from '../election.js';
import { ruleSetFor, type DatedRuleSet, type TaskTiming } from '../rules.js';
import type { IsoDate } from '../dates.js';
import { dateField, intField, textField } from '../fields.js';

/** The four grades of 民主评议党员, best first: 优秀, 合格, 基本合格, 不合格. */
export const appraisalRatings = ['excellent', 'qualified', 'basic', 'unqualified'] as const;
export type AppraisalRating = (typeof appraisalRatings)[number];
export const appraisalRatingWords: Readonly<Record<AppraisalRating, { 'zh-CN': string; en: string }>> = {
  excellent: { 'zh-CN': '优秀', en: 'Excellent' },
  qualified: { 'zh-CN': '合格', en: 'Qualified' },
  basic: { 'zh-CN': '基本合格', en: 'Basically qualified' },
  unqualified: { 'zh-CN': '不合格', en: 'Unqualified' },
};
/** The grades a result names member by member: everyone else on the register of the meeting's day is 合格. */
export const namedRatings = ['excellent', 'basic', 'unqualified'] as const satisfies readonly AppraisalRating[];

/** What the branch decides at the end of a 不合格 member's time to improve: improved, or a proposal the regulations name. */
export const improvementDecisions = ['improved', 'persuade-to-leave', 'remove'] as const;

/**
 * Rule parameters of the yearly appraisal, by effective date: the working days each branch step is due in, the time
 * a 不合格 member is given to improve, and reminders and escalation as every task.
 */
export interface AppraisalRules extends DatedRuleSet, TaskTiming {
  /** Organization types that hold it: the regulations' 党支部. */
  heldBy: readonly string[];
  /** 谈心谈话 due this many working days after the plan reaches the branch; the meeting and the result after the step before. */
  talksWithinWorkingDays: number;
  meetingWithinWorkingDays: number;
  appraisalWithinWorkingDays: number;
  /** 限期改正: months from the review's approval. */
  improvementMonths: number;
}

export const appraisalRuleSets: readonly AppraisalRules[] = [
  {
    // [reg] 党员教育管理工作条例 (2019) art. 31: 民主评议党员 once a year, with the 组织生活会, preceded by 谈心谈话;
    // art. 32: a member rated 不合格 is given a time to improve (限期改正), and 劝退 or 除名 where they do not.
    // [local] the time to improve is 6 months (the regulations leave it to the committees; counties use 3–6).
    // [default] each branch step within 20 working days of the step before, the result within 5; reminders and
    // escalation as every task (domain.md §3).
    id: 'appraisal-2019',
    effectiveFrom: '2019-05-01',
    heldBy: ['branch'],
    talksWithinWorkingDays: 20,
    meetingWithinWorkingDays: 20,
    appraisalWithinWorkingDays: 5,
    improvementMonths: 6,
    reminderWorkingDays: [7, 1],
    escalationWorkingDays: [3, 10, 20],
  },
];

export function appraisalRulesFor(d: IsoDate, id?: string): AppraisalRules {
  return ruleSetFor(appraisalRuleSets, 'member-appraisal', d, id);
}

/** What the branch's tasks show and check against: the year, the plan's report day, and the steps' days so far. */
export interface AppraisalContext {
  year: number;
  reportBy: IsoDate;
  /** The plan's day: talks are held after it. */
  plannedOn: IsoDate;
  talksOn?: IsoDate;
  lifeMeetingOn?: IsoDate;
  /**
   * What the result's reads found of the register of the meeting's day: member id → name, or null for one who was
   * not on it; `count` is everyone on it. A member not read yet is not refused: the read comes before the task closes.
   */
  onRegister?: Record<string, string | null>;
  registerCount?: number;
  today?: IsoDate;
}

export const talksOutcome = z.object({ talksOn: dateField, note: textField(4000) });
export const lifeMeetingOutcome = z.object({ lifeMeetingOn: dateField, topic: textField(200), minutes: textField(20000) });

/**
 * The 民主测评 result in one phone screen: how many took part, and the members NOT rated 合格 — each picked from the
 * register with their grade (and, from an API client, the ballot's count for each grade); every other member on the
 * register of the meeting's day is 合格. A branch of thirty rates one or two members otherwise, so the form lists
 * those, not thirty rows.
 */
export const appraisalOutcome = z.object({
  voters: intField(1, 100_000),
  rated: z
    .array(
      z.object({
        memberId: z.number({ error: 'v.pickMember' }).int({ error: 'v.pickMember' }).positive({ error: 'v.pickMember' }),
        name: z.string().trim().max(64, { error: 'v.tooLong' }).optional(),
        rating: z.enum(namedRatings, { error: 'v.option' }),
        votes: z.partialRecord(z.enum(appraisalRatings), intField(0, 100_000)).optional(),
      }),
    )
    .max(2000, { error: 'v.tooMany' })
    .optional(),
});
export type AppraisalResult = z.output<typeof appraisalOutcome>;

/** The township's review: approved, or returned to the branch with what to do again. */
export const appraisalReviewOutcome = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve'), comments: z.string().max(4000, { error: 'v.tooLong' }).optional() }),
  z.object({ decision: z.literal('return'), comments: textField(4000) }),
]);

/** The branch's decision at the end of a 不合格 member's time to improve. */
export const improvementOutcome = z.object({
  decidedOn: dateField,
  decision: z.enum(improvementDecisions, { error: 'v.option' }),
  note: textField(4000),
});

/** What an improvement task shows and checks against: the member, the day their time began, its end, today. */
export interface ImprovementContext {
  member: string;
  since: IsoDate;
  dueOn: IsoDate;
  today?: IsoDate;
}

const notFuture = (d: IsoDate, today: IsoDate | undefined, rule: string) => {
  if (today && d > today) throw new RuleViolation(rule, `cannot be after today (${today})`);
};

/** Talks are held after the plan reached the branch, and not in the future. */
export function checkTalks(o: z.output<typeof talksOutcome>, c: AppraisalContext): void {
  if (o.talksOn < c.plannedOn) throw new RuleViolation('talks-on', `talks of the year's appraisal are held on or after ${c.plannedOn}`);
  notFuture(o.talksOn, c.today, 'talks-on');
}

/** The 组织生活会 follows the talks, and is not in the future. */
export function checkLifeMeeting(o: z.output<typeof lifeMeetingOutcome>, c: AppraisalContext): void {
  if (o.lifeMeetingOn < (c.talksOn ?? c.plannedOn)) throw new RuleViolation('life-meeting-on', `the meeting follows the talks (${c.talksOn ?? c.plannedOn})`);
  notFuture(o.lifeMeetingOn, c.today, 'life-meeting-on');
}

/**
 * A result rates members of the register of the meeting's day, each once; a ballot's counts add up to no more than
 * those who took part, and no more took part than the register holds.
 */
export function checkAppraisal(o: AppraisalResult, c: AppraisalContext): void {
  const rows = o.rated ?? [];
  const ids = rows.map((r) => r.memberId);
  if (new Set(ids).size !== ids.length) throw new RuleViolation('rated', 'a member is named twice');
  const stranger = ids.find((id) => c.onRegister?.[String(id)] === null);
  if (stranger !== undefined) throw new RuleViolation('rated-not-on-register', `member ${stranger} was not on the register on ${c.lifeMeetingOn}`);
  if (c.registerCount !== undefined && o.voters > c.registerCount) throw new RuleViolation('voters', `no more than the register's ${c.registerCount}`);
  const over = rows.find((r) => Object.values(r.votes ?? {}).reduce((n, v) => n + (v ?? 0), 0) > o.voters);
  if (over) throw new RuleViolation('rated-votes', `member ${over.memberId}'s votes exceed the ${o.voters} who took part`);
}

/** A decision on improvement is taken after the time began, and not in the future. */
export function checkImprovement(o: z.output<typeof improvementOutcome>, c: ImprovementContext): void {
  if (o.decidedOn < c.since) throw new RuleViolation('decided-on', `on or after ${c.since}`);
  notFuture(o.decidedOn, c.today, 'decided-on');
}
