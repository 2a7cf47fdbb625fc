// I/O of the working-day calendar's background work (workflows/calendar.ts): re-planning the tasks planned
// provisionally into a year whose holidays an admin has just loaded, and telling the admins, from 1 November on,
// that next year's holidays are still missing.
import { Context } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import type { IsoDate } from '../src/domain/dates.js';
import { calendarNoticeYear } from '../src/domain/calendar.js';
import { planTask, type PlanInput } from '../src/domain/task-plan.js';
import { UPDATE_DEADLINE_MS } from '../src/api/gateway.js';
import { replanTaskUpdate, type Actor } from '../workflows/messages.js';
import { loadCalendar } from '../src/tasks/holders.js';

/** Re-plans sent at once to the tasks' workflows, inside one batch. */
const REPLAN_LANES = 4;

export interface ReplanBatchInput {
  year: number;
  /** Tasks with a larger id only: a run walks the provisional tasks once, in id order. */
  afterId: number;
  limit: number;
  /** The admin who loaded the year: the Update's validator checks the admin's right, the audit names the admin. */
  actor: Actor;
  /** Keeps this run's Update ids apart from an earlier run's (a task that failed then is sent again now). */
  runId: string;
}

export interface ReplanBatchResult {
  /** The last task id looked at; null when no provisional task of the year was left after `afterId`. */
  lastId: number | null;
  replanned: number;
  failed: { taskId: number; message: string }[];
}

export function calendarActivities(sql: Sql) {
  return {
    /**
     * One batch of the re-plan: the open tasks still provisional for `year` after `afterId`, each planned again on
     * the calendar as it is now and sent to its workflow as the replanTask Update (which moves its timers and
     * projects the new plan, clearing `provisional_years`). A task whose Update is refused or times out is left
     * provisional and reported, not retried here: the next load of the year (or a load while this run goes on)
     * walks the tasks again. Only a failure of the whole batch (the database) is the activity's retry.
     */
    async replanProvisionalBatch(i: ReplanBatchInput): Promise<ReplanBatchResult> {
      const cal = await loadCalendar(sql);
      const tasks = await sql<{ id: string; workflow_id: string; task_key: string; plan_input: PlanInput }[]>`
        select id, workflow_id, task_key, plan_input from tasks
        where ${i.year} = any(provisional_years) and state in ('open', 'claimed', 'escalated') and plan_input is not null and id > ${i.afterId}
        order by id limit ${i.limit}`;
      if (tasks.length === 0) return { lastId: null, replanned: 0, failed: [] };
      const client = Context.current().client;
      const reason = `${i.year} 年节假日安排已载入 (holidays of ${i.year} loaded)`;
      const failed: ReplanBatchResult['failed'] = [];
      let replanned = 0;
      let next = 0;
      const lane = async () => {
        while (next < tasks.length) {
          const t = tasks[next++]!;
          Context.current().heartbeat(t.id);
          try {
            const plan = planTask(cal, t.plan_input);
            await client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
              client.workflow.getHandle(t.workflow_id).executeUpdate(replanTaskUpdate, {
                args: [{ taskKey: t.task_key, reason, plan: plan as never, actor: i.actor }],
                updateId: `calendar-replan:${i.year}:${i.runId}:${t.id}`,
              }),
            );
            replanned++;
          } catch (err) {
            failed.push({ taskId: Number(t.id), message: (err as Error).message.slice(0, 500) });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(REPLAN_LANES, tasks.length) }, lane));
      return { lastId: Number(tasks.at(-1)!.id), replanned, failed: failed.sort((a, b) => a.taskId - b.taskId) };
    },

    /**
     * From 1 November (Shanghai) on, when next year has no holiday data: the year is recorded in `calendar_notices`
     * (the web UI's banner reads it) and every admin gets one notification about it (in-app, then the e-mail digest
     * and the work apps through the notifier). Once per admin and year: the daily run tells only admins not told yet.
     */
    async noticeMissingCalendar(i: { today: IsoDate; at: string }): Promise<{ year: number | null; notified: number }> {
      const cal = await loadCalendar(sql);
      const year = calendarNoticeYear(i.today, (y) => cal.hasHolidayData(y));
      if (year === null) return { year: null, notified: 0 };
      return sql.begin(async (tx) => {
        const written = await tx`
          insert into notifications (user_id, event_key, kind, title, body, created_at)
          select distinct r.user_id, ${`calendar-missing:${year}`}, 'calendar-missing',
                 ${`${year}年节假日安排尚未载入 (the holidays of ${year} are not loaded)`},
                 ${
                   `${year}年的节假日和调休安排尚未载入：期限落在${year}年的任务暂按周一至周五均为工作日计算。国务院办公厅通知发布后，请在工作看板的“节假日数据”中载入。` +
                   ` Deadlines in ${year} count every Monday to Friday as a workday until its holidays are loaded (dashboard, Holiday data).`
                 },
                 ${i.at}::timestamptz
          from user_roles r join users u on u.id = r.user_id
          where r.role = 'admin' and not u.disabled
          on conflict (user_id, event_key) do nothing`;
        await tx`
          insert into calendar_notices (year, noticed_on, admins) values (${year}, ${i.today}, ${written.count})
          on conflict (year) do update set admins = calendar_notices.admins + excluded.admins`;
        return { year, notified: written.count };
      });
    },
  };
}
