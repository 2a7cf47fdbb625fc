// Organization life's yearly start on a Temporal Schedule (created by the worker on start, like the term register's):
// on 1 December every branch's next year is planned, its meetings' tasks kept as openings the deadline sweep opens
// on each period's first day (planning a province's years takes hours; opening a month's tasks takes seconds), and
// on 1 January the year is planned for the branches that have none yet (founded in December, or missed).
import type { Client } from '@temporalio/client';
import { ensureSchedule } from './schedules.js';
import { organizationLifeSweep } from '../../workflows/organization-life/workflow.js';

export const ORGANIZATION_LIFE_SCHEDULE_ID = 'organization-life-year';

/** At 00:10 Shanghai on 1 December and 1 January (organizationLifeSweep: December's run plans the year to come); caught up within a week. */
export async function ensureOrganizationLifeSchedule(client: Client, taskQueue: string): Promise<void> {
  await ensureSchedule(client, taskQueue, {
    scheduleId: ORGANIZATION_LIFE_SCHEDULE_ID,
    workflow: organizationLifeSweep,
    spec: {
      calendars: [
        { month: 'DECEMBER', dayOfMonth: 1, hour: 0, minute: 10 },
        { month: 'JANUARY', dayOfMonth: 1, hour: 0, minute: 10 },
      ],
      timezone: 'Asia/Shanghai',
    },
    catchupWindow: '7 days',
  });
}
