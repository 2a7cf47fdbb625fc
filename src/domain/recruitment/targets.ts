// The seed's recruitment targets (二(二)3: every village trains at least 3 入党积极分子 a year and develops 1–2 发展对象
// within two years) and the yearly plan (发展党员计划) allocated down the tree. The figures are read from the cases of
// 发展党员 (the day each applicant became an activist, a 发展对象, a 预备党员), never typed; the numbers here are a
// versioned rule set, as every rule's.
import type { IsoDate } from '../dates.js';
import { ruleSetFor } from '../rules.js';

export interface RecruitmentTargetRules {
  id: string;
  effectiveFrom: IsoDate;
  /** Activists made (确定为入党积极分子) in the calendar year, per village: 每村每年至少培养3名. */
  activistsPerYear: number;
  /** 发展对象 made within the window, per village: 两年内发展1–2名; at least the lower figure meets it. */
  candidatesInWindow: number;
  /** The window of that target: this calendar year and the one before. */
  candidateWindowYears: number;
  /** A village that admitted no 预备党员 for this many years is shown as one that "recruited no one for years". */
  quietYears: number;
}

export const recruitmentTargetRuleSets: readonly RecruitmentTargetRules[] = [
  { id: 'seed-2026', effectiveFrom: '2026-01-01', activistsPerYear: 3, candidatesInWindow: 1, candidateWindowYears: 2, quietYears: 3 },
];

export function recruitmentTargetsFor(day: IsoDate): RecruitmentTargetRules {
  // Before the seed set the targets, the first set is read as in force: the figures are the same.
  return ruleSetFor(
    recruitmentTargetRuleSets,
    'recruitment target',
    day < recruitmentTargetRuleSets[0]!.effectiveFrom ? recruitmentTargetRuleSets[0]!.effectiveFrom : day,
  );
}

/** The first day of the window in which 发展对象 count for `year`. */
export const candidateWindowStart = (r: RecruitmentTargetRules, year: number): IsoDate => `${year - r.candidateWindowYears + 1}-01-01`;

/** A village's figures as the cases give them. */
export interface VillageRecruitment {
  activists: number;
  candidates: number;
}

/** Both of the seed's targets met. */
export const recruitmentTargetsMet = (r: RecruitmentTargetRules, v: VillageRecruitment): boolean =>
  v.activists >= r.activistsPerYear && v.candidates >= r.candidatesInWindow;
