// Organization life's yearly start on a Temporal Schedule (created by the worker on start, like the term register's):
// on 1 January every branch's year is planned and its January meetings open.
import type { Client } from '@temporalio/client';
import { ensureSchedule } from './schedules.js';
import { organizationLifeSweep } from '../../workflows/organization-life/workflow.js';

export const ORGANIZATION_LIFE_SCHEDULE_ID = 'organization-life-year';

/** At 00:10 Shanghai on 1 January, so the month's meetings are in the secretaries' inboxes that morning; caught up within a week. */
export async function ensureOrganizationLifeSchedule(client: Client, taskQueue: string): Promise<void> {
  await ensureSchedule(client, taskQueue, {
    scheduleId: ORGANIZATION_LIFE_SCHEDULE_ID,
    workflow: organizationLifeSweep,
    spec: { calendars: [{ month: 'JANUARY', dayOfMonth: 1, hour: 0, minute: 10 }], timezone: 'Asia/Shanghai' },
    catchupWindow: '7 days',
  });
}
