import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { checkReview } from '../../src/domain/pairing.js';
import { liaisonRulesFor, pairingRulesFor, termRulesFor, twoRecommendationsRulesFor } from '../../src/domain/rules.js';
import type { StepHistory } from '../../src/domain/step-context.js';
import {
  deliverableOutcome,
  firstSecretaryOutcome,
  formFor,
  formToOutcome,
  pairingReviewOutcome,
  preliminaryCandidatesOutcome,
  recommendationOutcome,
  ruleField,
  selectionBallotOutcome,
  selectionPlanOutcome,
  selectionSecretaryOutcome,
  townshipApprovalOutcome,
  validateOutcome,
} from '../../src/domain/step-outcomes.js';
import {
  ballotOutcome,
  candidatesOutcome,
  checkBallot,
  checkCandidates,
  checkPostponement,
  checkSecretary,
  electionReplyOutcome,
  electionRequestOutcome,
  reviewOutcome,
  secretaryOutcome,
} from '../../src/domain/term-election.js';
import { checkPreliminaryCandidates, checkRecommendationRound, checkSelectionBallot, weightedRanking } from '../../src/domain/two-recommendations.js';
import { outcomeRule } from '../../workflows/process-control.js';
import { assignOfficerOutcome, checkEstablishThreshold, foundingMeetingOutcome, visitReportOutcome } from '../../src/domain/liaison-dispatch.js';
import { attendanceOutcome, checkAttendance } from '../../src/domain/rotation-training.js';

// Every step a workflow opens a task for has a form on the task page, and the form refuses what the workflow's
// Update validator refuses: the same schema and the same domain check, fed from the process history.

const workflowsDir = fileURLToPath(new URL('../../workflows/', import.meta.url));

/** [process kind, step] of every task the workflows open, read from their source (`step: '…'`). */
function stepsOpened(): [string, string][] {
  const out: [string, string][] = [];
  for (const file of readdirSync(workflowsDir).filter((f) => f.endsWith('.ts'))) {
    const src = readFileSync(join(workflowsDir, file), 'utf8');
    const kind = /export const KIND = '([^']+)'/.exec(src)?.[1];
    const steps = [...src.matchAll(/\bstep: '([a-z0-9-]+)'/g)].map((m) => m[1]!);
    if (steps.length && !kind) throw new Error(`${file} opens tasks but names no KIND`);
    for (const s of new Set(steps)) out.push([kind!, s]);
  }
  return out;
}

describe('every task step has a form', () => {
  const opened = stepsOpened();

  it('finds the steps of all five processes', () => {
    expect(new Set(opened.map(([k]) => k))).toEqual(new Set(['term-election', 'two-recommendations-one-election', 'rotation-training', 'liaison-dispatch', 'pairing']));
    expect(opened).toContainEqual(['two-recommendations-one-election', 'members-recommendation']);
    expect(opened).toContainEqual(['liaison-dispatch', 'training']);
  });

  it('has a form for each of them', () => {
    const missing = opened.filter(([k, s]) => !formFor(k, s)).map(([k, s]) => `${k}:${s}`);
    expect(missing).toEqual([]);
  });

  it('tells a liaison officer’s training from a secretary’s rotation training', () => {
    expect(formFor('rotation-training', 'training')!.fields.map((f) => f.name)).toEqual(['session', 'attended']);
    expect(formFor('liaison-dispatch', 'training')!.fields.map((f) => f.name)).toEqual(['note']);
  });
});

// ---- samples: the workflow's validator (schema + domain check, as the workflow calls them) and the history the form reads ----

const twoRec = twoRecommendationsRulesFor('2025-01-01', 'two-rec-2018');
const term = termRulesFor('2025-01-01', 'national-2018');
const liaison = liaisonRulesFor('2025-01-01');
const members = { entitled: 30, present: 28, votes: { 张三: 20, 李四: 18, 王五: 15, 赵六: 2 } };
const villagers = { entitled: 40, present: 30, votes: { 张三: 22, 李四: 20, 王五: 15, 赵六: 1 } };
const seats = 2;
const ranking = weightedRanking(members, villagers, twoRec);
const slate = ['张三', '李四', '王五'];
const twoRecHistory: StepHistory = [
  { event: 'registered', detail: { ruleSet: twoRec.id } },
  { event: 'plan-published', detail: { post: 'secretary', seats, villagerBasis: 'representatives' } },
  { event: 'villagers-recommended', detail: { ranking } },
  { event: 'candidates-fixed', detail: { candidates: slate } },
];
const twoRecElected: StepHistory = [...twoRecHistory, { event: 'selection-election-counted', detail: { committee: ['张三', '李四'] } }];
const termSlate = { seats: 3, candidates: ['甲', '乙', '丙', '丁'] };
const termHistory: StepHistory = [
  { event: 'registered', detail: { ruleSet: term.id } },
  { event: 'candidates-proposed', detail: termSlate },
];
const termElected: StepHistory = [...termHistory, { event: 'members-meeting-counted', detail: { committee: ['甲', '乙', '丙'] } }];
const liaisonHistory: StepHistory = [{ event: 'registered', detail: { ruleSet: liaison.id, fullMembers: 1 } }];
const pairing = pairingRulesFor('2025-01-01');
// The second cycle: an enrolment of the first does not count.
const trainingHistory: StepHistory = [
  { event: 'c1:cycle-registered', detail: { cycle: 1 } },
  { event: 'c1:enrolled-S2023-01', detail: { session: 'S2023-01' } },
  { event: 'c2:cycle-registered', detail: { cycle: 2 } },
  { event: 'c2:enrolled-S2026-02', detail: { session: 'S2026-02' } },
  { event: 'c2:cycle-opened', detail: {} },
];
// The first year's review of the first cycle: only the last year's review decides whether the pairing continues.
const pairingHistory: StepHistory = [
  { event: 'c1:cycle-opened', detail: { cycle: 1, ruleSet: pairing.id } },
  { event: 'c1:review-y1-opened', detail: { year: 1 } },
];
const anything = () => {};

interface Case {
  process: string;
  step: string;
  workflow: (o: Record<string, unknown>) => void;
  history?: StepHistory;
  valid: Record<string, unknown>[];
  invalid: Record<string, unknown>[];
}

const cases: Case[] = [
  // term election
  {
    process: 'term-election',
    step: 'election-request',
    workflow: outcomeRule(electionRequestOutcome, (o) => o.postponeMonths !== undefined && checkPostponement(o.postponeMonths, term)),
    history: termHistory,
    // The edges of the seats: 1 (a branch of fewer than 7 members elects its secretary alone) and 2 were refused by
    // the form and accepted by the workflow when the form restated its own bounds (3–31).
    valid: [
      { electionDate: '2027-01-10', seats: 5, nominationMethod: 'members' },
      { electionDate: '2027-01-10', seats: 5, nominationMethod: 'combined', postponeMonths: 6 },
      { electionDate: '2027-01-10', seats: 1, nominationMethod: 'members' },
      { electionDate: '2027-01-10', seats: 2, nominationMethod: 'committee' },
      { electionDate: '2027-01-10', seats: 99, nominationMethod: 'members', note: '党员人数较多' },
      { postponeMonths: 6 },
    ],
    invalid: [
      { electionDate: '2027-01-10', seats: 5, nominationMethod: 'members', postponeMonths: 13 },
      { electionDate: '2027-13-01', seats: 5, nominationMethod: 'members' },
      { electionDate: '2027-01-10', seats: 0, nominationMethod: 'members' },
      { electionDate: '2027-01-10', seats: 100, nominationMethod: 'members' },
      { electionDate: '2027-01-10', seats: 5, nominationMethod: 'members', note: 'x'.repeat(4001) },
    ],
  },
  {
    process: 'term-election',
    step: 'election-reply',
    workflow: outcomeRule(electionReplyOutcome, (o) => o.decision === 'postpone' && checkPostponement(o.postponeMonths, term)),
    history: termHistory,
    valid: [{ decision: 'approve' }, { decision: 'postpone', postponeMonths: 6, comments: '村委会同步换届' }],
    invalid: [{ decision: 'postpone', postponeMonths: 13, comments: '村委会同步换届' }, { decision: 'return' }, { decision: 'maybe' }],
  },
  {
    process: 'term-election',
    step: 'candidates',
    workflow: outcomeRule(candidatesOutcome, (o) => checkCandidates(o, term)),
    history: termHistory,
    valid: [termSlate],
    invalid: [{ seats: 3, candidates: ['甲', '乙', '丙'] }, { seats: 3, candidates: ['甲', '甲', '乙', '丙'] }, { seats: 3, candidates: [] }],
  },
  { process: 'term-election', step: 'candidates-review', workflow: outcomeRule(reviewOutcome), valid: [{ decision: 'agree' }, { decision: 'return', comments: '人选不符合条件' }], invalid: [{ decision: 'return' }, {}] },
  {
    process: 'term-election',
    step: 'members-meeting',
    workflow: outcomeRule(ballotOutcome, (o) => void checkBallot(o, { ...termSlate, fullMembers: 30 }, term)),
    history: termHistory,
    valid: [{ entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26, votes: { 甲: 20, 乙: 18, 丙: 15, 丁: 3 } }],
    invalid: [
      { entitled: 30, present: 24, ballotsIssued: 24, ballotsReturned: 24, votes: { 甲: 20 } },
      { entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 27, votes: { 甲: 20 } },
      { entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26, votes: { 戊: 20 } },
    ],
  },
  {
    process: 'term-election',
    step: 'secretary-election',
    workflow: outcomeRule(secretaryOutcome, (o) => checkSecretary(o.secretary, ['甲', '乙', '丙'])),
    history: termElected,
    valid: [{ secretary: '甲' }],
    invalid: [{ secretary: '丁' }, { secretary: '' }],
  },
  { process: 'term-election', step: 'result-report', workflow: anything, valid: [{}, { note: '选举结果已报告' }], invalid: [] },
  { process: 'term-election', step: 'result-approval', workflow: outcomeRule(reviewOutcome), valid: [{ decision: 'agree' }], invalid: [{ decision: 'approve' }] },

  // two recommendations, one election
  {
    process: 'two-recommendations-one-election',
    step: 'selection-plan',
    workflow: outcomeRule(selectionPlanOutcome),
    valid: [{ post: 'secretary', seats: 2, villagerBasis: 'villagers', eligibility: '年龄 45 岁以下', publishedOn: '2026-03-01' }],
    invalid: [{ post: 'mayor', seats: 2, villagerBasis: 'villagers', eligibility: 'x', publishedOn: '2026-03-01' }],
  },
  {
    process: 'two-recommendations-one-election',
    step: 'members-recommendation',
    workflow: outcomeRule(recommendationOutcome, (o) => checkRecommendationRound('members', o, seats, twoRec, 32)),
    history: twoRecHistory,
    valid: [members],
    invalid: [{ ...members, present: 20 }, { ...members, present: 31 }, { ...members, votes: { 张三: 29 } }, { ...members, votes: { 张三: 28, 李四: 28, 王五: 5 } }, { ...members, votes: {} }],
  },
  {
    process: 'two-recommendations-one-election',
    step: 'villagers-recommendation',
    workflow: outcomeRule(recommendationOutcome, (o) => checkRecommendationRound('representatives', o, seats, twoRec)),
    history: twoRecHistory,
    valid: [villagers],
    invalid: [{ ...villagers, present: 26 }, { ...villagers, entitled: 0 }],
  },
  {
    process: 'two-recommendations-one-election',
    step: 'preliminary-candidates',
    workflow: outcomeRule(preliminaryCandidatesOutcome, (o) => o.decision === 'candidates' && checkPreliminaryCandidates(o.candidates, seats, ranking, twoRec)),
    history: twoRecHistory,
    valid: [{ decision: 'candidates', candidates: slate }, { decision: 'no-suitable-candidate', reason: '推荐人选均不符合任职条件' }],
    invalid: [
      { decision: 'candidates', candidates: ['张三', '李四'] },
      { decision: 'candidates', candidates: ['张三', '李四', '赵六'] },
      { decision: 'candidates', candidates: ['张三', '李四', '孙七'] },
      { decision: 'no-suitable-candidate' },
    ],
  },
  {
    process: 'two-recommendations-one-election',
    step: 'selection-election',
    workflow: outcomeRule(selectionBallotOutcome, (o) => void checkSelectionBallot(o, { seats, candidates: slate, fullMembers: 30 }, twoRec)),
    history: twoRecHistory,
    valid: [{ entitled: 30, present: 28, ballotsIssued: 28, ballotsReturned: 28, votes: { 张三: 20, 李四: 18, 王五: 5 } }],
    invalid: [
      { entitled: 30, present: 20, ballotsIssued: 20, ballotsReturned: 20, votes: { 张三: 20 } },
      { entitled: 30, present: 28, ballotsIssued: 28, ballotsReturned: 28, votes: { 赵六: 20 } },
    ],
  },
  {
    process: 'two-recommendations-one-election',
    step: 'selection-secretary',
    workflow: outcomeRule(selectionSecretaryOutcome, (o) => checkSecretary(o.secretary, ['张三', '李四'])),
    history: twoRecElected,
    valid: [{ secretary: '张三', concurrentHead: 'yes' }],
    invalid: [{ secretary: '王五', concurrentHead: 'yes' }, { secretary: '张三' }],
  },
  { process: 'two-recommendations-one-election', step: 'township-approval', workflow: outcomeRule(townshipApprovalOutcome), valid: [{ decision: 'approve' }], invalid: [{ decision: 'reject' }] },
  {
    process: 'two-recommendations-one-election',
    step: 'first-secretary-dispatch',
    workflow: outcomeRule(firstSecretaryOutcome),
    valid: [{ firstSecretary: '刘洋', fromUnit: '县农业农村局', startsOn: '2026-04-01' }],
    invalid: [{ firstSecretary: '刘洋', fromUnit: '县农业农村局' }],
  },

  // rotation training: attendance at a session of this cycle's enrolments
  {
    process: 'rotation-training',
    step: 'training',
    workflow: outcomeRule(attendanceOutcome, (o) => checkAttendance(o.session, ['S2026-02'])),
    history: trainingHistory,
    valid: [{ session: 'S2026-02', attended: true }],
    invalid: [{ session: 'S2026-02' }, { session: '', attended: true }, { session: 'S2023-01', attended: true }],
  },

  // liaison officer dispatch
  { process: 'liaison-dispatch', step: 'assign-officer', workflow: outcomeRule(assignOfficerOutcome), valid: [{ officer: 'li.ming' }], invalid: [{ officer: 'x' }, { officer: '李明' }, {}] },
  { process: 'liaison-dispatch', step: 'acknowledge', workflow: anything, valid: [{}], invalid: [] },
  { process: 'liaison-dispatch', step: 'training', workflow: anything, valid: [{}, { note: '已参加岗前培训' }], invalid: [] },
  {
    process: 'liaison-dispatch',
    step: 'visit-report',
    workflow: outcomeRule(visitReportOutcome),
    valid: [{ visitedOn: '2026-05-06', fullMembers: 2 }, { visitedOn: '2026-05-06', fullMembers: 3, notes: '新发展党员 1 名' }],
    invalid: [{ visitedOn: '2026-05-06', fullMembers: -1 }, { fullMembers: 2 }],
  },
  { process: 'liaison-dispatch', step: 'establishment-request', workflow: anything, valid: [{}], invalid: [] },
  { process: 'liaison-dispatch', step: 'establishment-approval', workflow: outcomeRule(reviewOutcome), valid: [{ decision: 'agree' }], invalid: [{ decision: 'return' }] },
  {
    process: 'liaison-dispatch',
    step: 'founding-meeting',
    workflow: outcomeRule(foundingMeetingOutcome, (o) => checkEstablishThreshold(o.fullMembers, liaison.establishThreshold)),
    history: liaisonHistory,
    valid: [{ secretary: '陈静', fullMembers: 3 }],
    invalid: [{ secretary: '陈静', fullMembers: 2 }, { secretary: '', fullMembers: 3 }],
  },

  // urban–rural pairing: a deliverable's milestones are the workflow's state (server-side only)
  { process: 'pairing', step: 'pairing-deliverable', workflow: outcomeRule(deliverableOutcome), valid: [{ summary: '村两委班子配齐' }], invalid: [{ summary: '' }, {}] },
  {
    process: 'pairing',
    step: 'pairing-review',
    workflow: outcomeRule(pairingReviewOutcome, (o) => checkReview(o, 1, pairing)),
    history: pairingHistory,
    valid: [{ rating: 'good', comments: '五个好任务推进顺利' }],
    invalid: [{ rating: 'great', comments: '五个好任务推进顺利' }, { rating: 'good' }, { rating: 'good', comments: '五个好任务推进顺利', decision: 'continue' }],
  },
];

/** The workflow's verdict: null when accepted, else the rule it names (or 'schema'). */
function workflowVerdict(c: Case, o: Record<string, unknown>): string | null {
  try {
    c.workflow(o);
    return null;
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'RuleViolation') return (err.details?.[0] as { rule: string }).rule;
    if (err instanceof ApplicationFailure && err.type === 'InvalidOutcome') return 'schema';
    throw err;
  }
}

describe("each form agrees with its workflow's validator", () => {
  it('covers every step the workflows open', () => {
    const covered = new Set(cases.map((c) => `${c.process}:${c.step}`));
    expect(stepsOpened().map(([k, s]) => `${k}:${s}`).filter((x) => !covered.has(x))).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.process} · ${c.step}`, () => {
      const form = formFor(c.process, c.step)!;
      expect(form).toBeDefined();
      for (const o of c.valid) {
        expect(workflowVerdict(c, o), `workflow on ${JSON.stringify(o)}`).toBeNull();
        expect(validateOutcome(form, o, c.history ?? []), `form on ${JSON.stringify(o)}`).toBeNull();
      }
      for (const o of c.invalid) {
        const verdict = workflowVerdict(c, o);
        expect(verdict, `workflow on ${JSON.stringify(o)}`).not.toBeNull();
        const errors = validateOutcome(form, o, c.history ?? []);
        expect(errors, `form on ${JSON.stringify(o)}`).not.toBeNull();
        // A broken rule is named the same way and shown next to the field it concerns.
        if (verdict !== 'schema') expect(errors).toEqual({ [ruleField(form, verdict!)]: `r.${verdict}` });
      }
    });
  }
});

describe('form inputs', () => {
  it('reads votes one person a line, and a line without a count as not a number', () => {
    const form = formFor('two-recommendations-one-election', 'members-recommendation')!;
    const o = formToOutcome(form, { entitled: '30', present: '28', votes: '张三 20\n李四：18\n\n王五,15' });
    expect(o).toEqual({ entitled: 30, present: 28, votes: { 张三: 20, 李四: 18, 王五: 15 } });
    const bad = formToOutcome(form, { entitled: '30', present: '28', votes: '张三\n李四 十八' });
    expect(bad.votes).toEqual({ 张三: Number.NaN, 李四: Number.NaN });
    expect(validateOutcome(form, bad, twoRecHistory)).toEqual({ votes: 'v.int' });
  });

  it('puts a turnout below the rule next to "present", with the history the workflow recorded', () => {
    const form = formFor('two-recommendations-one-election', 'members-recommendation')!;
    const o = formToOutcome(form, { entitled: '30', present: '20', votes: '张三 15' });
    expect(validateOutcome(form, o, twoRecHistory)).toEqual({ present: 'r.turnout' });
    // Without the history (the plan not yet read) only the schema is checked; the workflow still refuses.
    expect(validateOutcome(form, o)).toBeNull();
  });

  it('reads names one a line (or separated by commas), and shows only the fields of the decision taken', () => {
    const form = formFor('two-recommendations-one-election', 'preliminary-candidates')!;
    const values = { decision: 'candidates', candidates: '张三\n李四、王五', reason: 'left over from the other branch' };
    expect(formToOutcome(form, values)).toEqual({ decision: 'candidates', candidates: ['张三', '李四', '王五'] });
    expect(validateOutcome(form, formToOutcome(form, { decision: 'no-suitable-candidate' }))).toEqual({ reason: 'v.required' });
    expect(validateOutcome(form, formToOutcome(form, {}))).toEqual({ decision: 'v.required' });
  });

  it('turns a ticked box into true and translates zod’s own messages of the domain schemas', () => {
    const training = formFor('rotation-training', 'training')!;
    expect(formToOutcome(training, { session: 'S1', attended: 'true' })).toEqual({ session: 'S1', attended: true });
    expect(validateOutcome(training, formToOutcome(training, { session: 'S1' }))).toEqual({ attended: 'v.required' });
    const reply = formFor('term-election', 'election-reply')!;
    expect(validateOutcome(reply, formToOutcome(reply, { decision: 'return', comments: '不' }))).toEqual({ comments: 'v.tooShort' });
    expect(validateOutcome(reply, formToOutcome(reply, { decision: 'postpone', postponeMonths: '1.5', comments: '同步换届' }))).toEqual({ postponeMonths: 'v.int' });
  });
});
