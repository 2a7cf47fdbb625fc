import { describe, expect, it } from 'vitest';
import {
  assessedOn,
  assessmentRuleSets,
  assessmentRulesFor,
  communityFundingFloor,
  concurrentHeadIndicator,
  countyScore,
  indicatorWeights,
  organizationScore,
  returnFieldErrors,
  returnFieldsFor,
  returnRulesFor,
  returnIndicators,
  emptyReturn,
  returnKindOf,
  owesRotationTraining,
  secretaryTrainedIndicator,
  settlementOf,
  termOnTimeIn,
  type YearlyReturn,
} from '../../src/domain/assessment.js';

// Each directly under its township or street committee (the tree's fifth level), or its university's committee.
const village = { type: 'branch', sector: 'rural', settlement: 'village', members: 32 } as const;
const community = { type: 'branch', sector: 'community', settlement: 'community', members: 32 } as const;
const studentBranch = { type: 'branch', sector: 'university', settlement: null, members: 12 };
const township = { type: 'committee', sector: 'regional', settlement: null };
const goodVillage: YearlyReturn = { ...emptyReturn, activistsTrained: 3, reserveCadres: 3, funding: 20_000 };
const goodCommunity: YearlyReturn = {
  ...emptyReturn,
  funding: 40_000,
  households: 1_500,
  memberFunding: 1_600,
  venueSqm: 300,
  centralDistrict: false,
  committeeMembersUnder35: 1,
};

describe('yearly assessment rules (domain.md §4.6)', () => {
  const rules2021 = assessmentRulesFor('2025-12-31');
  const rules = assessmentRulesFor('2026-12-31');

  it('assesses a year on its last day, or on today during the year', () => {
    expect(assessedOn(2026, '2026-11-25')).toBe('2026-11-25');
    expect(assessedOn(2025, '2026-11-25')).toBe('2025-12-31');
    expect(() => assessmentRulesFor('2019-06-30')).toThrow(/no assessment rule set/);
  });

  it('keeps the 2021 rule set for the years before 2026, and the 2026 set from its first day', () => {
    expect(rules2021.id).toBe('provincial-plan-2021');
    expect(assessmentRulesFor('2026-01-01').id).toBe('provincial-plan-2026');
    expect(rules2021.yearlyReturn).toBeUndefined();
    expect(rules2021.pairing).toBeUndefined();
    // The past entry as it was: past years re-run give the scores they gave.
    expect(assessmentRuleSets[0]).toMatchObject({
      weights: { termOnTime: 40, secretaryTrained: 30, noOverdueTasks: 30 },
      countyMeanShare: 0.7,
      concurrentHead: { points: 15, fullAt: 0.8, sectors: ['rural'] },
      liaisonCoverage: { points: 15 },
    });
    expect(returnIndicators(rules2021, village, null)).toEqual({
      activistsTrained: null,
      reserveCadres: null,
      fundingFloor: null,
      memberFunding: null,
      venue: null,
      youngCommitteeMember: null,
    });
  });

  it('gives a county full marks only with every organization perfect, ≥80 % 一肩挑 and every unit covered (2021)', () => {
    const none = { pairingCoverage: null, deliveredRate: null };
    expect(countyScore(rules2021, { meanScore: 100, concurrentHeadRate: 0.8, liaisonCoverage: 1, ...none })).toBe(100);
    expect(countyScore(rules2021, { meanScore: 100, concurrentHeadRate: 1, liaisonCoverage: 1, ...none })).toBe(100); // capped at the threshold
    expect(countyScore(rules2021, { meanScore: 100, concurrentHeadRate: 0.4, liaisonCoverage: 1, ...none })).toBe(92.5); // half of 15 points
    expect(countyScore(rules2021, { meanScore: 50, concurrentHeadRate: 0.8, liaisonCoverage: 0, ...none })).toBe(50); // 35 + 15 + 0
    // Pairing earns nothing under the 2021 set, whatever its rates.
    expect(countyScore(rules2021, { meanScore: 100, concurrentHeadRate: 0.8, liaisonCoverage: 1, pairingCoverage: 0, deliveredRate: 0 })).toBe(100);
    // Nothing to count (no villages, no units) misses nothing.
    expect(countyScore(rules2021, { meanScore: null, concurrentHeadRate: null, liaisonCoverage: null, ...none })).toBe(100);
  });

  it('scores pairing coverage and deliverables delivered for a county from 2026', () => {
    const full = { meanScore: 100, concurrentHeadRate: 0.8, liaisonCoverage: 1, pairingCoverage: 1, deliveredRate: 1 };
    expect(countyScore(rules, full)).toBe(100);
    expect(countyScore(rules, { ...full, pairingCoverage: 0.5 })).toBe(95); // half of 10 points
    expect(countyScore(rules, { ...full, deliveredRate: 0 })).toBe(90);
    expect(countyScore(rules, { ...full, pairingCoverage: 0, deliveredRate: null })).toBe(90); // nothing due misses nothing
    expect(countyScore(rules, { ...full, meanScore: 50 })).toBe(70); // 30 + 10 + 10 + 10 + 10
  });

  it('tells who files a return: villages, communities, university branches', () => {
    expect(returnKindOf({ type: 'general_branch', sector: 'rural', settlement: 'village' })).toBe('village');
    expect(returnKindOf({ type: 'branch', sector: 'community', settlement: 'community' })).toBe('community');
    expect(returnKindOf({ type: 'branch', sector: 'university', settlement: null })).toBe('university-branch');
    expect(returnKindOf({ type: 'committee', sector: 'university', settlement: null })).toBeNull();
    expect(returnKindOf(township)).toBeNull();
    expect(returnKindOf({ type: 'unit', sector: 'rural', settlement: null })).toBeNull();
  });

  it('requires ≥3 activists trained per village per year', () => {
    expect(returnIndicators(rules, village, goodVillage).activistsTrained).toBe(true);
    expect(returnIndicators(rules, village, { ...goodVillage, activistsTrained: 2 }).activistsTrained).toBe(false);
    expect(returnIndicators(rules, community, goodCommunity).activistsTrained).toBeNull();
  });

  it('requires at least 3 reserve cadres per village: the seed\'s "3 to 5" is a target, more is not a failure', () => {
    const cadres = (reserveCadres: number) => returnIndicators(rules, village, { ...goodVillage, reserveCadres }).reserveCadres;
    expect(cadres(3)).toBe(true);
    expect(cadres(5)).toBe(true);
    expect(cadres(6)).toBe(true);
    expect(cadres(12)).toBe(true);
    expect(cadres(2)).toBe(false);
    expect(cadres(0)).toBe(false);
    expect(returnIndicators(rules, community, goodCommunity).reserveCadres).toBeNull();
  });

  it('counts 一肩挑 for villages, and from 2026 for communities too; for nothing else', () => {
    expect(rules2021.concurrentHead.sectors).toEqual(['rural']);
    expect(rules.concurrentHead.sectors).toEqual(['rural', 'community']);
    const head = (r: typeof rules, o: { type: string; sector: string; settlement: 'village' | 'community' | null }, concurrentHead: boolean) =>
      concurrentHeadIndicator(r, { ...o, concurrentHead });
    expect(head(rules, village, true)).toBe(true);
    expect(head(rules, village, false)).toBe(false);
    expect(head(rules, community, true)).toBe(true);
    expect(head(rules, community, false)).toBe(false);
    // The 2021 set as it was: a community's secretary was not counted.
    expect(head(rules2021, village, false)).toBe(false);
    expect(head(rules2021, community, true)).toBeNull();
    expect(head(rules, studentBranch, true)).toBeNull();
    expect(head(rules, township, true)).toBeNull();
    expect(head(rules, { type: 'unit', sector: 'rural', settlement: null }, true)).toBeNull();
    // Shown, not weighed: an organization's score does not move with it.
    const base = { termOnTime: true, secretaryTrained: null, noOverdueTasks: true, ...returnIndicators(rules, village, goodVillage) };
    const withoutHead = { ...base, concurrentHead: false };
    expect(organizationScore(rules, withoutHead)).toBe(organizationScore(rules, base));
  });

  it('requires a village ≥20,000 yuan a year', () => {
    expect(returnIndicators(rules, village, goodVillage).fundingFloor).toBe(true);
    expect(returnIndicators(rules, village, { ...goodVillage, funding: 19_999 }).fundingFloor).toBe(false);
  });

  it('requires a community 40,000 / 50,000 / 60,000 yuan by households (2,000 and below; 2,001 to 2,999; 3,000 and above)', () => {
    const r = rules.yearlyReturn!;
    expect(communityFundingFloor(r, 1_999)).toBe(40_000);
    // Both shared edges read the same way, as 民法典 art. 1259 reads 以下 and 以上: the number itself included.
    expect(communityFundingFloor(r, 2_000)).toBe(40_000);
    expect(communityFundingFloor(r, 2_001)).toBe(50_000);
    expect(communityFundingFloor(r, 2_999)).toBe(50_000);
    expect(communityFundingFloor(r, 3_000)).toBe(60_000);
    expect(communityFundingFloor(r, 3_001)).toBe(60_000);
    const funded = (households: number, funding: number) => returnIndicators(rules, community, { ...goodCommunity, households, funding }).fundingFloor;
    expect(funded(1_999, 40_000)).toBe(true);
    expect(funded(2_000, 40_000)).toBe(true);
    expect(funded(2_001, 49_999)).toBe(false);
    expect(funded(2_999, 50_000)).toBe(true);
    expect(funded(3_000, 59_999)).toBe(false);
    expect(funded(3_001, 60_000)).toBe(true);
  });

  it('requires 50 yuan per member of a community, and 100 yuan per student member of a university branch', () => {
    expect(returnIndicators(rules, community, { ...goodCommunity, memberFunding: 1_600 }).memberFunding).toBe(true); // 32 × 50
    expect(returnIndicators(rules, community, { ...goodCommunity, memberFunding: 1_599 }).memberFunding).toBe(false);
    const students = (studentMembers: number, memberFunding: number) =>
      returnIndicators(rules, studentBranch, { ...emptyReturn, studentMembers, memberFunding }).memberFunding;
    expect(students(10, 1_000)).toBe(true);
    expect(students(10, 999)).toBe(false);
    expect(students(0, 0)).toBeNull(); // a staff branch: the student floor does not apply
    expect(returnIndicators(rules, village, goodVillage).memberFunding).toBeNull();
  });

  it('requires a community venue of ≥300 m², ≥200 m² in a central district', () => {
    const venue = (venueSqm: number, centralDistrict: boolean) => returnIndicators(rules, community, { ...goodCommunity, venueSqm, centralDistrict }).venue;
    expect(venue(300, false)).toBe(true);
    expect(venue(299.9, false)).toBe(false);
    expect(venue(200, true)).toBe(true);
    expect(venue(199.9, true)).toBe(false);
  });

  it('requires ≥1 member under 35 on each community committee', () => {
    expect(returnIndicators(rules, community, goodCommunity).youngCommitteeMember).toBe(true);
    expect(returnIndicators(rules, community, { ...goodCommunity, committeeMembersUnder35: 0 }).youngCommitteeMember).toBe(false);
  });

  it('scores a missing return zero on every indicator that applies, and nothing on those that do not', () => {
    expect(returnIndicators(rules, village, null)).toEqual({
      activistsTrained: false,
      reserveCadres: false,
      fundingFloor: false,
      memberFunding: null,
      venue: null,
      youngCommitteeMember: null,
    });
    expect(returnIndicators(rules, community, null)).toEqual({
      activistsTrained: null,
      reserveCadres: null,
      fundingFloor: false,
      memberFunding: false,
      venue: false,
      youngCommitteeMember: false,
    });
    expect(returnIndicators(rules, studentBranch, null).memberFunding).toBe(false);
    expect(returnIndicators(rules, { ...township, members: 50 }, null).fundingFloor).toBeNull();
  });

  it("weighs an organization's indicators that apply, the others drop out", () => {
    const base = { termOnTime: true, secretaryTrained: null, noOverdueTasks: true };
    expect(organizationScore(rules, { ...base, ...returnIndicators(rules, village, goodVillage) })).toBe(100);
    // 30 + 20 of 30 + 20 + 10 + 10 + 10.
    expect(organizationScore(rules, { ...base, ...returnIndicators(rules, village, null) })).toBe(62.5);
    // 2021: 30 of 40 + 30, as before.
    expect(organizationScore(rules2021, { ...base, termOnTime: false, ...returnIndicators(rules2021, village, null) })).toBe(42.9);
    // Before 2027 the recruitment targets are shown on the row, not weighed.
    expect(organizationScore(rules, { ...base, ...returnIndicators(rules, village, goodVillage), recruitmentTargets: false })).toBe(100);
  });

  it("weighs a village's recruitment targets from the cases from 2027, not the activists its return types", () => {
    const rules2027 = assessmentRulesFor('2027-01-01');
    expect(rules2027.id).toBe('provincial-plan-2027');
    expect(assessmentRulesFor('2026-12-31').recruitmentTargets).toBeUndefined();
    const base = { termOnTime: true, secretaryTrained: true, noOverdueTasks: true };
    // Three activists typed in a return of 2026, none made in the cases: the typed figure counts then; from 2027 a
    // return types none (the indicator does not apply) and the cases' targets, missed, cost their 10 points.
    expect(organizationScore(rules, { ...base, ...returnIndicators(rules, village, goodVillage), recruitmentTargets: false })).toBe(100);
    const return2027 = { ...goodVillage, activistsTrained: null };
    expect(organizationScore(rules2027, { ...base, ...returnIndicators(rules2027, village, return2027), recruitmentTargets: false })).toBe(90);
    // The cases met both targets: full marks from 2027; in 2026 a return that typed no activists is 10 points short.
    expect(organizationScore(rules2027, { ...base, ...returnIndicators(rules2027, village, return2027), recruitmentTargets: true })).toBe(100);
    expect(organizationScore(rules, { ...base, ...returnIndicators(rules, village, { ...goodVillage, activistsTrained: 0 }), recruitmentTargets: true })).toBe(
      90,
    );
    // A village's indicators still add up to 100, and a community has no recruitment targets (null): unchanged.
    const weights = indicatorWeights(rules2027);
    expect(
      weights.termOnTime + weights.secretaryTrained + weights.noOverdueTasks + weights.reserveCadres + weights.fundingFloor + weights.recruitmentTargets,
    ).toBe(100);
    const community2027 = { ...base, ...returnIndicators(rules2027, community, goodCommunity), recruitmentTargets: null };
    expect(organizationScore(rules2027, community2027)).toBe(organizationScore(rules, community2027));
  });

  it('checks a return field by field: the figures of the kind required, the others refused', () => {
    expect(returnFieldErrors('village', goodVillage, rules)).toEqual([]);
    expect(returnFieldErrors('village', { ...goodVillage, funding: null, venueSqm: 300 }, rules)).toEqual([
      { field: 'funding', message: 'required of a village' },
      { field: 'venueSqm', message: 'not filed by a village' },
    ]);
    expect(returnFieldErrors('community', goodCommunity, rules)).toEqual([]);
    expect(returnFieldErrors('university-branch', { studentMembers: 0, memberFunding: 0 }, rules)).toEqual([]);
    expect(returnFieldErrors(null, {}, rules)).toHaveLength(1);
  });

  it("takes a village's activists from the 发展党员 cases from 2027: a return of 2027 types none, and one that does is refused", () => {
    expect(returnRulesFor(2026).id).toBe('provincial-plan-2026');
    // A year before any rule set is checked as the first checks it (a county filing its history): no error.
    expect(returnRulesFor(2001).id).toBe('provincial-plan-2021');
    expect(returnFieldErrors('village', goodVillage, returnRulesFor(2001))).toEqual([]);
    const rules2027 = returnRulesFor(2027);
    expect(rules2027.id).toBe('provincial-plan-2027');
    expect(returnFieldsFor('village', rules)).toContain('activistsTrained');
    expect(returnFieldsFor('village', rules2027)).toEqual(['reserveCadres', 'funding']);
    const without: YearlyReturn = { ...goodVillage, activistsTrained: null };
    expect(returnFieldErrors('village', without, rules2027)).toEqual([]);
    expect(returnFieldErrors('village', goodVillage, rules2027)).toEqual([
      { field: 'activistsTrained', message: 'not filed by a village under provincial-plan-2027: read from its processes' },
    ]);
    // Before 2027 the figure is still required of a village.
    expect(returnFieldErrors('village', without, rules)).toEqual([{ field: 'activistsTrained', message: 'required of a village' }]);
    // The indicator does not apply to a 2027 return (the recruitment targets carry it); a community's are unchanged.
    expect(returnIndicators(rules2027, village, without).activistsTrained).toBeNull();
    expect(returnIndicators(rules, village, without).activistsTrained).toBe(false);
    expect(returnFieldsFor('community', rules2027)).toEqual(returnFieldsFor('community', rules));
  });

  it('counts a village or community once: its own organization under the township, not the branches of its 总支 (domain.md §2)', () => {
    // Levels: province 1, prefecture 2, county 3, township or street 4, village or community 5.
    const generalBranch = { type: 'general_branch', sector: 'rural', settlement: settlementOf({ type: 'general_branch', sector: 'rural', level: 5 }) };
    const branchOfIt = { type: 'branch', sector: 'rural', settlement: settlementOf({ type: 'branch', sector: 'rural', level: 6 }) };
    const communityCommittee = { type: 'committee', sector: 'community', level: 5 };
    const branchOfCommunity = { type: 'branch', sector: 'community', settlement: settlementOf({ type: 'branch', sector: 'community', level: 6 }) };
    expect(generalBranch.settlement).toBe('village');
    expect(branchOfIt.settlement).toBeNull();
    expect(settlementOf(communityCommittee)).toBe('community');
    expect(branchOfCommunity.settlement).toBeNull();
    // One yearly return per village: its 总支's, not one more per branch.
    expect(returnKindOf(generalBranch)).toBe('village');
    expect(returnKindOf(branchOfIt)).toBeNull();
    expect(returnKindOf(branchOfCommunity)).toBeNull();
    expect(returnIndicators(rules, { ...branchOfIt, members: 10 }, null)).toEqual(returnIndicators(rules, { ...township, members: 10 }, null));
    // 一肩挑 is the village's: its branches' secretaries head no villagers' committee.
    expect(concurrentHeadIndicator(rules, { ...generalBranch, concurrentHead: true })).toBe(true);
    expect(concurrentHeadIndicator(rules, { ...branchOfIt, concurrentHead: false })).toBeNull();
    expect(concurrentHeadIndicator(rules, { ...branchOfCommunity, concurrentHead: false })).toBeNull();
  });

  it('decides a village or community by its place in the tree, whatever sector words an import uses (domain.md §2)', () => {
    // A township imported with the sector 农村 (rural) sits at the fourth level, under its county: no village.
    expect(settlementOf({ type: 'committee', sector: 'rural', level: 4 })).toBeNull();
    // A street committee called 社区: no community either.
    expect(settlementOf({ type: 'committee', sector: 'community', level: 4 })).toBeNull();
    // The villages under that township are villages, though their parent carries the same sector word.
    expect(settlementOf({ type: 'branch', sector: 'rural', level: 5 })).toBe('village');
    expect(settlementOf({ type: 'committee', sector: 'community', level: 5 })).toBe('community');
    // A township's own organ branch is not a village; nor is a unit without a Party organization.
    expect(settlementOf({ type: 'branch', sector: 'government', level: 5 })).toBeNull();
    expect(settlementOf({ type: 'unit', sector: 'rural', level: 5 })).toBeNull();
  });

  it('scores a secretary who owes rotation training and was never enrolled as untrained, not as not applicable', () => {
    const day = '2026-11-30';
    const cycle = (state: string, endsOn: string) => ({ state, endsOn });
    // A village secretary: no cycle on record is untrained, as is a cycle that ran out.
    expect(secretaryTrainedIndicator(village, null, day)).toBe(false);
    expect(secretaryTrainedIndicator(village, cycle('open', '2026-10-31'), day)).toBe(false);
    expect(secretaryTrainedIndicator(village, cycle('open', '2027-10-31'), day)).toBe(true);
    expect(secretaryTrainedIndicator(village, cycle('completed', '2026-10-31'), day)).toBe(true);
    // Community, SOE and university secretaries owe it too (domain.md §4.3); a township committee's does not.
    expect(owesRotationTraining(community)).toBe(true);
    expect(owesRotationTraining(studentBranch)).toBe(true);
    expect(owesRotationTraining({ type: 'committee', sector: 'soe', settlement: null })).toBe(true);
    expect(owesRotationTraining(township)).toBe(false);
    expect(owesRotationTraining({ type: 'branch', sector: 'rural', settlement: null })).toBe(false);
    expect(secretaryTrainedIndicator(township, null, day)).toBeNull();
    expect(secretaryTrainedIndicator(township, cycle('completed', '2026-10-31'), day)).toBe(true);
    // Never enrolled no longer scores better than enrolled and untrained.
    const score = (trained: boolean | null) =>
      organizationScore(rules, { termOnTime: true, secretaryTrained: trained, noOverdueTasks: true, ...returnIndicators(rules, village, goodVillage) });
    expect(score(secretaryTrainedIndicator(village, null, day))).toBe(score(secretaryTrainedIndicator(village, cycle('open', '2026-10-31'), day)));
    expect(score(secretaryTrainedIndicator(village, null, day))).toBe(80);
  });
});

describe('按期换届 by the meeting the term election recorded, not the register on the day (domain.md §4.6)', () => {
  const day = '2026-12-31';
  it('an election held by its due day is on time though its approval is pending; one held late is late though approved', () => {
    // The register still shows the term that ended in March; its meeting was held in February.
    expect(termOnTimeIn(2026, day, [{ dueOn: '2026-03-01', heldOn: '2026-02-20', heldOnTime: true }])).toBe(true);
    // Ten months late, approved by December: the register shows the new term, the meeting's line says late.
    expect(termOnTimeIn(2026, day, [{ dueOn: '2026-02-01', heldOn: '2026-12-01', heldOnTime: false }])).toBe(false);
    // Due last year, still unrenewed when this year began, held this year: late this year too.
    expect(termOnTimeIn(2026, day, [{ dueOn: '2025-11-01', heldOn: '2026-03-01', heldOnTime: false }])).toBe(false);
    // Held late, but last year: that year's finding, not this one's.
    expect(termOnTimeIn(2026, day, [{ dueOn: '2025-06-01', heldOn: '2025-10-01', heldOnTime: false }])).toBe(true);
  });
  it('a term past its due day with no meeting is late; one not yet due, or within an approved postponement, is not', () => {
    expect(termOnTimeIn(2026, day, [{ dueOn: '2026-05-01', heldOn: null }])).toBe(false);
    expect(termOnTimeIn(2026, day, [{ dueOn: '2021-05-01', heldOn: null }])).toBe(false);
    expect(termOnTimeIn(2026, day, [{ dueOn: '2027-02-01', heldOn: null }])).toBe(true);
    // Assessed during the year: a term due on the day itself may still be renewed that day.
    expect(termOnTimeIn(2026, '2026-06-30', [{ dueOn: '2026-06-30', heldOn: null }])).toBe(true);
    expect(termOnTimeIn(2026, day, [])).toBe(true);
  });
});
