import type { IsoDate } from './dates.js';

/**
 * Rule parameters of the term election (domain.md §4.1) as data with an effective date. A workflow run reads
 * the set in force when it starts and carries it: a later rule change applies to new runs only.
 */
export interface TermRules {
  id: string;
  effectiveFrom: IsoDate;
  title: string;
  termYears: { committee: number; general_branch: number; branch: number; village: number };
  /** Reminders to the organization before its term ends, in months. */
  reminderMonthsBefore: number[];
  /** The request to hold the election is due this many months before expiry. */
  requestDueMonthsBefore: number;
  /** Supervisor's reply to the request, in working days. */
  replyWorkingDays: number;
  candidateMarginRatio: number;
  /** Voters present must exceed this share of those entitled. */
  quorumRatio: number;
  /** Yes votes must exceed this share of voters present. */
  winRatio: number;
  resultReportMonths: number;
  maxPostponementMonths: number;
  escalationWorkingDays: [number, number, number];
  taskReminderWorkingDays: number[];
  /** A returned request or report is filed again within this many working days [default]. */
  resubmitWorkingDays: number;
  /** The committee proposes the preliminary candidates within this many working days [default]. */
  candidatesWorkingDays: number;
}

/** Term length in years of an organization under a rule set: village and community organizations have their own. */
export function termYearsOf(rules: TermRules, type: string, sector: string): number {
  if (sector === 'rural' || sector === 'community') return rules.termYears.village;
  if (type === 'committee') return rules.termYears.committee;
  if (type === 'general_branch') return rules.termYears.general_branch;
  return rules.termYears.branch;
}

const national2018: TermRules = {
  id: 'national-2018',
  effectiveFrom: '2018-01-01',
  title: '关于党的基层组织任期的意见 (2018); 中国共产党基层组织选举工作条例 (2020)',
  termYears: { committee: 5, general_branch: 3, branch: 3, village: 5 },
  reminderMonthsBefore: [6, 3],
  requestDueMonthsBefore: 2,
  replyWorkingDays: 15,
  candidateMarginRatio: 0.2,
  quorumRatio: 0.8,
  winRatio: 0.5,
  resultReportMonths: 1,
  maxPostponementMonths: 12,
  escalationWorkingDays: [3, 10, 20],
  taskReminderWorkingDays: [7, 1],
  resubmitWorkingDays: 10,
  candidatesWorkingDays: 20,
};

const hubei2010: TermRules = {
  ...national2018,
  id: 'hubei-2010',
  effectiveFrom: '2010-01-01',
  title: '湖北省基层党组织建设工作规划 (2010–2012)',
  termYears: { committee: 5, general_branch: 3, branch: 3, village: 3 },
};

export const termRuleSets: readonly TermRules[] = [hubei2010, national2018];

/** The rule set in force on `date`, or a named one (history: 'hubei-2010'). */
export function termRulesFor(date: IsoDate, id?: string): TermRules {
  if (id) {
    const named = termRuleSets.find((r) => r.id === id);
    if (!named) throw new Error(`unknown rule set ${id}`);
    return named;
  }
  const inForce = termRuleSets.filter((r) => r.effectiveFrom <= date).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
  const found = inForce[0];
  if (!found) throw new Error(`no term rules in force on ${date}`);
  return found;
}

/**
 * Rotation training 轮训 (domain.md §4.3): how long a secretary's cycle runs, by sector [seed]: village secretaries
 * once every 3 years; SOE, university and community secretaries once a year.
 */
export interface TrainingRules {
  id: string;
  effectiveFrom: IsoDate;
  title: string;
  cycleYears: { rural: number; community: number; soe: number; university: number; other: number };
  reminderWorkingDays: number[];
  escalationWorkingDays: [number, number, number];
}

const trainingHubei2010: TrainingRules = {
  id: 'training-hubei-2010',
  effectiveFrom: '2010-01-01',
  title: '湖北省基层党组织建设工作规划 (2010–2012): 轮训',
  cycleYears: { rural: 3, community: 1, soe: 1, university: 1, other: 1 },
  reminderWorkingDays: [60, 20, 5],
  escalationWorkingDays: [3, 10, 20],
};

export const trainingRuleSets: readonly TrainingRules[] = [trainingHubei2010];

export function trainingRulesFor(date: IsoDate, id?: string): TrainingRules {
  const found = id ? trainingRuleSets.find((r) => r.id === id) : trainingRuleSets.filter((r) => r.effectiveFrom <= date).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
  if (!found) throw new Error(id ? `unknown rule set ${id}` : `no training rules in force on ${date}`);
  return found;
}

export function cycleYearsOf(rules: TrainingRules, sector: string): number {
  const s = sector as keyof TrainingRules['cycleYears'];
  return rules.cycleYears[s] ?? rules.cycleYears.other;
}

/** Liaison officer dispatch (domain.md §4.4) [seed; reg 2012; local]. */
export interface LiaisonRules {
  id: string;
  effectiveFrom: IsoDate;
  title: string;
  assignWorkingDays: number;
  acknowledgeWorkingDays: number;
  trainingWorkingDays: number;
  /** Visit reports: one per this many months [default: quarterly]. */
  visitIntervalMonths: number;
  reportWorkingDays: number;
  /** A unit with at least this many full members must set up its own organization [reg: 中办发〔2012〕11号]. */
  establishThreshold: number;
  approvalWorkingDays: number;
  escalationWorkingDays: [number, number, number];
  reminderWorkingDays: number[];
}

const liaison2012: LiaisonRules = {
  id: 'liaison-2012',
  effectiveFrom: '2012-01-01',
  title: '中办发〔2012〕11号; 湖北省基层党组织建设工作规划',
  assignWorkingDays: 10,
  acknowledgeWorkingDays: 5,
  trainingWorkingDays: 20,
  visitIntervalMonths: 3,
  reportWorkingDays: 10,
  establishThreshold: 3,
  approvalWorkingDays: 15,
  escalationWorkingDays: [3, 10, 20],
  reminderWorkingDays: [3, 1],
};

export const liaisonRuleSets: readonly LiaisonRules[] = [liaison2012];

export function liaisonRulesFor(date: IsoDate, id?: string): LiaisonRules {
  const found = id ? liaisonRuleSets.find((r) => r.id === id) : liaisonRuleSets.filter((r) => r.effectiveFrom <= date).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
  if (!found) throw new Error(id ? `unknown rule set ${id}` : `no liaison rules in force on ${date}`);
  return found;
}
