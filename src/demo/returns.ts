// This year's yearly returns (年报) of the demo province's villages and communities, so that the ranking shows the
// indicators scored from them: most organizations meet the seed's floors, some miss one, a few filed nothing.
import { communityFundingFloor, emptyReturn, returnKindOf, settlementOf, type YearlyReturn, type YearlyReturnRules } from '../domain/assessment.js';
import { prng, type OrganizationRow } from './province.js';

export function* demoReturns(rows: Iterable<OrganizationRow>, r: YearlyReturnRules, seed = 7): Generator<{ code: string; figures: YearlyReturn }> {
  const rnd = prng(seed);
  // Meets a floor nine times in ten; otherwise falls short of it by up to a fifth.
  const around = (floor: number) => Math.max(0, Math.round(rnd() < 0.9 ? floor * (1 + rnd() * 0.5) : floor * (0.8 + rnd() * 0.19)));
  // Parents come before their children in the rows: each row's level in the tree is its parent's and one more
  // (a branch under a village's 总支 sits below the village and files no return of its own).
  const levelOf = new Map<string, number>();
  for (const o of rows) {
    const level = (levelOf.get(o.parent_code) ?? 0) + 1;
    levelOf.set(o.code, level);
    const kind = returnKindOf({ ...o, settlement: settlementOf({ ...o, level }) });
    if (!kind || rnd() < 0.08) continue; // a few have not filed yet
    if (kind === 'village') {
      // Drawn either way, so that the other figures do not change with the year; typed only where the rule set does
      // not read the activists from the 发展党员 cases.
      const activists = rnd() < 0.85 ? r.activistsPerVillage + Math.floor(rnd() * 3) : Math.floor(rnd() * r.activistsPerVillage);
      yield {
        code: o.code,
        figures: {
          ...emptyReturn,
          activistsTrained: r.readFromProcesses?.includes('activistsTrained') ? null : activists,
          reserveCadres: rnd() < 0.85 ? r.reserveCadresPerVillage + Math.floor(rnd() * 3) : Math.floor(rnd() * r.reserveCadresPerVillage),
          funding: around(r.villageFunding),
        },
      };
    } else if (kind === 'community') {
      const households = 1_200 + Math.floor(rnd() * 2_600);
      const centralDistrict = rnd() < 0.4;
      yield {
        code: o.code,
        figures: {
          ...emptyReturn,
          households,
          funding: around(communityFundingFloor(r, households)),
          memberFunding: around(r.fundingPerMember * (o.full_members + o.probationary_members)),
          venueSqm: Math.round(around(centralDistrict ? r.centralDistrictVenueSqm : r.venueSqm)),
          centralDistrict,
          committeeMembersUnder35: rnd() < 0.85 ? 1 + Math.floor(rnd() * 2) : 0,
        },
      };
    } else {
      const studentMembers = Math.floor(rnd() * 30);
      yield { code: o.code, figures: { ...emptyReturn, studentMembers, memberFunding: around(r.fundingPerStudentMember * studentMembers) } };
    }
  }
}
