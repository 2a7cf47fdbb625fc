// The worker's workflow bundle: one export per workflow type, each loading its process's modules when a run first
// calls it. The SDK gives every new run fresh module state, so a bundle that imported every process here made each
// run evaluate all of them — every process's rules and step schemas, zod built again — although a run uses its own:
// about 10 ms of the workflow thread for each run that starts or replays after eviction (a province's records nearly
// all do), against 2–3 ms for one process's modules (docs/benchmarks.md, "A record replays its run").
//
// `require` is the bundler's: synchronous, so a run's modules are evaluated inside its first call exactly where the
// static import evaluated them before its first line — no await, nothing about the run's order of commands changes.
import type * as Calendar from './calendar.js';
import type * as ChannelDelivery from './channel-delivery.js';
import type * as DeadlineSweep from './deadline-sweep.js';
import type * as LiaisonDispatch from './liaison-dispatch/workflow.js';
import type * as MemberAppraisal from './member-appraisal/workflow.js';
import type * as MemberAway from './member-away/workflow.js';
import type * as MemberTransfer from './member-transfer/workflow.js';
import type * as Notifier from './notifier.js';
import type * as OrganizationLife from './organization-life/workflow.js';
import type * as Pairing from './pairing/workflow.js';
import type * as Ratings from './ratings/workflow.js';
import type * as Recruitment from './recruitment/workflow.js';
import type * as RotationTraining from './rotation-training/workflow.js';
import type * as TaskProcess from './task-process.js';
import type * as TermDateMissing from './term-date-missing/workflow.js';
import type * as TermElection from './term-election/workflow.js';
import type * as TermPlan from './term-plan.js';
import type * as TwoRecommendationsOneElection from './two-recommendations-one-election/workflow.js';
import type * as YearlyAssessment from './yearly-assessment.js';

type Workflow = (...args: never[]) => Promise<unknown>;

/** The workflow `name` of the module `load` answers, loaded on its first call. */
function lazy<M, K extends keyof M>(load: () => M, name: K): M[K] {
  return ((...args: never[]) => (load()[name] as Workflow)(...args)) as M[K];
}

export const termElection = lazy(() => require('./term-election/workflow.js') as typeof TermElection, 'termElection');
export const taskProcess = lazy(() => require('./task-process.js') as typeof TaskProcess, 'taskProcess');
export const notifier = lazy(() => require('./notifier.js') as typeof Notifier, 'notifier');
export const channelDelivery = lazy(() => require('./channel-delivery.js') as typeof ChannelDelivery, 'channelDelivery');
export const rotationTraining = lazy(() => require('./rotation-training/workflow.js') as typeof RotationTraining, 'rotationTraining');
export const liaisonDispatch = lazy(() => require('./liaison-dispatch/workflow.js') as typeof LiaisonDispatch, 'liaisonDispatch');
export const liaisonOfficersMeeting = lazy(() => require('./liaison-dispatch/workflow.js') as typeof LiaisonDispatch, 'liaisonOfficersMeeting');
export const yearlyAssessment = lazy(() => require('./yearly-assessment.js') as typeof YearlyAssessment, 'yearlyAssessment');
export const twoRecommendationsOneElection = lazy(
  () => require('./two-recommendations-one-election/workflow.js') as typeof TwoRecommendationsOneElection,
  'twoRecommendationsOneElection',
);
export const pairing = lazy(() => require('./pairing/workflow.js') as typeof Pairing, 'pairing');
export const termDateMissing = lazy(() => require('./term-date-missing/workflow.js') as typeof TermDateMissing, 'termDateMissing');
export const termDateSweep = lazy(() => require('./term-date-missing/workflow.js') as typeof TermDateMissing, 'termDateSweep');
export const termPlan = lazy(() => require('./term-plan.js') as typeof TermPlan, 'termPlan');
export const ratingsRecompute = lazy(() => require('./ratings/workflow.js') as typeof Ratings, 'ratingsRecompute');
export const ratingInterview = lazy(() => require('./ratings/workflow.js') as typeof Ratings, 'ratingInterview');
export const calendarReplan = lazy(() => require('./calendar.js') as typeof Calendar, 'calendarReplan');
export const calendarNotice = lazy(() => require('./calendar.js') as typeof Calendar, 'calendarNotice');
export const deadlineSweep = lazy(() => require('./deadline-sweep.js') as typeof DeadlineSweep, 'deadlineSweep');
export const memberTransfer = lazy(() => require('./member-transfer/workflow.js') as typeof MemberTransfer, 'memberTransfer');
export const memberAway = lazy(() => require('./member-away/workflow.js') as typeof MemberAway, 'memberAway');
export const recruitment = lazy(() => require('./recruitment/workflow.js') as typeof Recruitment, 'recruitment');
export const organizationLife = lazy(() => require('./organization-life/workflow.js') as typeof OrganizationLife, 'organizationLife');
export const organizationLifeSweep = lazy(() => require('./organization-life/workflow.js') as typeof OrganizationLife, 'organizationLifeSweep');
export const memberAppraisal = lazy(() => require('./member-appraisal/workflow.js') as typeof MemberAppraisal, 'memberAppraisal');
