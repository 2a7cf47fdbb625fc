// Yearly inspection and ranking 检查考评 (domain.md §4.6): which indicators count, how much, and from when.
// The scoring itself runs in SQL over the whole province (activities/assessment.ts) with these numbers as
// parameters, so a rule change is a new entry here, never an edit of a past one. The functions below state each
// rule once, readable and testable on its own; the SQL mirrors them and an integration test holds them together.
import type { IsoDate } from './dates.js';
import { ruleSetFor } from './rules.js';

export interface AssessmentRules {
  id: string;
  effectiveFrom: IsoDate;
  /** Weights of an organization's own indicators; an indicator that does not apply drops out of the sum. */
  weights: { termOnTime: number; secretaryTrained: number; noOverdueTasks: number };
  /**
   * Indicators from the yearly return 年报 of villages, communities and university branches, with the seed's
   * thresholds. Absent (rule sets before 2026): not assessed, stored as null, as if they did not apply.
   */
  yearlyReturn?: YearlyReturnRules;
  /** A county's score: this share from the mean of its organizations' scores, the rest from its rates. */
  countyMeanShare: number;
  /**
   * Points for the organizations of `sectors` whose secretary also heads the villagers' or residents' committee
   * (一肩挑), full at this rate. The 2021 set counted villages only; domain.md's 一肩挑 is the village's and the
   * community's secretary alike, and the seed's ≥80 % is for both, so from 2026 communities count too.
   */
  concurrentHead: { points: number; fullAt: number; sectors: readonly ConcurrentHeadSector[] };
  /** Points for units without a Party organization that have an acknowledged liaison officer (应派尽派). */
  liaisonCoverage: { points: number };
  /**
   * Points for administrative villages in an active urban–rural pairing (结对共建), and for the deliverables of those
   * pairings delivered. Absent (before 2026): no points.
   */
  pairing?: { coveragePoints: number; deliveredPoints: number };
  /** Sectors ranked by sector across the province; the others count towards their county. */
  rankedBySector: readonly string[];
  /**
   * The seed's village recruitment targets (二(二)3: 3 入党积极分子 a year, a 发展对象 within two years) as the cases of
   * 发展党员 recorded them (`recruitmentTargetsMet`, src/domain/recruitment/targets.ts), weighed for a village. Absent
   * (before 2027): shown on the organization's row, not weighed.
   */
  recruitmentTargets?: { weight: number };
}

/** The sectors whose organizations lead a villagers' (rural) or residents' (community) committee. */
export type ConcurrentHeadSector = 'rural' | 'community';

export interface YearlyReturnRules {
  weights: { activistsTrained: number; reserveCadres: number; fundingFloor: number; memberFunding: number; venue: number; youngCommitteeMember: number };
  /** 每村每年至少培养3名入党积极分子. */
  activistsPerVillage: number;
  /**
   * 保证每村有3至5名后备干部人选 ("ensure each village has 3 to 5 reserve cadres"): read as a floor of 3. The seed
   * states a target to reach, enough successors for a village committee of 3 to 5; it sets no ceiling, and a
   * village with a sixth reserve cadre has more successors than asked, which no inspector counts against it.
   * Fewer than 3 misses the indicator.
   */
  reserveCadresPerVillage: number;
  /** 村办公经费、党组织活动经费每村每年不低于2万元 (yuan per year). */
  villageFunding: number;
  /**
   * 社区工作经费 by households (户): 2000户居民以下 4万, 2000至3000户 5万, 3000户以上 6万 (yuan per year). The first band
   * whose `upToHouseholds` (inclusive; null: no bound) holds the community. The seed's bands share their edges; they
   * are read as Chinese law reads 以上 and 以下, including the number itself (民法典 art. 1259: "民法所称的'以上'、
   * '以下'、'以内'、'届满'，包括本数"): 2,000 households are "2000户以下" (40,000), 3,000 are "3000户以上" (60,000), and
   * the middle band holds 2,001 to 2,999. One reading at both edges: each edge belongs to the band that names it.
   */
  communityFunding: readonly { upToHouseholds: number | null; yuan: number }[];
  /** 党员活动经费每名党员每年不低于50元 (communities; members as orglife holds them, full and probationary). */
  fundingPerMember: number;
  /** 学生党支部活动经费按照学生党员年人均不少于100元 (university branches with student members). */
  fundingPerStudentMember: number;
  /** 每个社区都有不少于300平方米的办公活动场所（中心城区一般不少于200平方米）. */
  venueSqm: number;
  centralDistrictVenueSqm: number;
  /** 社区领导班子成员中至少有1名35岁以下年轻干部. */
  committeeMembersUnder35: number;
  /**
   * Figures the return no longer carries because orglife reads them from its processes (a village's activists from
   * the 发展党员 cases): a return that types one is refused, as a figure of another kind is, and the indicator is
   * left to the process's own column.
   */
  readFromProcesses?: readonly (keyof YearlyReturn)[];
}

/**
 * The rest of the seed's indicators: the yearly return's figures and urban–rural pairing. The weights are
 * [default]: a village's six indicators add up to 100, as the 2021 set's three did.
 */
const provincialPlan2026: AssessmentRules = {
  id: 'provincial-plan-2026',
  effectiveFrom: '2026-01-01',
  weights: { termOnTime: 30, secretaryTrained: 20, noOverdueTasks: 20 },
  yearlyReturn: {
    weights: { activistsTrained: 10, reserveCadres: 10, fundingFloor: 10, memberFunding: 10, venue: 10, youngCommitteeMember: 10 },
    activistsPerVillage: 3,
    reserveCadresPerVillage: 3,
    villageFunding: 20_000,
    communityFunding: [
      { upToHouseholds: 2_000, yuan: 40_000 },
      { upToHouseholds: 2_999, yuan: 50_000 },
      { upToHouseholds: null, yuan: 60_000 },
    ],
    fundingPerMember: 50,
    fundingPerStudentMember: 100,
    venueSqm: 300,
    centralDistrictVenueSqm: 200,
    committeeMembersUnder35: 1,
  },
  countyMeanShare: 0.6,
  concurrentHead: { points: 10, fullAt: 0.8, sectors: ['rural', 'community'] },
  liaisonCoverage: { points: 10 },
  pairing: { coveragePoints: 10, deliveredPoints: 10 },
  rankedBySector: ['soe', 'government', 'university', 'nonpublic', 'social', 'institution'],
};

export const assessmentRuleSets: readonly AssessmentRules[] = [
  {
    id: 'provincial-plan-2021',
    effectiveFrom: '2021-01-01',
    weights: { termOnTime: 40, secretaryTrained: 30, noOverdueTasks: 30 },
    countyMeanShare: 0.7,
    concurrentHead: { points: 15, fullAt: 0.8, sectors: ['rural'] },
    liaisonCoverage: { points: 15 },
    rankedBySector: ['soe', 'government', 'university', 'nonpublic', 'social', 'institution'],
  },
  provincialPlan2026,
  {
    // A village's activists are read from the cases of 发展党员, with the seed's other target beside them (a 发展对象
    // within two years), not typed into its yearly return: a return of 2027 on carries no such figure. The
    // recruitment targets take its 10 points, so a village's indicators still add up to 100.
    ...provincialPlan2026,
    id: 'provincial-plan-2027',
    effectiveFrom: '2027-01-01',
    yearlyReturn: {
      ...provincialPlan2026.yearlyReturn!,
      weights: { ...provincialPlan2026.yearlyReturn!.weights, activistsTrained: 0 },
      readFromProcesses: ['activistsTrained'],
    },
    recruitmentTargets: { weight: 10 },
  },
];

/** The rule set in force on `day`. */
export function assessmentRulesFor(day: IsoDate): AssessmentRules {
  return ruleSetFor(assessmentRuleSets, 'assessment', day);
}

/** The day a year is assessed on: its last day, or today for a run during the year. */
export function assessedOn(year: number, today: IsoDate): IsoDate {
  const end = `${year}-12-31` as IsoDate;
  return today < end ? today : end;
}

// ---- terms on time ----

/**
 * One term election as the assessment reads it: the day it was due (the term's end, or an approved postponement's)
 * and, once its members' meeting elected the committee, the meeting's day as the term election recorded it (the
 * last ballot round's; `heldOnTime` is that run's own judgement of the same). The register's current term, with no
 * meeting recorded for it, is one with `heldOn` null.
 */
export interface TermElectionHeld {
  dueOn: IsoDate;
  heldOn: IsoDate | null;
  heldOnTime?: boolean | null;
}

/**
 * 按期换届 for `year`, assessed on `day` (domain.md §4.6): each term election that was due before `day` and still
 * unrenewed in the year — due in it, or due earlier and its meeting not held before 1 January — must have had its
 * members' meeting by the day it was due. The meeting's day decides, not the day the result was approved: an
 * election held on time whose approval is pending is on time, one held months late and approved by December is
 * not. A term that has not ended (or is within its approved postponement) is on time. The SQL of
 * activities/assessment.ts computes the same.
 */
export function termOnTimeIn(year: number, day: IsoDate, elections: readonly TermElectionHeld[]): boolean {
  const yearStarts = `${year}-01-01`;
  return !elections.some((e) => {
    if (!(e.dueOn < day)) return false;
    const onTime = e.heldOn !== null && (e.heldOnTime ?? e.heldOn <= e.dueOn);
    const renewedBefore = e.heldOn !== null && e.heldOn < yearStarts;
    return !onTime && !renewedBefore;
  });
}

// ---- villages and communities ----

/** A village's or a community's own Party organization (domain.md §2). */
export type Settlement = 'village' | 'community';

/**
 * The tree's level of a village's or community's own organization: province 1 → prefecture 2 → county 3 (as the
 * ranking counts counties) → township or street 4 → village or community 5.
 */
export const SETTLEMENT_LEVEL = 5;

/**
 * Whether the organization is a village's or a community's own Party organization (domain.md §2): the rural or
 * community organization directly under a township or street committee, i.e. at the tree's fifth level (`level`:
 * the root is 1). Decided by the organization's place, not by sector words: a township an import calls 农村 sits at
 * the fourth level and is no village, and its villages stay villages; branches under a village's 总支 or 党委 sit
 * deeper and belong to that village. The sector only tells a village (rural) from a community at that level. The
 * database keeps the same rule as the generated column `organizations.settlement`, which every
 * reader of stored organizations reads; this function is for rows not yet written (the demo's returns).
 */
export function settlementOf(o: { type: string; sector: string; level: number }): Settlement | null {
  if (o.type === 'unit' || o.level !== SETTLEMENT_LEVEL) return null;
  if (o.sector === 'rural') return 'village';
  if (o.sector === 'community') return 'community';
  return null;
}

/** An organization as the counting rules see it: its type, sector, and whether it is a village or community (`organizations.settlement`). */
export interface CountedOrganization {
  type: string;
  sector: string;
  settlement: Settlement | null;
}

// ---- the yearly return 年报 ----

/** Who files which figures: villages, communities, and university branches (for their student members). */
export type ReturnKind = 'village' | 'community' | 'university-branch';

export function returnKindOf(o: CountedOrganization): ReturnKind | null {
  if (o.type === 'unit') return null;
  if (o.settlement) return o.settlement;
  if (o.sector === 'university' && o.type === 'branch') return 'university-branch';
  return null;
}

// ---- rotation training ----

/**
 * Whether the organization's secretary owes rotation training (domain.md §4.3): village and community secretaries
 * (of the village's or community's own organization), SOE and university committee and branch secretaries. Their
 * `secretaryTrained` indicator applies whether or not a cycle is on record: a secretary never enrolled is untrained,
 * and scores no better than one whose cycle ran out. Elsewhere it applies only where a cycle was begun.
 */
export function owesRotationTraining(o: CountedOrganization): boolean {
  if (o.type === 'unit') return false;
  if (o.sector === 'soe' || o.sector === 'university') return true;
  return o.settlement !== null;
}

/**
 * The `secretaryTrained` indicator on `day` from the latest cycle begun by then (null: none on record): completed,
 * or still running, counts as trained in cycle; no cycle counts as untrained where training is owed, and does not
 * apply elsewhere. The SQL of activities/assessment.ts computes the same.
 */
export function secretaryTrainedIndicator(o: CountedOrganization, cycle: { state: string; endsOn: IsoDate } | null, day: IsoDate): boolean | null {
  if (cycle) return cycle.state === 'completed' || (cycle.state === 'open' && cycle.endsOn >= day);
  return owesRotationTraining(o) ? false : null;
}

/** An organization's figures for one year, as filed (yuan, square metres, people). */
export interface YearlyReturn {
  /** 入党积极分子 trained during the year. */
  activistsTrained: number | null;
  /** 后备干部人选 on record. */
  reserveCadres: number | null;
  /** Village: 村办公经费 + 党组织活动经费; community: 社区工作经费. */
  funding: number | null;
  households: number | null;
  /** 党员活动经费 (community) or 学生党支部活动经费 (university branch). */
  memberFunding: number | null;
  studentMembers: number | null;
  venueSqm: number | null;
  /** The community lies in a central district (中心城区), where the smaller venue suffices. */
  centralDistrict: boolean | null;
  committeeMembersUnder35: number | null;
}

/** A return with no figure filed: what a form starts from before the figures an organization's kind asks for. */
export const emptyReturn: YearlyReturn = {
  activistsTrained: null,
  reserveCadres: null,
  funding: null,
  households: null,
  memberFunding: null,
  studentMembers: null,
  venueSqm: null,
  centralDistrict: null,
  committeeMembersUnder35: null,
};

export const yearlyReturnFields = [
  'activistsTrained',
  'reserveCadres',
  'funding',
  'households',
  'memberFunding',
  'studentMembers',
  'venueSqm',
  'centralDistrict',
  'committeeMembersUnder35',
] as const satisfies readonly (keyof YearlyReturn)[];

/** The figures each kind files: all of them are required of it, and no other. */
const returnFieldsOf: Record<ReturnKind, readonly (keyof YearlyReturn)[]> = {
  village: ['activistsTrained', 'reserveCadres', 'funding'],
  community: ['funding', 'households', 'memberFunding', 'venueSqm', 'centralDistrict', 'committeeMembersUnder35'],
  'university-branch': ['studentMembers', 'memberFunding'],
};

/**
 * The rule set that assesses the returns of `year`: the one in force on its last day. A return of a year before the
 * first rule set (a county filing its history) is checked as the first set would check it.
 */
export function returnRulesFor(year: number): AssessmentRules {
  const day = `${year}-12-31` as IsoDate;
  const first = assessmentRuleSets[0]!;
  return day < first.effectiveFrom ? first : assessmentRulesFor(day);
}

/** The figures a `kind` files for a year assessed under `rules`: its kind's, less those read from the processes. */
export function returnFieldsFor(kind: ReturnKind, rules: AssessmentRules): readonly (keyof YearlyReturn)[] {
  const read = rules.yearlyReturn?.readFromProcesses ?? [];
  return returnFieldsOf[kind].filter((f) => !read.includes(f));
}

const kindNames: Record<ReturnKind, string> = { village: 'a village', community: 'a community', 'university-branch': 'a university branch' };

/**
 * What is wrong with a return for an organization of `kind` (null: it files none) for a year assessed under
 * `rules`, field by field: each figure of its kind is required, the figures of other kinds are refused (a village's
 * venue would be stored and never read), and so is a figure the rule set reads from the processes (a typed count
 * beside the cases' own would be a second truth).
 */
export function returnFieldErrors(
  kind: ReturnKind | null,
  ret: Partial<Record<keyof YearlyReturn, unknown>>,
  rules: AssessmentRules,
): { field: keyof YearlyReturn | null; message: string }[] {
  if (!kind) return [{ field: null, message: 'only villages, communities and university branches file a yearly return' }];
  const wanted = returnFieldsFor(kind, rules);
  const read = rules.yearlyReturn?.readFromProcesses ?? [];
  return yearlyReturnFields.flatMap((f) => {
    const given = ret[f] !== null && ret[f] !== undefined;
    if (wanted.includes(f) && !given) return [{ field: f, message: `required of ${kindNames[kind]}` }];
    if (!wanted.includes(f) && given) {
      const why = read.includes(f) && returnFieldsOf[kind].includes(f) ? ` under ${rules.id}: read from its processes` : '';
      return [{ field: f, message: `not filed by ${kindNames[kind]}${why}` }];
    }
    return [];
  });
}

export interface ReturnIndicators {
  activistsTrained: boolean | null;
  reserveCadres: boolean | null;
  fundingFloor: boolean | null;
  memberFunding: boolean | null;
  venue: boolean | null;
  youngCommitteeMember: boolean | null;
}

const none: ReturnIndicators = {
  activistsTrained: null,
  reserveCadres: null,
  fundingFloor: null,
  memberFunding: null,
  venue: null,
  youngCommitteeMember: null,
};

/** The community work funds a community of `households` must have (社区工作经费). */
export function communityFundingFloor(r: YearlyReturnRules, households: number): number {
  return r.communityFunding.find((b) => b.upToHouseholds === null || households <= b.upToHouseholds)!.yuan;
}

/**
 * The yearly return's indicators of an organization (null: does not apply, or the rule set does not assess it).
 * A missing return, or a figure missing from it, misses every indicator that applies: what inspectors do — a
 * figure not reported counts as a floor not met, otherwise not filing would pay. A university branch whose return
 * reports no student members is a staff branch: the student floor does not apply to it.
 */
export function returnIndicators(rules: AssessmentRules, o: CountedOrganization & { members: number }, ret: YearlyReturn | null): ReturnIndicators {
  const r = rules.yearlyReturn;
  const kind = returnKindOf(o);
  if (!r || !kind) return none;
  const atLeast = (x: number | null | undefined, floor: number) => x !== null && x !== undefined && x >= floor;
  if (kind === 'village') {
    return {
      ...none,
      // Not filed under a rule set that reads it from the cases: the indicator does not apply to the return.
      activistsTrained: r.readFromProcesses?.includes('activistsTrained') ? null : atLeast(ret?.activistsTrained, r.activistsPerVillage),
      reserveCadres: atLeast(ret?.reserveCadres, r.reserveCadresPerVillage),
      fundingFloor: atLeast(ret?.funding, r.villageFunding),
    };
  }
  if (kind === 'community') {
    const households = ret?.households ?? null;
    const central = ret?.centralDistrict ?? null;
    return {
      ...none,
      fundingFloor: households !== null && atLeast(ret?.funding, communityFundingFloor(r, households)),
      memberFunding: atLeast(ret?.memberFunding, r.fundingPerMember * o.members),
      venue: central !== null && atLeast(ret?.venueSqm, central ? r.centralDistrictVenueSqm : r.venueSqm),
      youngCommitteeMember: atLeast(ret?.committeeMembersUnder35, r.committeeMembersUnder35),
    };
  }
  if (ret && ret.studentMembers === 0) return none;
  const students = ret?.studentMembers ?? null;
  return { ...none, memberFunding: students !== null && atLeast(ret?.memberFunding, r.fundingPerStudentMember * students) };
}

/**
 * Every weighed indicator of an organization's own score, by the name its row carries; 0 where the rule set shows
 * the indicator without weighing it. The SQL of activities/assessment.ts sums the same.
 */
export function indicatorWeights(rules: AssessmentRules): Record<IndicatorName, number> {
  return {
    ...rules.weights,
    activistsTrained: 0,
    reserveCadres: 0,
    fundingFloor: 0,
    memberFunding: 0,
    venue: 0,
    youngCommitteeMember: 0,
    ...rules.yearlyReturn?.weights,
    recruitmentTargets: rules.recruitmentTargets?.weight ?? 0,
  };
}

export type IndicatorName = keyof AssessmentRules['weights'] | keyof YearlyReturnRules['weights'] | 'recruitmentTargets';

/**
 * An organization's score: the weighted share of its indicators met, over the indicators that apply (null ones
 * drop out), to one decimal. The SQL of activities/assessment.ts computes the same over the whole province.
 */
export function organizationScore(
  rules: AssessmentRules,
  i: { termOnTime: boolean; secretaryTrained: boolean | null; noOverdueTasks: boolean; recruitmentTargets?: boolean | null } & Partial<ReturnIndicators>,
): number {
  const w = indicatorWeights(rules);
  let met = 0;
  let total = 0;
  for (const [k, weight] of Object.entries(w)) {
    const x = (i as Record<string, boolean | null | undefined>)[k];
    if (x === null || x === undefined) continue;
    total += weight;
    if (x) met += weight;
  }
  return Math.round((1000 * met) / total) / 10;
}

// ---- 一肩挑 ----

/**
 * Whether an organization's secretary also heads the villagers' or residents' committee (一肩挑), as the drill-down
 * shows it: null where the rule set does not count it (not a village, nor from 2026 a community). It is not weighed
 * in the organization's own score: the seed's target is a rate (≥80 %), which a county meets or misses
 * (`countyScore`); a single village whose committee head is another cadre has broken no rule.
 */
export function concurrentHeadIndicator(rules: AssessmentRules, o: CountedOrganization & { concurrentHead: boolean }): boolean | null {
  // Only the village's or community's own organization: a branch under a village's 总支 is not a village.
  if (o.settlement === null || !(rules.concurrentHead.sectors as readonly string[]).includes(o.sector)) return null;
  return o.concurrentHead;
}

/** A rule set by its id, as an assessment run names it (the ranking page reads what the run counted). */
export function assessmentRuleSet(id: string): AssessmentRules | undefined {
  return assessmentRuleSets.find((r) => r.id === id);
}

// ---- counties ----

export interface CountyRates {
  meanScore: number | null;
  /** 一肩挑 among the county's organizations of `concurrentHead.sectors`. */
  concurrentHeadRate: number | null;
  liaisonCoverage: number | null;
  /** Administrative villages in an active pairing, among the county's villages. */
  pairingCoverage: number | null;
  /** Deliverables of those pairings delivered, among those due by the day assessed or delivered already. */
  deliveredRate: number | null;
}

/**
 * A county's score from its rates (each 0..1, null when nothing to count: full marks, nothing was missed).
 * Kept here, not only in SQL, so that the rule can be read and tested on its own; the SQL mirrors it.
 */
export function countyScore(r: AssessmentRules, rates: CountyRates): number {
  const mean = (rates.meanScore ?? 100) * r.countyMeanShare;
  const head = r.concurrentHead.points * Math.min(1, (rates.concurrentHeadRate ?? 1) / r.concurrentHead.fullAt);
  const liaison = r.liaisonCoverage.points * (rates.liaisonCoverage ?? 1);
  const pairing = r.pairing ? r.pairing.coveragePoints * (rates.pairingCoverage ?? 1) + r.pairing.deliveredPoints * (rates.deliveredRate ?? 1) : 0;
  return Math.round((mean + head + liaison + pairing) * 10) / 10;
}
