import * as recruit from '../../src/domain/recruitment/rules.js';
import {
  abroadContactOutcome,
  awayReportOutcome,
  checkAbroadContact,
  checkAwayReport,
  checkTransferProposal,
  transferProposalOutcome,
} from '../../src/domain/member-away/rules.js';
import { acceptOutcome, checkAccept, checkReceipt, receiptOutcome } from '../../src/domain/member-transfer/rules.js';
import { readdirSync, readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkReview } from '../../src/domain/pairing/rules.js';
import { liaisonRulesFor, pairingRulesFor, termRulesFor, twoRecommendationsRulesFor } from '../../src/domain/rules.js';
import { shanghaiDate } from '../../src/domain/dates.js';
import {
  deliverableOutcome,
  firstSecretaryOutcome,
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
import type { FieldSpec } from '../../src/domain/fields.js';
import { languages, processKinds, stepCatalog, stepDef } from '../../src/domain/steps.js';
import { roles } from '../../src/auth/principal.js';
import {
  candidatesOutcome,
  checkBallot,
  checkDelegatesBallot,
  checkCandidates,
  checkMeetingDate,
  checkPostponement,
  checkSecretary,
  checkExclusionsProposal,
  electionReplyOutcome,
  electionRequestOutcome,
  exclusionsApprovalOutcome,
  exclusionsProposalOutcome,
  reviewOutcome,
  secretaryOutcome,
  termBallotOutcome,
} from '../../src/domain/term-election/rules.js';
import {
  checkPreliminaryCandidates,
  checkRecommendationRound,
  checkSelectionBallot,
  weightedRanking,
} from '../../src/domain/two-recommendations-one-election/rules.js';
import { outcomeRule } from '../../workflows/process-control.js';
import {
  assignOfficerOutcome,
  checkEstablishThreshold,
  checkFoundingDate,
  checkMeetingHeld,
  foundingMeetingOutcome,
  officersMeetingOutcome,
  visitReportOutcome,
} from '../../src/domain/liaison-dispatch/rules.js';
import { attendanceOutcome, checkAttendance } from '../../src/domain/rotation-training/rules.js';
import { checkTermStart, termDateOutcome } from '../../src/domain/term-date-missing/rules.js';
import { checkInterviewHeld, interviewOutcome } from '../../src/domain/ratings/rules.js';
import { checkMeetingRecord, checkSpotCheck, meetingRecordOutcome, spotCheckOutcome, type MeetingContext } from '../../src/domain/organization-life/rules.js';
import * as appraise from '../../src/domain/member-appraisal/rules.js';

// The step catalog (src/domain/steps.ts) defines each step once: its role, words, form and rule. The form refuses
// what the workflow's Update validator refuses: the same schema and the same domain check, fed with the context
// the workflow writes to the task when it opens it.

/** A language's dictionary as written: its topic modules (web/src/i18n/<lang>/*.ts) one after another. */
const dictionaryText = (lang: string) => {
  const dir = new URL(`../../web/src/i18n/${lang}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(new URL(f, dir), 'utf8'))
    .join('\n');
};
const zhCN = dictionaryText('zh-CN');
const en = dictionaryText('en');

/** The schema a field of the form is checked by (the branch of a decision it is shown in), or undefined. */
function schemaField(outcome: z.ZodType, f: FieldSpec): z.ZodType | undefined {
  if (outcome instanceof z.ZodObject) return outcome.shape[f.name] as z.ZodType | undefined;
  if (outcome instanceof z.ZodDiscriminatedUnion) {
    const options = outcome.options as z.ZodObject[];
    const branch = f.when ? options.find((o) => o.shape[f.when!.field]?.safeParse(f.when!.is[0]).success) : options.find((o) => o.shape[f.name]);
    return branch?.shape[f.name] as z.ZodType | undefined;
  }
  return undefined;
}

describe('the step catalog', () => {
  it('covers the five processes, one entry per process and step', () => {
    expect(new Set(stepCatalog.map((d) => d.process))).toEqual(new Set(processKinds));
    expect(new Set(stepCatalog.map((d) => d.id)).size).toBe(stepCatalog.length);
    for (const d of stepCatalog) expect(stepDef(d.process, d.step)).toBe(d);
  });

  for (const d of stepCatalog) {
    it(`${d.id}: a role, words in every language, a form`, () => {
      expect(roles).toContain(d.role);
      for (const l of languages) expect(d.words[l]?.trim(), `${d.id} in ${l}`).toBeTruthy();
      expect(d.fields.length).toBeGreaterThan(0);
      // Every rule it may break is shown next to one of its fields (or the form's top).
      for (const field of Object.values(d.ruleFields ?? {})) expect(d.fields.map((f) => f.name)).toContain(field);
      for (const f of d.fields) if (f.when) expect(d.fields.map((x) => x.name)).toContain(f.when.field);
    });

    it(`${d.id}: each field is required and bounded as its schema says`, () => {
      for (const f of d.fields) {
        const field = schemaField(d.outcome, f);
        expect(field, `${d.id}.${f.name} in the schema`).toBeDefined();
        expect(!field!.safeParse(undefined).success, `${d.id}.${f.name} required`).toBe(f.required);
        // The bounds the form shows in its errors are the schema's own.
        const inner = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field!;
        if (f.kind === 'int' && inner instanceof z.ZodNumber) {
          expect(inner.minValue ?? undefined, `${d.id}.${f.name} min`).toBe(f.min);
          expect(inner.maxValue ?? undefined, `${d.id}.${f.name} max`).toBe(f.max);
        }
        // A text's longest: refused one character over (by its length or its pattern), not stricter than the schema.
        if (f.kind === 'text' && inner instanceof z.ZodString && f.max !== undefined) {
          expect(inner.safeParse('a'.repeat(f.max + 1)).success, `${d.id}.${f.name} max`).toBe(false);
          if (inner.maxLength !== null) expect(inner.maxLength, `${d.id}.${f.name} max`).toBe(f.max);
        }
        // Each option of a choice is a value the workflow takes (a decision: the branch it selects).
        if (f.kind === 'select' && f.options) {
          for (const o of f.options) {
            const takes =
              d.outcome instanceof z.ZodDiscriminatedUnion
                ? (d.outcome.options as z.ZodObject[]).some((b) => b.shape[f.name]?.safeParse(o).success)
                : inner.safeParse(o).success;
            expect(takes, `${d.id}.${f.name}=${o}`).toBe(true);
          }
        }
      }
    });

    it(`${d.id}: shows only what its context holds`, () => {
      // `shows` is typed by the context; at least every name is a plain key the UI has words for.
      for (const k of d.shows ?? []) {
        expect(zhCN, `zh-CN words for ctx.${k}`).toContain(`'ctx.${k}'`);
        expect(en, `en words for ctx.${k}`).toContain(`'ctx.${k}'`);
      }
    });
  }

  it('leaves no step words in the i18n files: the catalog names every step', () => {
    const leftover = stepCatalog.flatMap((d) => [zhCN, en].filter((f) => f.includes(`'step.${d.step}'`)).map(() => d.step));
    expect([...new Set(leftover)]).toEqual([]);
  });

  it('tells a liaison officer’s training from a secretary’s rotation training', () => {
    expect(stepDef('rotation-training', 'training')!.fields.map((f) => f.name)).toEqual(['session', 'attended']);
    expect(stepDef('liaison-dispatch', 'training')!.fields.map((f) => f.name)).toEqual(['note']);
    expect(stepDef('liaison-dispatch', 'training')!.role).toBe('liaison_officer');
  });
});

// ---- samples: the workflow's validator (schema + domain check, as the workflow calls them) and the task's context ----

const twoRec = twoRecommendationsRulesFor('2025-01-01', 'two-rec-2018');
const term = termRulesFor('2025-01-01', 'national-2018');
const liaison = liaisonRulesFor('2025-01-01');
const members = { entitled: 30, present: 28, votes: { 张三: 20, 李四: 18, 王五: 15, 赵六: 2 } };
const villagers = { entitled: 40, present: 30, votes: { 张三: 22, 李四: 20, 王五: 15, 赵六: 1 } };
const seats = 2;
const ranking = weightedRanking(members, villagers, twoRec);
const slate = ['张三', '李四', '王五'];
const termSlate = { seats: 3, candidates: ['甲', '乙', '丙', '丁'] };
// The contexts the workflows write to the tasks (steps.ts *Context).
const termCtx = { ruleSet: term.id };
const replyCtx = { ruleSet: term.id, request: { electionDate: '2027-01-10', seats: 3, nominationMethod: 'members' } };
const ballotCtx = { ruleSet: term.id, ...termSlate, committee: [], fullMembers: 30, round: 1 };
const termElected = { committee: ['甲', '乙', '丙'] };
const membersCtx = { ruleSet: twoRec.id, seats, basis: 'members', registered: 32 };
const villagersCtx = { ruleSet: twoRec.id, seats, basis: 'representatives' };
const rankingCtx = { ruleSet: twoRec.id, seats, ranking };
const selectionBallotCtx = { ruleSet: twoRec.id, seats, candidates: slate, committee: [], fullMembers: 30, round: 1 };
const twoRecElected = { committee: ['张三', '李四'] };
const liaisonCtx = { ruleSet: liaison.id, officer: 'li.ming' };
const foundingCtx = { ...liaisonCtx, notBefore: '2026-11-10' };
const pairing = pairingRulesFor('2025-01-01');
// This cycle's enrolments only: an enrolment of an earlier cycle does not count.
const trainingCtx = { secretary: '王芳', cycleEndsOn: '2030-12-31', enrolled: ['S2026-02'] };
// The first year's review of the first cycle: only the last year's review decides whether the pairing continues.
const pairingCtx = { ruleSet: pairing.id, year: 1, partner: '市农业农村局' };
const interviewCtx = { organization: 'V1', organizationName: '某村党支部', reasons: ['term-late'], redPeriods: 3, today: '2026-11-30' };
const termDateCtx = { organization: 'V1', organizationName: '某村党支部', today: '2026-11-30' };
const transferCtx = { member: '陈一', from: '某村党支部', to: '某社区党支部', issuedOn: '2026-11-02', validUntil: '2027-02-02', today: '2026-11-30' };
const awayCtx = { member: '郑五', place: '广东省东莞市', since: '2026-01-10', today: '2026-11-30' };
const spotCtx = { branch: '杏花村党支部', period: '2026-10', periodWords: '2026年10月', today: '2026-11-30' };
const meetingCtx: MeetingContext = {
  kind: 'members-meeting',
  period: '2026-Q3',
  periodWords: '2026年第3季度',
  startsOn: '2026-07-01',
  endsOn: '2026-09-30',
  onRegister: { '2026-08-20': { '5': '张三', '9': null } },
  today: '2026-11-30',
};
const anything = () => {};

const exclusionsCtx = { ruleSet: term.id, onRegister: { [shanghaiDate(Date.now())]: { '5': '张三', '9': null } } };

interface Case {
  process: string;
  step: string;
  workflow: (o: Record<string, unknown>) => void;
  /** The task's context, as the workflow writes it; none for a step without a rule. */
  context?: unknown;
  valid: Record<string, unknown>[];
  invalid: Record<string, unknown>[];
}

const cases: Case[] = [
  // term election
  {
    process: 'term-election',
    step: 'election-request',
    workflow: outcomeRule(electionRequestOutcome, (o) => o.postponeMonths !== undefined && checkPostponement(o.postponeMonths, term)),
    context: termCtx,
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
    context: replyCtx,
    valid: [{ decision: 'approve' }, { decision: 'postpone', postponeMonths: 6, comments: '村委会同步换届' }],
    invalid: [{ decision: 'postpone', postponeMonths: 13, comments: '村委会同步换届' }, { decision: 'return' }, { decision: 'maybe' }],
  },
  {
    process: 'term-election',
    step: 'candidates',
    workflow: outcomeRule(candidatesOutcome, (o) => checkCandidates(o, term)),
    context: termCtx,
    valid: [termSlate],
    invalid: [
      { seats: 3, candidates: ['甲', '乙', '丙'] },
      { seats: 3, candidates: ['甲', '甲', '乙', '丙'] },
      { seats: 3, candidates: [] },
    ],
  },
  {
    process: 'term-election',
    step: 'candidates-review',
    workflow: outcomeRule(reviewOutcome),
    valid: [{ decision: 'agree' }, { decision: 'return', comments: '人选不符合条件' }],
    invalid: [{ decision: 'return' }, {}],
  },
  {
    // Members picked from the register (5 is a full member of it today, 9 is not), each with an accepted reason.
    process: 'term-election',
    step: 'exclusions-proposal',
    workflow: outcomeRule(exclusionsProposalOutcome, (o) => checkExclusionsProposal(o, exclusionsCtx.onRegister[shanghaiDate(Date.now())], term)),
    context: exclusionsCtx,
    valid: [{}, { excluded: [] }, { excluded: [{ memberId: 5, name: '张三', exclusionReason: 'abroad' }] }],
    invalid: [
      { excluded: [{ memberId: 9, exclusionReason: 'abroad' }] },
      { excluded: [{ memberId: 5, exclusionReason: 'busy' }] },
      { excluded: [{ memberId: Number.NaN, exclusionReason: 'abroad' }] },
      {
        excluded: [
          { memberId: 5, exclusionReason: 'abroad' },
          { memberId: 5, exclusionReason: 'incapacitated' },
        ],
      },
    ],
  },
  {
    process: 'term-election',
    step: 'exclusions-approval',
    workflow: outcomeRule(exclusionsApprovalOutcome),
    valid: [{ decision: 'approve' }, { decision: 'reject', comments: '请附出国证明' }],
    invalid: [{ decision: 'reject' }, { decision: 'agree' }, {}],
  },
  {
    process: 'term-election',
    step: 'members-meeting',
    workflow: outcomeRule(termBallotOutcome, (o) => {
      checkMeetingDate(o.meetingDate, {}, '2026-11-30');
      checkBallot(o, { ...termSlate, fullMembers: 30 }, term);
    }),
    context: ballotCtx,
    valid: [{ meetingDate: '2026-11-20', entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26, votes: { 甲: 20, 乙: 18, 丙: 15, 丁: 3 } }],
    invalid: [
      { meetingDate: '2026-11-20', entitled: 30, present: 24, ballotsIssued: 24, ballotsReturned: 24, votes: { 甲: 20 } },
      { meetingDate: '2026-11-20', entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 27, votes: { 甲: 20 } },
      { meetingDate: '2026-11-20', entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26, votes: { 戊: 20 } },
      { entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26, votes: { 甲: 20, 乙: 18, 丙: 15, 丁: 3 } },
      { meetingDate: '2099-01-01', entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26, votes: { 甲: 20, 乙: 18, 丙: 15, 丁: 3 } },
    ],
  },
  {
    process: 'term-election',
    step: 'delegates-conference',
    workflow: outcomeRule(termBallotOutcome, (o) => {
      checkMeetingDate(o.meetingDate, {}, '2026-11-30');
      checkDelegatesBallot(o, { ...termSlate, delegates: 30 }, term);
    }),
    context: { ...termSlate, ruleSet: term.id, committee: [], delegates: 30, round: 1 },
    valid: [{ meetingDate: '2026-11-20', entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26, votes: { 甲: 20, 乙: 18, 丙: 15, 丁: 3 } }],
    invalid: [
      { meetingDate: '2026-11-20', entitled: 30, present: 24, ballotsIssued: 24, ballotsReturned: 24, votes: { 甲: 20 } },
      { meetingDate: '2026-11-20', entitled: 200, present: 190, ballotsIssued: 190, ballotsReturned: 190, votes: { 甲: 150 } },
      { meetingDate: '2026-11-20', entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26, votes: { 戊: 20 } },
    ],
  },
  {
    process: 'term-election',
    step: 'secretary-election',
    workflow: outcomeRule(secretaryOutcome, (o) => checkSecretary(o.secretary, ['甲', '乙', '丙'])),
    context: termElected,
    valid: [{ secretary: '甲' }],
    invalid: [{ secretary: '丁' }, { secretary: '' }],
  },
  { process: 'term-election', step: 'result-report', workflow: anything, valid: [{}, { note: '选举结果已报告' }], invalid: [] },
  {
    process: 'term-election',
    step: 'result-approval',
    workflow: outcomeRule(reviewOutcome),
    valid: [{ decision: 'agree' }],
    invalid: [{ decision: 'approve' }],
  },

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
    context: membersCtx,
    valid: [members],
    invalid: [
      { ...members, present: 20 },
      { ...members, present: 31 },
      { ...members, entitled: 33, present: 30 },
      { ...members, votes: { 张三: 29 } },
      { ...members, votes: { 张三: 28, 李四: 28, 王五: 5 } },
      { ...members, votes: {} },
    ],
  },
  {
    process: 'two-recommendations-one-election',
    step: 'villagers-recommendation',
    workflow: outcomeRule(recommendationOutcome, (o) => checkRecommendationRound('representatives', o, seats, twoRec)),
    context: villagersCtx,
    valid: [villagers],
    invalid: [
      { ...villagers, present: 26 },
      { ...villagers, entitled: 0 },
    ],
  },
  {
    process: 'two-recommendations-one-election',
    step: 'preliminary-candidates',
    workflow: outcomeRule(preliminaryCandidatesOutcome, (o) => o.decision === 'candidates' && checkPreliminaryCandidates(o.candidates, seats, ranking, twoRec)),
    context: rankingCtx,
    // 赵六 is below the qualifying share, which only advises the township committee: it may let him stand.
    valid: [
      { decision: 'candidates', candidates: slate },
      { decision: 'candidates', candidates: ['张三', '李四', '赵六'] },
      { decision: 'no-suitable-candidate', reason: '推荐人选均不符合任职条件' },
    ],
    invalid: [
      { decision: 'candidates', candidates: ['张三', '李四'] },
      { decision: 'candidates', candidates: ['张三', '李四', '孙七'] },
      { decision: 'no-suitable-candidate' },
    ],
  },
  {
    process: 'two-recommendations-one-election',
    step: 'selection-election',
    workflow: outcomeRule(selectionBallotOutcome, (o) => void checkSelectionBallot(o, { seats, candidates: slate, fullMembers: 30 }, twoRec)),
    context: selectionBallotCtx,
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
    context: twoRecElected,
    valid: [{ secretary: '张三', concurrentHead: 'yes' }],
    invalid: [{ secretary: '王五', concurrentHead: 'yes' }, { secretary: '张三' }],
  },
  {
    process: 'two-recommendations-one-election',
    step: 'township-approval',
    workflow: outcomeRule(townshipApprovalOutcome),
    valid: [{ decision: 'approve' }],
    invalid: [{ decision: 'reject' }],
  },
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
    context: trainingCtx,
    valid: [{ session: 'S2026-02', attended: true }],
    invalid: [{ session: 'S2026-02' }, { session: '', attended: true }, { session: 'S2023-01', attended: true }],
  },

  // liaison officer dispatch
  {
    process: 'liaison-dispatch',
    step: 'assign-officer',
    workflow: outcomeRule(assignOfficerOutcome),
    valid: [{ officer: 'li.ming' }],
    invalid: [{ officer: 'x' }, { officer: '李明' }, {}],
  },
  { process: 'liaison-dispatch', step: 'acknowledge', workflow: anything, valid: [{}], invalid: [] },
  { process: 'liaison-dispatch', step: 'training', workflow: anything, valid: [{}, { note: '已参加岗前培训' }], invalid: [] },
  {
    process: 'liaison-dispatch',
    step: 'visit-report',
    workflow: outcomeRule(visitReportOutcome),
    valid: [
      { visitedOn: '2026-05-06', fullMembers: 2 },
      { visitedOn: '2026-05-06', fullMembers: 3, notes: '新发展党员 1 名' },
    ],
    invalid: [{ visitedOn: '2026-05-06', fullMembers: -1 }, { fullMembers: 2 }],
  },
  { process: 'liaison-dispatch', step: 'establishment-request', workflow: anything, valid: [{}], invalid: [] },
  {
    process: 'liaison-dispatch',
    step: 'establishment-approval',
    workflow: outcomeRule(reviewOutcome),
    valid: [{ decision: 'agree' }],
    invalid: [{ decision: 'return' }],
  },
  {
    process: 'liaison-dispatch',
    step: 'founding-meeting',
    workflow: outcomeRule(foundingMeetingOutcome, (o) => {
      checkFoundingDate(o.meetingDate, foundingCtx.notBefore, shanghaiDate(Date.now()));
      checkEstablishThreshold(o.fullMembers, liaison.establishThreshold);
    }),
    context: foundingCtx,
    valid: [{ meetingDate: '2026-11-20', secretary: '陈静', fullMembers: 3 }],
    invalid: [
      { meetingDate: '2026-11-20', secretary: '陈静', fullMembers: 2 },
      { meetingDate: '2026-11-20', secretary: '', fullMembers: 3 },
      // Undated, before the approval, not yet held.
      { secretary: '陈静', fullMembers: 3 },
      { meetingDate: '2026-11-09', secretary: '陈静', fullMembers: 3 },
      { meetingDate: '2099-01-01', secretary: '陈静', fullMembers: 3 },
    ],
  },
  {
    process: 'liaison-dispatch',
    step: 'officers-meeting',
    workflow: outcomeRule(officersMeetingOutcome, (o) =>
      checkMeetingHeld('officers’ meeting', o.meetingDate, { on: '2026-07-01', why: 'when its half-year began' }, shanghaiDate(Date.now())),
    ),
    context: { from: '2026-07-01', to: '2026-12-31' },
    valid: [{ meetingDate: '2026-11-20' }, { meetingDate: '2026-11-20', note: '半年工作座谈' }],
    invalid: [{}, { meetingDate: '2026-06-30' }, { meetingDate: '2099-01-01' }],
  },

  // urban–rural pairing: a deliverable's milestones are the workflow's state (server-side only)
  {
    process: 'pairing',
    step: 'pairing-deliverable',
    workflow: outcomeRule(deliverableOutcome),
    valid: [{ summary: '村两委班子配齐' }],
    invalid: [{ summary: '' }, {}],
  },
  {
    process: 'pairing',
    step: 'pairing-review',
    workflow: outcomeRule(pairingReviewOutcome, (o) => checkReview(o, 1, pairing)),
    context: pairingCtx,
    valid: [{ rating: 'good', comments: '五个好任务推进顺利' }],
    invalid: [
      { rating: 'great', comments: '五个好任务推进顺利' },
      { rating: 'good' },
      { rating: 'good', comments: '五个好任务推进顺利', decision: 'continue' },
    ],
  },

  // a missing term: filled in by the supervising committee's organizer, never starting after the day it is entered
  {
    process: 'term-date-missing',
    step: 'fill-in',
    workflow: outcomeRule(termDateOutcome, (o) => checkTermStart(o, termDateCtx)),
    context: termDateCtx,
    valid: [
      { termStartedOn: '2024-03-15', termYears: 5 },
      { termStartedOn: '2026-11-30', termYears: 3, secretary: '李华' },
    ],
    invalid: [
      { termStartedOn: '2026-12-01', termYears: 5 },
      { termStartedOn: '2024-02-30', termYears: 5 },
      { termStartedOn: '2024-03-15' },
      { termStartedOn: '2024-03-15', termYears: 11 },
    ],
  },
  // a 约谈 after red in a row: recorded by the supervising committee's organizer once held, never for a day to come
  {
    process: 'rating-interview',
    step: 'interview',
    workflow: outcomeRule(interviewOutcome, (o) => checkInterviewHeld(o, interviewCtx)),
    context: interviewCtx,
    valid: [
      { heldOn: '2026-11-30', findings: '与书记谈话，承诺一个月内完成换届' },
      { heldOn: '2026-10-02', findings: '整改' },
    ],
    invalid: [
      { heldOn: '2026-12-01', findings: '整改完成' },
      { heldOn: '2026-02-30', findings: '整改完成' },
      { heldOn: '2026-11-30' },
      { heldOn: '2026-11-30', findings: '改' },
    ],
  },
  // 组织关系转接: the receiving side records the day the member reported (between the letter's issue and today) or refuses
  // with a reason; out of the province, the sending side records the receipt the same way
  {
    process: 'member-transfer',
    step: 'accept',
    workflow: outcomeRule(acceptOutcome, (o) => checkAccept(o, transferCtx)),
    context: transferCtx,
    valid: [
      { decision: 'accepted', reportedOn: '2026-11-02' },
      { decision: 'accepted', reportedOn: '2026-11-30', note: '已报到' },
      { decision: 'refused', note: '本人未到本单位工作' },
    ],
    invalid: [
      { decision: 'accepted' },
      { decision: 'accepted', reportedOn: '2026-11-01' },
      { decision: 'accepted', reportedOn: '2026-12-01' },
      { decision: 'refused' },
      { decision: 'maybe', reportedOn: '2026-11-30' },
    ],
  },
  {
    process: 'member-transfer',
    step: 'receipt',
    workflow: outcomeRule(receiptOutcome, (o) => checkReceipt(o, transferCtx)),
    context: transferCtx,
    valid: [
      { decision: 'received', receivedOn: '2026-11-20' },
      { decision: 'returned', note: '对方组织不存在' },
    ],
    invalid: [
      { decision: 'received' },
      { decision: 'received', receivedOn: '2026-12-01' },
      { decision: 'returned' },
      { decision: 'received', receivedOn: '2026-02-30' },
    ],
  },
  // 流动党员: the yearly report and a contact abroad dated between the departure and today; keeping a member away six
  // months on this register says why
  {
    process: 'member-away',
    step: 'away-report',
    workflow: outcomeRule(awayReportOutcome, (o) => checkAwayReport(o, awayCtx)),
    context: awayCtx,
    valid: [{ reportedOn: '2026-11-30', place: '广东省东莞市', summary: '在厂里参加流动党员党支部的组织生活' }],
    invalid: [
      { reportedOn: '2026-01-09', place: '东莞', summary: '参加组织生活' },
      { reportedOn: '2026-12-01', place: '东莞', summary: '参加组织生活' },
      { reportedOn: '2026-11-30', place: '东莞' },
      { reportedOn: '2026-11-30', place: '', summary: '参加组织生活' },
    ],
  },
  {
    process: 'member-away',
    step: 'transfer-proposal',
    workflow: outcomeRule(transferProposalOutcome, (o) => checkTransferProposal(o)),
    context: awayCtx,
    valid: [{ decision: 'transfer' }, { decision: 'keep', note: '年底返乡' }],
    invalid: [{ decision: 'keep' }, { decision: 'maybe' }, {}],
  },
  {
    process: 'member-away',
    step: 'abroad-contact',
    workflow: outcomeRule(abroadContactOutcome, (o) => checkAbroadContact(o, awayCtx)),
    context: awayCtx,
    valid: [
      { contactedOn: '2026-07-01', means: '微信视频' },
      { contactedOn: '2026-11-30', means: '电话', note: '在读博士，按期参加网上组织生活' },
    ],
    invalid: [{ contactedOn: '2026-12-01', means: '电话' }, { contactedOn: '2026-07-01' }, { contactedOn: '2025-12-31', means: '电话' }],
  },
  // 发展党员
  ...recruitmentCases(),
  // 民主评议党员
  ...appraisalCases(),
  // 三会一课
  {
    process: 'organization-life',
    step: 'meeting-record',
    workflow: outcomeRule(meetingRecordOutcome, (o) => checkMeetingRecord(o, meetingCtx)),
    context: meetingCtx,
    valid: [
      { meetingOn: '2026-08-20', kinds: ['members-meeting'], topic: '学习党章', minutes: '全体党员学习党章第一章。' },
      // Made up after its quarter (late), with a lecture; a member absent on leave.
      {
        meetingOn: '2026-10-09',
        kinds: ['theme-day', 'members-meeting', 'party-lecture'],
        topic: '主题党日',
        minutes: '书记讲党课。',
        absent: [{ memberId: 5, name: '张三', reason: 'leave' }],
      },
    ],
    invalid: [
      { meetingOn: '2026-08-20', kinds: ['branch-committee'], topic: '学习党章', minutes: '学习。' },
      { meetingOn: '2026-06-30', kinds: ['members-meeting'], topic: '学习党章', minutes: '学习。' },
      { meetingOn: '2026-12-01', kinds: ['members-meeting'], topic: '学习党章', minutes: '学习。' },
      { meetingOn: '2026-08-20', kinds: [], topic: '学习党章', minutes: '学习。' },
      { meetingOn: '2026-08-20', kinds: ['members-meeting', 'members-meeting'], topic: '学习党章', minutes: '学习。' },
      { meetingOn: '2026-08-20', kinds: ['members-meeting'], topic: '学习党章', minutes: '学习。', absent: [{ memberId: 9, reason: 'leave' }] },
      { meetingOn: '2026-08-20', kinds: ['members-meeting'], topic: '学习党章', minutes: '学习。', absent: [{ memberId: 5, reason: 'busy' }] },
      { meetingOn: '2026-08-20', kinds: ['members-meeting'], topic: '学习党章' },
    ],
  },
  {
    process: 'organization-life',
    step: 'spot-check',
    workflow: outcomeRule(spotCheckOutcome, (o) => checkSpotCheck(o, spotCtx)),
    context: spotCtx,
    valid: [
      { checkedOn: '2026-11-30', verdict: 'sound' },
      { checkedOn: '2026-11-30', verdict: 'deficient', problemsFound: '会议记录为事后补写，缺少党员发言' },
    ],
    invalid: [
      { checkedOn: '2026-11-30', verdict: 'deficient' },
      { checkedOn: '2026-12-01', verdict: 'sound' },
      { checkedOn: '2026-11-30', verdict: 'fine' },
      { verdict: 'sound' },
    ],
  },
];

/** The recruitment steps' cases, each at the stage its rule reads: an activist's, a candidate's, a probationer's. */
function recruitmentCases(): Case[] {
  const base = { applicant: '陈晓', appliedOn: '2025-01-10', today: '2026-11-30' };
  const applied: recruit.RecruitmentContext = { ...base, stage: 'applicant' };
  const activist: recruit.RecruitmentContext = { ...base, stage: 'activist', activistSince: '2025-03-01', reviews: 1 };
  const candidate: recruit.RecruitmentContext = { ...activist, stage: 'candidate', candidateSince: '2026-04-01', registerOn: { '2026-06-01': 5 } };
  const issued: recruit.RecruitmentContext = { ...candidate, introducers: ['李三', '赵四'], preReviewedOn: '2026-05-20' };
  const probation: recruit.RecruitmentContext = {
    ...candidate,
    stage: 'probationary',
    meetingOn: '2026-06-01',
    probationEnds: '2027-06-01',
    registerOn: { '2026-11-20': 5 },
  };
  const rule =
    <S extends z.ZodType<Record<string, unknown>>>(schema: S, check: (o: z.output<S>, c: recruit.RecruitmentContext) => void, c: recruit.RecruitmentContext) =>
    (o: Record<string, unknown>) =>
      outcomeRule(schema, (x) => check(x, c))(o);
  const meeting = { meetingDate: '2026-06-01', entitled: 5, present: 4, for: 4, against: 0, abstain: 0 };
  const full = { meetingDate: '2026-11-20', entitled: 5, present: 5, for: 5, against: 0, abstain: 0 };
  return [
    {
      process: 'recruitment',
      step: 'talk',
      workflow: rule(recruit.talkOutcome, recruit.checkTalk, applied),
      context: applied,
      valid: [{ talkedOn: '2025-01-20', talkedBy: '王书记' }],
      invalid: [{ talkedOn: '2025-01-01', talkedBy: '王书记' }, { talkedOn: '2026-12-01', talkedBy: '王书记' }, { talkedOn: '2025-01-20' }],
    },
    {
      process: 'recruitment',
      step: 'activist',
      workflow: rule(recruit.activistOutcome, recruit.checkActivist, applied),
      context: applied,
      valid: [
        { decision: 'accept', decidedOn: '2025-03-01', recommendedBy: 'league', contacts: ['张一', '王二'] },
        { decision: 'decline', decidedOn: '2025-03-01', note: '尚需继续培养' },
      ],
      invalid: [
        { decision: 'accept', decidedOn: '2025-03-01', recommendedBy: 'league' },
        { decision: 'accept', decidedOn: '2025-03-01', contacts: ['张一', '王二'] },
        { decision: 'decline', decidedOn: '2025-03-01' },
        { decision: 'accept', decidedOn: '2025-03-01', recommendedBy: 'league', contacts: ['张一'] },
      ],
    },
    {
      process: 'recruitment',
      step: 'activist-filing',
      workflow: rule(recruit.filingOutcome, recruit.checkFiling, activist),
      context: activist,
      valid: [{ filedOn: '2025-03-10' }],
      invalid: [{ filedOn: '2025-02-01' }, { filedOn: '2026-12-01' }, {}],
    },
    {
      process: 'recruitment',
      step: 'activist-review',
      workflow: rule(recruit.activistReviewOutcome, recruit.checkActivistReview, activist),
      context: activist,
      valid: [
        { reviewedOn: '2025-09-01', summary: '表现良好', next: 'continue' },
        { reviewedOn: '2026-03-02', summary: '表现良好', next: 'candidate' },
      ],
      invalid: [
        { reviewedOn: '2025-09-01', summary: '表现良好', next: 'candidate' },
        { reviewedOn: '2025-02-01', summary: '表现良好', next: 'continue' },
        { reviewedOn: '2025-09-01', summary: '表现良好' },
      ],
    },
    {
      process: 'recruitment',
      step: 'candidate',
      workflow: rule(recruit.candidateOutcome, recruit.checkCandidate, activist),
      context: activist,
      valid: [{ decidedOn: '2026-03-05', introducers: ['李三', '赵四'] }],
      invalid: [
        { decidedOn: '2025-12-01', introducers: ['李三', '赵四'] },
        { decidedOn: '2026-03-05', introducers: ['李三'] },
      ],
    },
    {
      process: 'recruitment',
      step: 'candidate-filing',
      workflow: rule(recruit.filingOutcome, recruit.checkFiling, candidate),
      context: candidate,
      valid: [{ filedOn: '2026-04-10' }],
      invalid: [{ filedOn: '2026-03-01' }],
    },
    {
      process: 'recruitment',
      step: 'admission-filing',
      workflow: rule(recruit.filingOutcome, recruit.checkFiling, candidate),
      context: candidate,
      valid: [{ filedOn: '2026-06-20', note: '已报县委组织部备案' }],
      invalid: [{ filedOn: '2026-03-01' }, {}],
    },
    {
      process: 'recruitment',
      step: 'application-form',
      workflow: rule(recruit.applicationFormOutcome, recruit.checkApplicationForm, issued),
      context: issued,
      valid: [{ filledOn: '2026-05-25', introducerOpinion: '同意介绍其入党' }],
      invalid: [
        { filledOn: '2026-05-19', introducerOpinion: '同意介绍其入党' },
        { filledOn: '2026-12-01', introducerOpinion: '同意介绍其入党' },
        { filledOn: '2026-05-25' },
      ],
    },
    {
      process: 'recruitment',
      step: 'vetting',
      workflow: rule(recruit.vettingOutcome, recruit.checkVetting, candidate),
      context: candidate,
      valid: [
        { vettedOn: '2026-05-01', conclusion: 'pass', trainingDays: 3 },
        { vettedOn: '2026-05-01', conclusion: 'pass', trainingHours: 24 },
        { vettedOn: '2026-05-01', conclusion: 'fail', note: '政审不合格' },
      ],
      invalid: [
        { vettedOn: '2026-05-01', conclusion: 'pass', trainingDays: 2, trainingHours: 16 },
        { vettedOn: '2026-05-01', conclusion: 'fail' },
        { vettedOn: '2026-03-01', conclusion: 'pass', trainingDays: 3 },
      ],
    },
    {
      process: 'recruitment',
      step: 'branch-review',
      workflow: rule(recruit.branchReviewOutcome, recruit.checkBranchReview, candidate),
      context: candidate,
      valid: [
        { reviewedOn: '2026-05-10', decision: 'proceed' },
        { reviewedOn: '2026-05-10', decision: 'stop', note: '群众意见较大' },
      ],
      invalid: [
        { reviewedOn: '2026-05-10', decision: 'stop' },
        { reviewedOn: '2026-05-10', decision: 'maybe' },
      ],
    },
    {
      process: 'recruitment',
      step: 'pre-review',
      workflow: rule(recruit.preReviewOutcome, recruit.checkPreReview, candidate),
      context: candidate,
      valid: [
        { reviewedOn: '2026-05-20', decision: 'approve' },
        { reviewedOn: '2026-05-20', decision: 'return', note: '政审材料不全' },
      ],
      invalid: [{ reviewedOn: '2026-05-20', decision: 'return' }],
    },
    {
      process: 'recruitment',
      step: 'admission-meeting',
      workflow: rule(recruit.admissionMeetingOutcome, recruit.checkAdmissionMeeting, candidate),
      context: candidate,
      // A meeting without quorum is a record of a meeting that could not decide: accepted, and held again.
      valid: [meeting, { ...meeting, present: 2, for: 2 }],
      invalid: [
        { ...meeting, entitled: 4 },
        { ...meeting, present: 6 },
        { ...meeting, for: 3, against: 2 },
        { ...meeting, meetingDate: '2026-03-01' },
        { ...meeting, meetingDate: '2026-03-01', entitled: 0, present: 0, for: 0 },
      ],
    },
    {
      process: 'recruitment',
      step: 'admission-approval',
      workflow: rule(recruit.approvalOutcome, recruit.checkApproval, probation),
      context: probation,
      valid: [
        { decidedOn: '2026-07-01', decision: 'approve' },
        { decidedOn: '2026-07-01', decision: 'reject', note: '入党动机不端正' },
      ],
      invalid: [
        { decidedOn: '2026-05-01', decision: 'approve' },
        { decidedOn: '2026-07-01', decision: 'reject' },
      ],
    },
    {
      process: 'recruitment',
      step: 'oath',
      workflow: rule(recruit.oathOutcome, recruit.checkOath, probation),
      context: probation,
      valid: [{ oathOn: '2026-07-01' }],
      invalid: [{ oathOn: '2026-05-01' }, {}],
    },
    {
      process: 'recruitment',
      step: 'probation-review',
      workflow: rule(recruit.probationReviewOutcome, recruit.checkProbationReview, probation),
      context: probation,
      valid: [{ reviewedOn: '2026-11-01', summary: '按期参加组织生活' }],
      invalid: [{ reviewedOn: '2026-05-01', summary: '按期参加组织生活' }, { reviewedOn: '2026-11-01' }],
    },
    {
      process: 'recruitment',
      step: 'full-application',
      workflow: rule(recruit.fullApplicationOutcome, recruit.checkFullApplication, probation),
      context: probation,
      valid: [{ appliedOn: '2026-11-01', text: '申请按期转为正式党员' }],
      invalid: [{ appliedOn: '2026-12-01', text: '申请' }, { appliedOn: '2026-11-01' }],
    },
    {
      process: 'recruitment',
      step: 'full-meeting',
      workflow: rule(recruit.fullMeetingOutcome, recruit.checkFullMeeting, probation),
      context: probation,
      valid: [
        { ...full, decision: 'full' },
        { ...full, decision: 'extend', extendMonths: 6 },
      ],
      invalid: [
        { ...full, decision: 'extend' },
        { ...full, decision: 'extend', extendMonths: 13 },
        { ...full, entitled: 6, decision: 'full' },
        { ...full, decision: 'maybe' },
      ],
    },
    {
      process: 'recruitment',
      step: 'full-approval',
      workflow: rule(recruit.approvalOutcome, recruit.checkApproval, probation),
      context: probation,
      valid: [{ decidedOn: '2026-11-25', decision: 'approve' }],
      invalid: [{ decidedOn: '2026-05-01', decision: 'approve' }],
    },
  ];
}

/** The workflow's verdict: null when accepted, else the rule it names (or 'schema'). */
function workflowVerdict(c: Case, o: Record<string, unknown>): string | null {
  try {
    c.workflow(o);
    return null;
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'RuleViolation')
      return (err.details?.[0] as { rule?: string } | undefined)?.rule ?? 'a RuleViolation naming no rule';
    if (err instanceof ApplicationFailure && err.type === 'InvalidOutcome') return 'schema';
    throw err;
  }
}

describe("each form agrees with its workflow's validator", () => {
  it('covers every step of the catalog', () => {
    const covered = new Set(cases.map((c) => `${c.process}:${c.step}`));
    expect(stepCatalog.map((d) => d.id).filter((x) => !covered.has(x))).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.process} · ${c.step}`, () => {
      const form = stepDef(c.process, c.step)!;
      expect(form).toBeDefined();
      // A step with a rule needs its context to check it: a case without one would check only the schema.
      if (form.rule) expect(c.context, 'a context for the rule').toBeDefined();
      for (const o of c.valid) {
        expect(workflowVerdict(c, o), `workflow on ${JSON.stringify(o)}`).toBeNull();
        expect(validateOutcome(form, o, c.context), `form on ${JSON.stringify(o)}`).toBeNull();
      }
      for (const o of c.invalid) {
        const verdict = workflowVerdict(c, o);
        expect(verdict, `workflow on ${JSON.stringify(o)}`).not.toBeNull();
        const errors = validateOutcome(form, o, c.context);
        expect(errors, `form on ${JSON.stringify(o)}`).not.toBeNull();
        // A broken rule is named the same way and shown next to the field it concerns.
        if (verdict !== 'schema')
          expect(Object.fromEntries(Object.entries(errors ?? {}).map(([k, v]) => [k, v.split('?')[0]]))).toEqual({
            [ruleField(form, verdict!)]: `r.${verdict}`,
          });
      }
    });
  }
});

describe('form inputs', () => {
  it('reads members picked from the register as their ids, and a row where none was picked as no member', () => {
    const form = stepDef('term-election', 'exclusions-proposal')!;
    const rows = [
      { member: '12', name: '张三', reason: 'abroad', key: 'a' },
      { member: '李', name: '', reason: 'incapacitated', key: 'b' },
    ];
    const o = formToOutcome(form, { excluded: JSON.stringify(rows) });
    expect(o).toEqual({
      excluded: [
        { memberId: 12, name: '张三', exclusionReason: 'abroad' },
        { memberId: Number.NaN, exclusionReason: 'incapacitated' },
      ],
    });
    expect(validateOutcome(form, o, exclusionsCtx)).toEqual({ excluded: 'v.pickMember' });
    // A member the register did not have today is named beside the field, with the name the form showed.
    const gone = { excluded: [{ memberId: 9, name: '王五', exclusionReason: 'abroad' }] };
    expect(validateOutcome(form, gone, exclusionsCtx)).toEqual({
      excluded: 'r.excluded-not-on-register?members=%E7%8E%8B%E4%BA%94+%289%29&field=outcome.excluded',
    });
    expect(formToOutcome(form, { excluded: '' })).toEqual({});
  });

  it('reads votes one person a line, and a line without a count as not a number', () => {
    const form = stepDef('two-recommendations-one-election', 'members-recommendation')!;
    const o = formToOutcome(form, { entitled: '30', present: '28', votes: '张三 20\n李四：18\n\n王五,15' });
    expect(o).toEqual({ entitled: 30, present: 28, votes: { 张三: 20, 李四: 18, 王五: 15 } });
    const bad = formToOutcome(form, { entitled: '30', present: '28', votes: '张三\n李四 十八' });
    expect(bad.votes).toEqual({ 张三: Number.NaN, 李四: Number.NaN });
    expect(validateOutcome(form, bad, membersCtx)).toEqual({ votes: 'v.int' });
  });

  it('puts the candidate margin next to the candidates and a postponement past the rule next to its months', () => {
    const candidates = stepDef('term-election', 'candidates')!;
    expect(validateOutcome(candidates, formToOutcome(candidates, { seats: '3', candidates: '甲\n乙\n丙' }), termCtx)).toEqual({
      candidates: 'r.candidate-margin?seats=3&n=3&min=4&pct=20',
    });
    const reply = stepDef('term-election', 'election-reply')!;
    expect(validateOutcome(reply, formToOutcome(reply, { decision: 'postpone', postponeMonths: '13', comments: '村委会同步换届' }), replyCtx)).toEqual({
      postponeMonths: 'r.postponement',
    });
  });

  it('puts a turnout below the rule next to "present", with the context the workflow wrote', () => {
    const form = stepDef('two-recommendations-one-election', 'members-recommendation')!;
    const o = formToOutcome(form, { entitled: '30', present: '20', votes: '张三 15' });
    expect(validateOutcome(form, o, membersCtx)).toEqual({ present: 'r.turnout' });
    // A task opened before contexts were written has none: only the schema is checked; the workflow still refuses.
    expect(validateOutcome(form, o)).toBeNull();
  });

  it('reads names one a line (or separated by commas), and shows only the fields of the decision taken', () => {
    const form = stepDef('two-recommendations-one-election', 'preliminary-candidates')!;
    const values = { decision: 'candidates', candidates: '张三\n李四、王五', reason: 'left over from the other branch' };
    expect(formToOutcome(form, values)).toEqual({ decision: 'candidates', candidates: ['张三', '李四', '王五'] });
    expect(validateOutcome(form, formToOutcome(form, { decision: 'no-suitable-candidate' }))).toEqual({ reason: 'v.required' });
    expect(validateOutcome(form, formToOutcome(form, {}))).toEqual({ decision: 'v.required' });
  });

  it('turns a ticked box into true and translates zod’s own messages of the domain schemas', () => {
    const training = stepDef('rotation-training', 'training')!;
    expect(formToOutcome(training, { session: 'S1', attended: 'true' })).toEqual({ session: 'S1', attended: true });
    expect(validateOutcome(training, formToOutcome(training, { session: 'S1' }))).toEqual({ attended: 'v.required' });
    const reply = stepDef('term-election', 'election-reply')!;
    expect(validateOutcome(reply, formToOutcome(reply, { decision: 'return', comments: '不' }))).toEqual({ comments: 'v.tooShort' });
    expect(validateOutcome(reply, formToOutcome(reply, { decision: 'postpone', postponeMonths: '1.5', comments: '同步换届' }))).toEqual({
      postponeMonths: 'v.int',
    });
  });
});

/**
 * 民主评议党员's steps, each with the context the workflow has written by then: the plan's day, the talks', the
 * meeting's and what its reads found of that day's register (member 5 on it, 9 not; 30 on it in all).
 */
function appraisalCases(): Case[] {
  const plan: appraise.AppraisalContext = { year: 2026, reportBy: '2027-01-15', plannedOn: '2026-11-02', today: '2026-11-30' };
  const talked = { ...plan, talksOn: '2026-11-10' };
  const met: appraise.AppraisalContext = { ...talked, lifeMeetingOn: '2026-11-20', onRegister: { '5': '张三', '9': null }, registerCount: 30 };
  const since: appraise.ImprovementContext = { member: '张三', since: '2026-12-01', dueOn: '2027-06-01', today: '2027-06-02' };
  return [
    {
      process: 'member-appraisal',
      step: 'talks',
      workflow: outcomeRule(appraise.talksOutcome, (o) => appraise.checkTalks(o, plan)),
      context: plan,
      valid: [{ talksOn: '2026-11-10', note: '书记与每名党员谈心谈话' }],
      invalid: [{ talksOn: '2026-11-01', note: '谈话' }, { talksOn: '2026-12-01', note: '谈话' }, { talksOn: '2026-11-10' }],
    },
    {
      process: 'member-appraisal',
      step: 'life-meeting',
      workflow: outcomeRule(appraise.lifeMeetingOutcome, (o) => appraise.checkLifeMeeting(o, talked)),
      context: talked,
      valid: [{ lifeMeetingOn: '2026-11-20', topic: '对照党章党规找差距', minutes: '班子成员和党员逐一开展批评与自我批评。' }],
      invalid: [
        { lifeMeetingOn: '2026-11-09', topic: '对照党章', minutes: '批评与自我批评。' },
        { lifeMeetingOn: '2026-12-01', topic: '对照党章', minutes: '批评与自我批评。' },
        { lifeMeetingOn: '2026-11-20', topic: '对照党章' },
      ],
    },
    {
      process: 'member-appraisal',
      step: 'appraisal',
      workflow: outcomeRule(appraise.appraisalOutcome, (o) => appraise.checkAppraisal(o, met)),
      context: met,
      valid: [
        // Everyone 合格: nobody named.
        { voters: 28 },
        { voters: 28, rated: [{ memberId: 5, name: '张三', rating: 'unqualified', votes: { unqualified: 20, basic: 8 } }] },
      ],
      invalid: [
        { voters: 31 },
        { voters: 0 },
        {},
        { voters: 28, rated: [{ memberId: 9, rating: 'excellent' }] },
        { voters: 28, rated: [{ memberId: 5, rating: 'qualified' }] },
        {
          voters: 28,
          rated: [
            { memberId: 5, rating: 'excellent' },
            { memberId: 5, rating: 'basic' },
          ],
        },
        { voters: 28, rated: [{ memberId: 5, rating: 'unqualified', votes: { unqualified: 20, basic: 9 } }] },
      ],
    },
    {
      process: 'member-appraisal',
      step: 'appraisal-review',
      workflow: outcomeRule(appraise.appraisalReviewOutcome),
      valid: [{ decision: 'approve' }, { decision: 'return', comments: '测评人数与名册不符，请核实后重报' }],
      invalid: [{ decision: 'return' }, { decision: 'reject', comments: '不同意' }],
    },
    {
      process: 'member-appraisal',
      step: 'improvement',
      workflow: outcomeRule(appraise.improvementOutcome, (o) => appraise.checkImprovement(o, since)),
      context: since,
      valid: [
        { decidedOn: '2027-06-01', decision: 'improved', note: '按期改正，表现良好' },
        { decidedOn: '2027-06-02', decision: 'persuade-to-leave', note: '经教育仍无转变' },
      ],
      invalid: [
        { decidedOn: '2026-11-30', decision: 'improved', note: '已改正' },
        { decidedOn: '2027-06-03', decision: 'remove', note: '拒不改正' },
        { decidedOn: '2027-06-01', decision: 'expel', note: '开除' },
        { decidedOn: '2027-06-01', decision: 'improved' },
      ],
    },
  ];
}
