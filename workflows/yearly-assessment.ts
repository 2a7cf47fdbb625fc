// Yearly inspection and ranking 检查考评 (domain.md §4.6). Started once a year by a Temporal Schedule (see
// src/processes/assessment.ts) or by an admin for a given year; scores the whole province in one activity.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ProcessActivities } from '../activities/index.js';
import type { AssessYearResult } from '../activities/assessment.js';
import { shanghaiDate } from '../src/domain/dates.js';

// One statement over hundreds of thousands of organizations: minutes at province scale, not seconds.
const { assessYear } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes' },
});

export interface YearlyAssessmentInput {
  /** The year to assess; by default the current year in Shanghai (the Schedule fires on 31 December). */
  year?: number;
}

export async function yearlyAssessment(input: YearlyAssessmentInput = {}): Promise<AssessYearResult> {
  const today = shanghaiDate(Date.now());
  const year = input.year ?? Number(today.slice(0, 4));
  return assessYear({ year, today, workflowId: workflowInfo().workflowId });
}
