// 发展党员 (domain.md §4.8; 中国共产党发展党员工作细则 2014): one workflow per applicant (`recruitment:<uuid>`), started by
// the API when the branch records an application, and running two to three years through the 细则's five stages:
//   申请: the branch talks with the applicant within a month;
//   积极分子: the branch committee decides (two 培养联系人), the higher committee files it; a review every six months,
//     each a task that escalates when missed, until a review a year or more on proposes them as 发展对象;
//   发展对象: decided (two 入党介绍人) and filed; 政治审查 and 集中培训;
//   接收预备党员: the branch committee's review, the higher committee's pre-review (or back to the branch), the
//     入党志愿书 the 发展对象 fills in under their introducers' guidance once the pre-review issues it, the members' meeting — held again while it lacks a quorum of the register's full members on its day —, the higher
//     committee's talk and approval within three months; then the applicant is a 预备党员 on the register;
//   预备期 of a year from the meeting: the oath, a review every six months, the member's own application to become
//     full, the members' meeting (full, an extension of up to a year — the probation goes on —, or cancellation),
//     and the higher committee's approval within three months; the register follows, and once the organization
//     department above has filed the new 预备党员 (备案), the file is archived.
// Every number comes from the rule set in force on the day of the application.
import { patched, sleep } from '@temporalio/workflow';
import { addMonths, shanghaiDate, shanghaiInstant, type IsoDate } from '../../src/domain/dates.js';
import { meetingResult, recruitmentRulesFor, type RecruitmentContext, type RecruitmentStage } from '../../src/domain/recruitment/rules.js';
import { recruitmentStates } from '../../src/domain/recruitment/states.js';
import {
  activistDecision,
  activistFiling,
  activistReview,
  admissionApproval,
  admissionFiling,
  admissionMeeting,
  applicationForm,
  applicationTalk,
  branchReview,
  candidateDecision,
  candidateFiling,
  fullApplication,
  fullApproval,
  fullMeeting,
  oath,
  preReview,
  probationReview,
  vetting,
} from '../../src/domain/recruitment/steps.js';
import type { ApplicantView } from '../../activities/recruitment.js';
import type { TaskDue } from '../../src/domain/task-plan.js';
import { acts } from '../process-activities.js';
import { ProcessRun } from '../process-run.js';

export const KIND = applicationTalk.process;
/** An applicant's workflow id, named by a UUID their row keeps: unique beyond this database. */
export const recruitmentId = (uid: string) => `${KIND}:${uid}`;

export interface RecruitmentInput {
  applicant: number;
}

/** A new 预备党员 is filed with the organization department above: runs that began before record no such step. */
export const ADMISSION_FILING_PATCH = 'recruitment-admission-filing';
/** The 入党志愿书 is filled in between the pre-review and the members' meeting: runs that began before go straight on. */
export const APPLICATION_FORM_PATCH = 'recruitment-application-form';

/** The n-th task of a step that may come again (a review, a meeting held again): the first bears the step's name. */
const nth = (step: string, n: number) => (n === 1 ? step : `${step}-${n}`);

export async function recruitment(input: RecruitmentInput): Promise<void> {
  const p = new ProcessRun({ kind: KIND, organization: String(input.applicant), prefix: '', run: 1 });
  await p.cancellable(async () => {
    const a: ApplicantView = await acts.loadApplicant({ workflowId: p.workflowId });
    p.at(a.organizationId, a.orgPath);
    const r = recruitmentRulesFor(a.appliedOn);
    const c: RecruitmentContext = { applicant: a.name, appliedOn: a.appliedOn, stage: 'applicant', registerOn: {} };
    // The rules' "today" is the day a step is recorded, read when the validator runs.
    const ctx = () => ({ ...c, today: shanghaiDate(Date.now()) });
    const deadlines = { reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays, titled: { about: a.name } };
    const branch = (due: TaskDue) => ({ organizationId: a.organizationId, due, ...deadlines });
    const higher = (due: TaskDue) => ({ organizationId: a.parentId, due, ...deadlines });
    const soon: TaskDue = { workingDays: r.stepWorkingDays };
    const until = async (day: string) => {
      const at = shanghaiInstant(day as IsoDate, 9).getTime();
      if (at > Date.now()) await sleep(at - Date.now());
    };
    const stage = async (s: RecruitmentStage & ('activist' | 'candidate'), on: string, detail: Record<string, unknown>) => {
      c.stage = s;
      await acts.recordApplicantStage({ workflowId: p.workflowId, stage: s, on });
      await p.moveTo(s, s, { on, ...detail });
    };
    const end = async (state: 'declined' | 'stopped' | 'rejected' | 'not-carried', detail: Record<string, unknown>) => {
      await acts.recordApplicantStage({ workflowId: p.workflowId, stage: 'ended', on: shanghaiDate(Date.now()) });
      p.nextDeadline = null;
      await p.moveTo(state, state, detail, 'completed');
    };
    /**
     * A branch members' meeting: its entitled count is the register's full members on its day (read when the vote is
     * recorded); a meeting without quorum decides nothing and is held again.
     */
    const held: Record<string, number> = {};
    /** The next task of a step that may be opened again and again (a meeting held again, an approval refused). */
    const again = (step: string) => {
      held[step] = (held[step] ?? 0) + 1;
      return nth(step, held[step]);
    };
    const meeting = async <D extends typeof admissionMeeting | typeof fullMeeting>(def: D) => {
      for (;;) {
        const name = again(def.step);
        const done = await p.perform(name, def as typeof admissionMeeting, ctx, {
          ...branch(soon),
          confirm: async (o) => {
            c.registerOn![o.meetingDate] = (await acts.fullMembersOn({ organizationId: a.organizationId, on: o.meetingDate as IsoDate })).fullMembers;
          },
        });
        const result = meetingResult(done.outcome, r);
        if (result.quorum) return { ...done, carried: result.carried };
        await p.moveTo(c.stage as 'candidate' | 'probationary', recruitmentStates.key('{meeting}-no-quorum', { meeting: name }), {
          ...done.outcome,
          by: done.actor,
        });
      }
    };

    await p.moveTo('applied', 'applied', { appliedOn: a.appliedOn });

    // 一、申请: the talk within a month of the application.
    await p.perform('talk', applicationTalk, ctx, branch({ on: addMonths(a.appliedOn as IsoDate, r.talkWithinMonths) }));

    // 二、入党积极分子
    const activist = await p.perform('activist', activistDecision, ctx, branch(soon));
    if (activist.outcome.decision === 'decline') return void (await end('declined', { note: activist.outcome.note, by: activist.actor }));
    c.activistSince = activist.outcome.decidedOn;
    c.reviews = 0;
    await stage('activist', activist.outcome.decidedOn, {
      recommendedBy: activist.outcome.recommendedBy,
      contacts: activist.outcome.contacts,
      by: activist.actor,
    });
    await p.perform('activist-filing', activistFiling, ctx, higher(soon));
    for (let n = 1; ; n++) {
      await until(addMonths(c.activistSince as IsoDate, r.reviewEveryMonths * n));
      const review = await p.perform(nth(activistReview.step, n), activistReview, ctx, branch(soon));
      c.reviews = n;
      if (review.outcome.next === 'candidate') break;
    }

    // 三、发展对象
    const candidate = await p.perform('candidate', candidateDecision, ctx, branch(soon));
    c.candidateSince = candidate.outcome.decidedOn;
    c.introducers = candidate.outcome.introducers;
    await stage('candidate', candidate.outcome.decidedOn, { introducers: candidate.outcome.introducers, by: candidate.actor });
    await p.perform('candidate-filing', candidateFiling, ctx, higher(soon));
    const vetted = await p.perform('vetting', vetting, ctx, branch(soon));
    if (vetted.outcome.conclusion === 'fail') return void (await end('stopped', { note: vetted.outcome.note, by: vetted.actor }));

    // 四、预备党员的接收: the branch committee's review and the higher committee's pre-review, until it approves.
    for (let n = 1; ; n++) {
      const reviewed = await p.perform(nth(branchReview.step, n), branchReview, ctx, branch(soon));
      if (reviewed.outcome.decision === 'stop') return void (await end('stopped', { note: reviewed.outcome.note, by: reviewed.actor }));
      const pre = await p.perform(nth(preReview.step, n), preReview, ctx, higher(soon));
      if (pre.outcome.decision === 'approve') {
        c.preReviewedOn = pre.outcome.reviewedOn;
        break;
      }
      await p.moveTo('candidate', recruitmentStates.key('returned-{n}', { n }), { note: pre.outcome.note, by: pre.actor });
    }
    // The pre-review issued the 入党志愿书: the 发展对象 fills it in (theirs when they sign in), the meeting reads it.
    if (patched(APPLICATION_FORM_PATCH)) {
      const user = (await acts.loadApplicant({ workflowId: p.workflowId })).user;
      const form = await p.perform(applicationForm.step, applicationForm, ctx, {
        ...branch({ workingDays: r.applicationFormWorkingDays }),
        ...(user ? { assigneePerson: user } : {}),
      });
      c.formFilledOn = form.outcome.filledOn;
    }
    const admission = await meeting(admissionMeeting);
    if (!admission.carried) return void (await end('not-carried', { ...admission.outcome, by: admission.actor }));
    c.meetingOn = admission.outcome.meetingDate;
    const approval = await p.perform('admission-approval', admissionApproval, ctx, higher({ on: addMonths(c.meetingOn as IsoDate, r.approvalWithinMonths) }));
    if (approval.outcome.decision === 'reject') return void (await end('rejected', { note: approval.outcome.note, by: approval.actor }));
    // A 预备党员 from the meeting's day (入党时间), on the branch's register.
    await acts.admitToRegister({ workflowId: p.workflowId, joinedOn: c.meetingOn, actor: approval.actor });
    c.stage = 'probationary';
    c.probationEnds = addMonths(c.meetingOn as IsoDate, r.probationMonths);
    c.reviews = 0;
    await p.moveTo('probationary', 'probationary', { joinedOn: c.meetingOn, probationEnds: c.probationEnds, by: approval.actor });
    // Filed with the organization department above while the probation goes on; the file is archived once it is.
    const filing = patched(ADMISSION_FILING_PATCH)
      ? await p.open('admission-filing', admissionFiling, ctx, { organizationId: a.aboveId ?? a.parentId, due: soon, ...deadlines })
      : undefined;

    // 五、预备党员的教育考察和转正
    await p.perform('oath', oath, ctx, branch(soon));
    for (let round = 1; ; round++) {
      // A review each half-year that falls before the probation's end.
      for (let n: number = (c.reviews ?? 0) + 1; addMonths(c.meetingOn as IsoDate, r.reviewEveryMonths * n) < c.probationEnds; n++) {
        await until(addMonths(c.meetingOn as IsoDate, r.reviewEveryMonths * n));
        await p.perform(nth(probationReview.step, n), probationReview, ctx, branch(soon));
        c.reviews = n;
      }
      // The member's own application, from a month before the end, due on it; theirs when they sign in.
      await until(addMonths(c.probationEnds as IsoDate, -1));
      const user = (await acts.loadApplicant({ workflowId: p.workflowId })).user;
      await p.perform(nth(fullApplication.step, round), fullApplication, ctx, {
        ...branch({ on: c.probationEnds as IsoDate }),
        ...(user ? { assigneePerson: user } : {}),
      });
      await until(c.probationEnds);
      // The meeting decides, and the higher committee approves its decision within three months — or it meets again.
      let decided: Awaited<ReturnType<typeof meeting<typeof fullMeeting>>>;
      for (;;) {
        decided = await meeting(fullMeeting);
        if (!decided.carried) continue;
        const approved = await p.perform(
          again(fullApproval.step),
          fullApproval,
          ctx,
          higher({ on: addMonths(decided.outcome.meetingDate as IsoDate, r.approvalWithinMonths) }),
        );
        if (approved.outcome.decision === 'approve') break;
      }
      const outcome = decided.outcome as unknown as { decision: 'full' | 'extend' | 'cancel'; extendMonths?: number; meetingDate: string };
      if (outcome.decision === 'full') {
        await acts.makeFull({ workflowId: p.workflowId, fullOn: c.probationEnds, actor: decided.actor });
        c.stage = 'full';
        p.nextDeadline = null;
        await p.moveTo('full', 'full', { fullOn: c.probationEnds, by: decided.actor });
        if (filing) await p.outcome(await filing.result, admissionFiling, 'admission-filing');
        return void (await p.moveTo('full', 'archived', {}, 'completed'));
      }
      if (outcome.decision === 'cancel') {
        await acts.cancelProbation({ workflowId: p.workflowId, on: outcome.meetingDate, actor: decided.actor, reason: '支部党员大会决定取消预备党员资格' });
        if (filing) await p.outcome(await filing.result, admissionFiling, 'admission-filing');
        p.nextDeadline = null;
        return void (await p.moveTo('membership-cancelled', 'membership-cancelled', { by: decided.actor }, 'completed'));
      }
      c.probationEnds = addMonths(c.probationEnds as IsoDate, outcome.extendMonths!);
      await p.moveTo('probationary', recruitmentStates.key('extended-{n}', { n: round }), { months: outcome.extendMonths, probationEnds: c.probationEnds });
    }
  });
}
