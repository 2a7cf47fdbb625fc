// 三色管理. The recompute rates the tree (activities/ratings.ts) and is started by a Temporal
// Schedule (src/processes/ratings-schedule.ts), so ratings follow the processes during the year, not only at its
// end. An organization red in enough periods in a row gets a 约谈: one workflow per organization and period
// (`rating-interview:<code>:<period>`), a task for the organizers of its supervising committee.
import { ParentClosePolicy, proxyActivities, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { ProcessActivities } from '../../activities/index.js';
import type { RecomputeResult } from '../../activities/ratings.js';
import { shanghaiDate } from '../../src/domain/dates.js';
import { ratingRulesFor } from '../../src/domain/ratings.js';
import { acts } from '../process-activities.js';
import { ProcessRun } from '../process-run.js';
import { ratingInterview as interviewStep } from '../../src/domain/ratings/steps.js';

export const INTERVIEW_KIND = interviewStep.process;
export const ratingInterviewId = (organization: string, period: string) => `${INTERVIEW_KIND}:${organization}:${period}`;

// One statement over the tree: seconds at county scale, minutes at province scale.
const recompute = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes' },
});

export interface RatingsRecomputeInput {
  /** Only this subtree (a code); the Schedule rates the whole tree. */
  under?: string;
}

/** Rates the tree at the workflow's clock and opens the 约谈 now due. */
export async function ratingsRecompute(input: RatingsRecomputeInput = {}): Promise<RecomputeResult & { interviewsStarted: number }> {
  const r = await recompute.recomputeRatings({ at: new Date(Date.now()).toISOString(), under: input.under });
  let interviewsStarted = 0;
  for (const i of r.interviews) {
    try {
      await startChild(ratingInterview, {
        workflowId: ratingInterviewId(i.organization, i.period),
        args: [i],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // One 约谈 per organization and period, even if the first was cancelled: the next needs new red periods.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      interviewsStarted++;
    } catch (err) {
      if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    }
  }
  return { ...r, interviewsStarted };
}

export interface RatingInterviewInput {
  organization: string;
  period: string;
}

/** The 约谈: the supervising committee's organizers hold it and record when and what was said. */
export async function ratingInterview(input: RatingInterviewInput): Promise<void> {
  const p = new ProcessRun({ kind: INTERVIEW_KIND, organization: input.organization, prefix: '', run: 1 });
  await p.cancellable(async () => {
    const c = await acts.openRatingInterview(input);
    p.at(c.organizationId, c.orgPath);
    const today = shanghaiDate(Date.now());
    const rules = ratingRulesFor(input.period, c.ruleSet).interview;
    await p.moveTo('red-rated', 'red-rated', { period: input.period, ruleSet: c.ruleSet, reasons: c.reasons, redPeriods: c.redPeriods });
    const opened = await p.open(
      'interview',
      interviewStep,
      { organization: c.code, organizationName: c.name, reasons: c.reasons, redPeriods: c.redPeriods, today },
      {
        organizationId: c.parentId,
        due: { workingDays: rules.dueWorkingDays },
        reminderWorkingDays: rules.reminderWorkingDays,
        escalationWorkingDays: rules.escalationWorkingDays,
        titled: { about: c.name },
      },
    );
    const { outcome: o, actor } = await p.outcome(await opened.result, interviewStep, 'interview');
    p.nextDeadline = null;
    await p.moveTo('interviewed', 'interviewed', { ...o, by: actor }, 'completed');
  });
}
