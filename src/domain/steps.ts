// The step catalog: every step a person does in any process, defined once, as data every layer reads — the
// workflow opens a step by its entry (and its Update validator runs the entry's rule), the API answers a task
// with its entry's rights and words, the web UI renders the entry's form and checks it with the same rule, and
// tests iterate the catalog. Each process defines its steps in its own folder of the domain
// (src/domain/<process>/steps.ts, beside the rules they check in rules.ts); this module gathers them. Pure and
// deterministic: imported by workflows and by the browser bundle.
import type { Outcome, StepDef } from './step.js';
import {
  electionRequest,
  electionReply,
  candidates,
  candidatesReview,
  exclusionsProposal,
  exclusionsApproval,
  membersMeeting,
  delegatesConference,
  secretaryElection,
  resultReport,
  resultApproval,
} from './term-election/steps.js';
import {
  selectionPlan,
  membersRecommendation,
  villagersRecommendation,
  preliminaryCandidates,
  selectionElection,
  selectionSecretary,
  townshipApproval,
  firstSecretaryDispatch,
} from './two-recommendations-one-election/steps.js';
import { training } from './rotation-training/steps.js';
import {
  assignOfficer,
  acknowledge,
  officerTraining,
  visitReport,
  establishmentRequest,
  establishmentApproval,
  foundingMeeting,
  officersMeeting,
} from './liaison-dispatch/steps.js';
import { pairingDeliverable, pairingReview } from './pairing/steps.js';
import { fillInTerm } from './term-date-missing/steps.js';
import { ratingInterview } from './ratings/steps.js';
import { acceptTransfer, transferReceipt } from './member-transfer/steps.js';
import { abroadContact, awayReport, transferProposal } from './member-away/steps.js';
import * as recruitmentSteps from './recruitment/steps.js';
import { meetingRecord, spotCheck } from './organization-life/steps.js';
import * as memberAppraisalSteps from './member-appraisal/steps.js';

export * from './step.js';
export * from './term-election/steps.js';
export * from './two-recommendations-one-election/steps.js';
export * from './rotation-training/steps.js';
export * from './liaison-dispatch/steps.js';
export * from './pairing/steps.js';
export * from './term-date-missing/steps.js';
export * from './ratings/steps.js';
export * from './member-transfer/steps.js';
export * from './member-away/steps.js';
export * from './recruitment/steps.js';
export * from './organization-life/steps.js';
export * from './member-appraisal/steps.js';

/** Every step of every process. A test fails when a workflow opens a step that is not here. */
export const stepCatalog: readonly StepDef<Outcome, never>[] = [
  electionRequest,
  electionReply,
  candidates,
  candidatesReview,
  exclusionsProposal,
  exclusionsApproval,
  membersMeeting,
  delegatesConference,
  secretaryElection,
  resultReport,
  resultApproval,
  selectionPlan,
  membersRecommendation,
  villagersRecommendation,
  preliminaryCandidates,
  selectionElection,
  selectionSecretary,
  townshipApproval,
  firstSecretaryDispatch,
  training,
  assignOfficer,
  acknowledge,
  officerTraining,
  visitReport,
  establishmentRequest,
  establishmentApproval,
  foundingMeeting,
  officersMeeting,
  pairingDeliverable,
  pairingReview,
  fillInTerm,
  ratingInterview,
  acceptTransfer,
  transferReceipt,
  transferProposal,
  awayReport,
  abroadContact,
  // 发展党员's steps (a module namespace lists them by name).
  ...Object.values(recruitmentSteps),
  meetingRecord,
  spotCheck,
  ...Object.values(memberAppraisalSteps),
] as unknown as readonly StepDef<Outcome, never>[];

/** The steps a person does themselves (StepDef.byPerson), as `process:step`: their tasks are the named person's. */
export const personStepIds: readonly string[] = stepCatalog.filter((s) => s.byPerson).map((s) => s.id);

const byId = new Map(stepCatalog.map((s) => [s.id, s]));

/** The catalog entry of a task's (process, step), or undefined for a step no catalog names. */
export function stepDef(process: string, step: string): StepDef<Outcome, unknown> | undefined {
  return byId.get(`${process}:${step}`) as StepDef<Outcome, unknown> | undefined;
}
