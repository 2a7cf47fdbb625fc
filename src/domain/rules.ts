import type { IsoDate } from './dates.js';

/**
 * Why full members may be left out of a members' meeting's entitled count (应到会人数): 中国共产党基层组织选举工作条例
 * (2020) art. 11 — members abroad (出国出境), away for a long time (外出务工经商 and the like), under 留党察看 or with
 * their membership suspended (停止党籍), and those unable to express their will through illness. Each needs the
 * higher committee's approval; any other absence counts against the quorum.
 */
export const entitledExclusionReasons = ['abroad', 'away-long-term', 'probation-discipline', 'membership-suspended', 'incapacitated'] as const;
export type EntitledExclusionReason = (typeof entitledExclusionReasons)[number];

/**
 * How an organization's committee comes to office (domain.md §4.1 "Who elects how"), as the register holds it
 * (organizations.election_body: declared, else inferred from type, sector and name — migrations/095_election_body.sql
 * holds the inference, the one place it is written):
 * - `members_meeting`: a 党委, 总支 or 支部 of a village, community, SOE, school, firm… elects at a members' meeting
 *   (党员大会; 中国共产党基层组织选举工作条例 2020 art. 4: "一般由党员大会选举产生");
 * - `delegates_conference`: a 基层党委 with 500 members or more, or whose organizations are scattered, holds a members'
 *   delegates' conference (党员代表大会) with the higher committee's approval (art. 4). The choice this system makes:
 *   a township committee (乡镇党委, the regulation's own example of scattered organizations) is inferred to hold one;
 *   any other 党委 holds one only when the register declares it, with its number of delegates (100 to 200, at most 300,
 *   条例 ch. 2). The entitled of its ballot are the delegates on the register, not the members;
 * - `appointed`: 街道党工委, 机关工委 and similar 工委 are the higher committee's appointed bodies (派出机关): no election,
 *   no term to chase;
 * - `congress`: county and higher committees (党代会) are out of this system's scope: no election, no term to chase.
 */
export const electionBodies = ['members_meeting', 'delegates_conference', 'appointed', 'congress'] as const;
export type ElectionBody = (typeof electionBodies)[number];

/** The bodies whose committee a process of this system elects, so that their term is chased. */
export const electedBodies: readonly ElectionBody[] = ['members_meeting', 'delegates_conference'];
export const electsItsCommittee = (body: string | null | undefined): boolean => (electedBodies as readonly (string | null | undefined)[]).includes(body);

/** Why a term is in a year's 换届计划 (domain.md §4.1 step 1; the SQL: termPlanReason, src/organizations/term-late.ts). */
export const termPlanReasons = ['ends', 'postponement-ends', 'overdue'] as const;
export type TermPlanReason = (typeof termPlanReasons)[number];

/** Why an organization's committee, elected this way, has no term election here, or null (a unit has none to elect: no body). */
export function electionBodyRefusal(body: string | null | undefined): string | null {
  if (body === 'appointed') return 'an appointed body (党工委, 机关工委 and similar 工委) holds no election: its committee is appointed by the committee above';
  if (body === 'congress') return 'county and higher committees are elected by a Party congress (党代会), which this system does not run';
  return null;
}

/** The members' meeting's entitled count and quorum, as one rule set names them. */
export interface MeetingEntitlementRules {
  /** Voters present must exceed this share of those entitled. */
  quorumRatio: number;
  /** The only reasons a full member on the register may be left out of the entitled count (with approval). */
  exclusionReasons: readonly EntitledExclusionReason[];
}

/**
 * Rule parameters of the term election (domain.md §4.1) as data with an effective date. A workflow run reads
 * the set in force when it starts and carries it: a later rule change applies to new runs only.
 */
export interface TermRules extends MeetingEntitlementRules {
  id: string;
  effectiveFrom: IsoDate;
  title: string;
  termYears: { committee: number; general_branch: number; branch: number; village: number };
  /**
   * The term lengths, in whole years, a term started under this rule set may have (inclusive), by the same kinds
   * as `termYears`: a length outside them is refused at import and entry, not found "late" a term later.
   */
  termYearsAllowed: { committee: [number, number]; general_branch: [number, number]; branch: [number, number]; village: [number, number] };
  /** Ballot rounds for seats left unfilled before the committee must propose candidates again [default]. */
  maxBallotRounds: number;
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

/** Which of a rule set's term lengths an organization has: village and community organizations have their own. */
function termKindOf(type: string, sector: string): keyof TermRules['termYears'] {
  if (sector === 'rural' || sector === 'community') return 'village';
  if (type === 'committee') return 'committee';
  if (type === 'general_branch') return 'general_branch';
  return 'branch';
}

/** Term length in years of an organization under a rule set: village and community organizations have their own. */
export function termYearsOf(rules: TermRules, type: string, sector: string): number {
  return rules.termYears[termKindOf(type, sector)];
}

/**
 * Why a term of `years` started on `startedOn` is refused for an organization of this type and sector, or null when
 * the rule set in force on that day allows it (domain.md §4.1: the length in force on the day the term starts).
 */
export function termYearsRefusal(type: string, sector: string, startedOn: IsoDate, years: number): string | null {
  // Before the first rule set no rule here says how long a term was: the register keeps what the files say.
  if (!termRuleSets.some((r) => r.effectiveFrom <= startedOn)) return null;
  const rules = termRulesFor(startedOn);
  const kind = termKindOf(type, sector);
  const [min, max] = rules.termYearsAllowed[kind];
  if (years >= min && years <= max) return null;
  const allowed = min === max ? `${min}` : `${min} to ${max}`;
  return `a term of ${years} years is not allowed: a ${kind.replace('_', ' ')} organization's term started on ${startedOn} lasts ${allowed} years under ${rules.id} (${rules.title})`;
}

/**
 * 关于党的基层组织任期的意见 (中办发, issued and in force 2018-07-12): 基层委员会 5 years, 总支 and 支部 3 years, village
 * and community organizations 5 years. Organizations elected before that day keep their term and change at the next
 * election: a term is judged by the rule set in force on the day it started. The members' meeting's quorum (> 4/5 of
 * those entitled), win rule (> 1/2 of those present) and candidate margin (≥ 20 %) follow 中国共产党基层组织选举工作条例
 * (2020) and apply alike to a members' meeting and a delegates' conference, whose entitled are its delegates.
 */
const national2018: TermRules = {
  id: 'national-2018',
  effectiveFrom: '2018-07-12',
  title: '关于党的基层组织任期的意见 (2018); 中国共产党基层组织选举工作条例 (2020)',
  termYears: { committee: 5, general_branch: 3, branch: 3, village: 5 },
  termYearsAllowed: { committee: [5, 5], general_branch: [3, 3], branch: [3, 3], village: [5, 5] },
  maxBallotRounds: 3,
  reminderMonthsBefore: [6, 3],
  requestDueMonthsBefore: 2,
  replyWorkingDays: 15,
  candidateMarginRatio: 0.2,
  quorumRatio: 0.8,
  exclusionReasons: entitledExclusionReasons,
  winRatio: 0.5,
  resultReportMonths: 1,
  maxPostponementMonths: 12,
  escalationWorkingDays: [3, 10, 20],
  taskReminderWorkingDays: [7, 1],
  resubmitWorkingDays: 10,
  candidatesWorkingDays: 20,
};

/**
 * The seed era: 党章 (2007/2012) art. 30 gave 基层委员会 three to five years and 总支/支部 two or three; the provincial plan
 * kept village organizations at 3 years, beside the villagers' committee's term. New terms default to the longest.
 */
const hubei2010: TermRules = {
  ...national2018,
  id: 'hubei-2010',
  effectiveFrom: '2010-01-01',
  title: '湖北省基层党组织建设工作规划 (2010–2012)',
  termYears: { committee: 5, general_branch: 3, branch: 3, village: 3 },
  termYearsAllowed: { committee: [3, 5], general_branch: [2, 3], branch: [2, 3], village: [3, 3] },
};

/**
 * The rule set in force on `date` (the latest effective on or before it), or the one named `id` (history):
 * one lookup for every process's rules, so a rule change is always a new entry, never an edit of a past one.
 */
/** A versioned rule set: its id (kept on what it decided) and the day from which it applies. */
export interface DatedRuleSet {
  id: string;
  effectiveFrom: IsoDate;
}

/** A task's reminders (working days before its due day) and escalation levels (working days after it), as rule sets give them. */
export interface TaskTiming {
  reminderWorkingDays: readonly number[];
  escalationWorkingDays: readonly [number, number, number];
}

export function ruleSetFor<R extends DatedRuleSet>(sets: readonly R[], what: string, date: IsoDate, id?: string): R {
  const found = id
    ? sets.find((r) => r.id === id)
    : [...sets].filter((r) => r.effectiveFrom <= date).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
  if (!found) throw new Error(id ? `unknown rule set ${id}` : `no ${what} rule set in force on ${date}`);
  return found;
}

export const termRuleSets: readonly TermRules[] = [hubei2010, national2018];

/** The rule set in force on `date`, or a named one (history: 'hubei-2010'). */
export function termRulesFor(date: IsoDate, id?: string): TermRules {
  return ruleSetFor(termRuleSets, 'term', date, id);
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
  return ruleSetFor(trainingRuleSets, 'training', date, id);
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
  /** The county organization department meets its officers once in this many months, by the calendar [local: 6]. */
  officersMeetingMonths: number;
  escalationWorkingDays: [number, number, number];
  /**
   * Reminders before a task's due day, where the rule set says otherwise than domain.md §3; absent, the defaults of
   * the human-task building block (7 and 1 working days before).
   */
  reminderWorkingDays?: number[];
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
  officersMeetingMonths: 6,
  escalationWorkingDays: [3, 10, 20],
  // Neither the 2012 notice nor the provincial plan fixes reminders: the defaults of domain.md §3.
};

export const liaisonRuleSets: readonly LiaisonRules[] = [liaison2012];

export function liaisonRulesFor(date: IsoDate, id?: string): LiaisonRules {
  return ruleSetFor(liaisonRuleSets, 'liaison', date, id);
}

/** The share of those entitled who must take part in a meeting: `present ≥ ratio × entitled` (or `>` when strict). */
export interface TurnoutRule {
  ratio: number;
  strict: boolean;
}

/**
 * Two recommendations, one election 两推一选 (domain.md §4.2) [seed; local]. The turnout of each recommendation
 * meeting, how many nominees one participant may name, the weighting of the two rounds in the final ranking,
 * the share a nominee needs to stay in the running, and the election's margin, quorum and win rule.
 */
export interface TwoRecommendationsRules extends MeetingEntitlementRules {
  id: string;
  effectiveFrom: IsoDate;
  title: string;
  /** The township committee publishes the plan within this many working days of the start [default]. */
  planWorkingDays: number;
  /** Each recommendation meeting is held within this many working days of the step before [local: 1–3 months in all]. */
  recommendationWorkingDays: number;
  /** Party members' recommendation meeting (党员推荐) [local: at least 80% of members]. */
  memberTurnout: TurnoutRule;
  /** Villagers' meeting: more than half of adult villagers [村民委员会组织法 art. 22]. */
  villagerTurnout: TurnoutRule;
  /** Villager representatives' meeting: at least two thirds of the representatives [村民委员会组织法 art. 26]. */
  representativeTurnout: TurnoutRule;
  /** One participant names at most this many nominees per seat [local: one per post]. */
  nomineesPerSeat: number;
  /** Weights of the two rounds in the ranking (members', villagers'); they add up to 1 [local]. */
  memberWeight: number;
  villagerWeight: number;
  /**
   * Advice to the township committee [default]: a nominee below this weighted share is not advised as a candidate,
   * and fewer advised nominees than a differential election needs suggest no suitable candidate. The committee
   * reviews the recommendations and decides; the share never decides alone.
   */
  minWeightedShare: number;
  /** The township committee fixes the preliminary candidates within this many working days. */
  reviewWorkingDays: number;
  /** Differential election: candidates ≥ seats + ceil(ratio × seats) [reg art. 13]. */
  candidateMarginRatio: number;
  /** Members' meeting: voters present > ratio × entitled; winner > ratio × present [reg]. */
  quorumRatio: number;
  winRatio: number;
  /** Further ballot rounds for unfilled seats before "no suitable candidate" [default]. */
  maxBallotRounds: number;
  electionWorkingDays: number;
  approvalWorkingDays: number;
  /** The county organization department dispatches a first secretary within this many working days [default]. */
  dispatchWorkingDays: number;
  escalationWorkingDays: [number, number, number];
  reminderWorkingDays: number[];
}

const twoRecHubei2010: TwoRecommendationsRules = {
  id: 'two-rec-hubei-2010',
  effectiveFrom: '2010-01-01',
  title: '湖北省基层党组织建设工作规划 (2010–2012): 两推一选',
  planWorkingDays: 10,
  recommendationWorkingDays: 15,
  memberTurnout: { ratio: 0.8, strict: false },
  villagerTurnout: { ratio: 0.5, strict: true },
  representativeTurnout: { ratio: 2 / 3, strict: false },
  nomineesPerSeat: 1,
  // The seed era weighted the members' round more [local].
  memberWeight: 0.6,
  villagerWeight: 0.4,
  minWeightedShare: 0.3,
  reviewWorkingDays: 10,
  candidateMarginRatio: 0.2,
  quorumRatio: 0.8,
  exclusionReasons: entitledExclusionReasons,
  winRatio: 0.5,
  maxBallotRounds: 2,
  electionWorkingDays: 15,
  approvalWorkingDays: 10,
  dispatchWorkingDays: 20,
  escalationWorkingDays: [3, 10, 20],
  reminderWorkingDays: [3, 1],
};

// Not the term opinion's rule set: its weights are local practice, so its date is not the opinion's.
const twoRec2018: TwoRecommendationsRules = {
  ...twoRecHubei2010,
  id: 'two-rec-2018',
  effectiveFrom: '2018-01-01',
  title: '关于党的基层组织任期的意见 (2018); 中国共产党基层组织选举工作条例 (2020): 两推一选',
  memberWeight: 0.5,
  villagerWeight: 0.5,
};

export const twoRecommendationsRuleSets: readonly TwoRecommendationsRules[] = [twoRecHubei2010, twoRec2018];

export function twoRecommendationsRulesFor(date: IsoDate, id?: string): TwoRecommendationsRules {
  return ruleSetFor(twoRecommendationsRuleSets, 'two-recommendations', date, id);
}

export const pairingDeliverables = ['leadership', 'plan', 'project', 'venue', 'rules'] as const;
export type PairingDeliverable = (typeof pairingDeliverables)[number];

/**
 * Urban–rural pairing 结对共建 (domain.md §4.5) [seed]: five deliverables (好班子, 好规划, 好项目, 好阵地, 好制度), each
 * with its milestones, due a number of months into the cycle; a review each year; a cycle of three years.
 */
export interface PairingRules {
  id: string;
  effectiveFrom: IsoDate;
  title: string;
  cycleYears: number;
  /** Per deliverable: its milestones in order, and when the deliverable is due (months from the cycle's start). */
  deliverables: Record<PairingDeliverable, { milestones: string[]; dueMonths: number }>;
  /** Evidence files a milestone needs [default: one]. */
  evidencePerMilestone: number;
  /** Largest evidence file, in bytes [default: 10 MiB]. */
  evidenceMaxBytes: number;
  /** The yearly review is due this many working days after the anniversary. */
  reviewWorkingDays: number;
  escalationWorkingDays: [number, number, number];
  reminderWorkingDays: number[];
}

const pairingHubei2010: PairingRules = {
  id: 'pairing-hubei-2010',
  effectiveFrom: '2010-01-01',
  title: '湖北省基层党组织建设工作规划 (2010–2012): 城乡互联、结对共建',
  cycleYears: 3,
  deliverables: {
    leadership: { milestones: ['assessment', 'training', 'team-in-place'], dueMonths: 12 },
    plan: { milestones: ['survey', 'draft', 'adopted'], dueMonths: 6 },
    project: { milestones: ['selected', 'funded', 'completed'], dueMonths: 30 },
    venue: { milestones: ['site', 'built', 'in-use'], dueMonths: 24 },
    rules: { milestones: ['draft', 'adopted'], dueMonths: 12 },
  },
  evidencePerMilestone: 1,
  evidenceMaxBytes: 10 * 1024 * 1024,
  reviewWorkingDays: 20,
  escalationWorkingDays: [3, 10, 20],
  reminderWorkingDays: [20, 5, 1],
};

export const pairingRuleSets: readonly PairingRules[] = [pairingHubei2010];

export function pairingRulesFor(date: IsoDate, id?: string): PairingRules {
  return ruleSetFor(pairingRuleSets, 'pairing', date, id);
}
