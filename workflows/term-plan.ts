// 年度换届计划 (domain.md §4.1 step 1): at the start of each year every supervising committee's supervisors get
// the terms under it that end that year. Started on 1 January by a Temporal Schedule (src/processes/term-schedule.ts)
// or by hand for a year; the list itself is read by GET /term-election/plan.
import { proxyActivities } from '@temporalio/workflow';
import type { ProcessActivities } from '../activities/index.js';
import { shanghaiDate } from '../src/domain/dates.js';

const { sendTermPlan } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes' },
});

export interface TermPlanInput {
  /** By default the current year in Shanghai (the Schedule fires in its first hours). */
  year?: number;
  /** Only this subtree (a code): tests and a re-run for one county. */
  under?: string;
}

export async function termPlan(input: TermPlanInput = {}): Promise<{ year: number; committees: number; notifications: number }> {
  const year = input.year ?? Number(shanghaiDate(Date.now()).slice(0, 4));
  const r = await sendTermPlan({ year, under: input.under, at: new Date().toISOString() });
  return { year, ...r };
}
