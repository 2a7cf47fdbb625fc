// The working-day calendar's background work.
//
// calendarReplan: an admin loaded a year's holidays (PUT /calendar/years/{year}, POST …/import); the open tasks
// planned provisionally into that year are planned again, in batches, each sent to its own workflow as the
// replanTask Update (activities/calendar.ts). One run per year (id `calendar-replan:<year>`), started by the API
// with signalWithStart: a load while a run goes on signals it, and the run walks the tasks again from the first one
// after its current batch, on the days just loaded; a task whose re-plan failed stays provisional and is sent again
// by that walk or by the next load.
//
// calendarNotice: started daily by a Temporal Schedule (src/processes/calendar.ts); from 1 November on, tells the
// admins once that next year's holidays are missing.
import { continueAsNew, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ProcessActivities } from '../activities/index.js';
import type { Actor } from './messages.js';
import { shanghaiDate } from '../src/domain/dates.js';

export const calendarReplanId = (year: number) => `calendar-replan:${year}`;

/** The year was loaded again while its re-plan runs: walk the provisional tasks again from the first. */
export const calendarReloadedSignal = defineSignal<[{ actor: Actor }]>('calendarReloaded');

// A batch is up to BATCH Updates of at most 15 s each, 4 at a time; the heartbeat shows it alive in between.
const { replanProvisionalBatch } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes' },
});
const { noticeMissingCalendar } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes' },
});

export interface CalendarReplanInput {
  year: number;
  actor: Actor;
  /** Where a run continued as new left off, and what it had done. */
  afterId?: number;
  replanned?: number;
  failed?: number;
  batch?: number;
}

export interface CalendarReplanResult {
  year: number;
  replanned: number;
  /** Tasks left provisional (their re-plan was refused or timed out): the next load of the year retries them. */
  failed: number;
}

export async function calendarReplan(input: CalendarReplanInput): Promise<CalendarReplanResult> {
  const batch = input.batch ?? 50;
  let actor = input.actor;
  let reloaded = false;
  setHandler(calendarReloadedSignal, (s) => {
    actor = s.actor;
    reloaded = true;
  });
  let afterId = input.afterId ?? 0;
  let replanned = input.replanned ?? 0;
  let failed = input.failed ?? 0;
  for (;;) {
    if (reloaded) {
      // The tasks already re-planned are no longer provisional; the walk from the start finds the rest, the failed too.
      reloaded = false;
      afterId = 0;
      failed = 0;
    }
    const r = await replanProvisionalBatch({ year: input.year, afterId, limit: batch, actor, runId: workflowInfo().runId });
    replanned += r.replanned;
    failed += r.failed.length;
    if (r.lastId === null) {
      if (reloaded) continue;
      return { year: input.year, replanned, failed };
    }
    afterId = r.lastId;
    if (workflowInfo().continueAsNewSuggested && !reloaded) {
      await continueAsNew<typeof calendarReplan>({ ...input, actor, afterId, replanned, failed });
    }
  }
}

export interface CalendarNoticeInput {
  /** The Shanghai day to judge (tests); by default today. */
  today?: string;
}

export async function calendarNotice(input: CalendarNoticeInput = {}): Promise<{ year: number | null; notified: number }> {
  return noticeMissingCalendar({ today: input.today ?? shanghaiDate(Date.now()), at: new Date().toISOString() });
}
