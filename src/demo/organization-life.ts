// 三会一课 in the demo province: this year of organization life for every branch of the first county, started as its
// organizer would (startLifeYears), so each branch's past months open at once; advanceOrganizationLife then records
// the meetings as the secretaries would, through each task's own Update, on a day inside its period: most branches
// kept every meeting (the quarter's 支部党员大会 and 党课 held with a 主题党日), some skipped a committee meeting now and
// then, and one stopped recording in the summer, so its tasks are overdue and escalated to the county. Records of
// past months filed today count as late; this month's are on time. The first township's villages have 党小组
// (src/demo/party-groups.ts): a year under rule set branch-life-2027 owes each group a monthly 党小组会, recorded here
// for the past months as its leader would (this month's waits in the leader's "my tasks"). In December the year to
// come is started too, as the Schedule does on 1 December: its tasks open on 1 January.
import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import { addDays, type IsoDate } from '../domain/dates.js';
import { obligationsOf, lifeRulesFor, type Obligation } from '../domain/organization-life/rules.js';
import { startLifeYears } from '../organization-life/start.js';
import { organizationLifeId } from '../../workflows/organization-life/workflow.js';
import { completeTaskUpdate, machineActor } from '../../workflows/messages.js';

export interface DemoLife {
  year: number;
  branches: string[];
}

/** Starts the year for the county's branches, and in December the year to come. */
export async function seedOrganizationLife(sql: Sql, client: Client, cfg: Config, county: string, today: IsoDate): Promise<DemoLife> {
  const year = Number(today.slice(0, 4));
  const [c] = await sql<{ path: string }[]>`select path::text as path from organizations where code = ${county}`;
  await startLifeYears(sql, client, cfg.TEMPORAL_TASK_QUEUE, { path: c!.path, year });
  if (today.slice(5, 7) === '12') await startLifeYears(sql, client, cfg.TEMPORAL_TASK_QUEUE, { path: c!.path, year: year + 1 });
  const branches = await sql<{ code: string }[]>`
    select o.code from organizations o where o.path <@ ${c!.path}::ltree and o.type = any(${lifeRulesFor(`${year}-01-01`).heldBy as string[]}) order by o.code`;
  return { year, branches: branches.map((b) => b.code) };
}

/** Which of a branch's obligations the demo records: by its place in the county's list. */
function kept(i: number, o: Obligation, today: IsoDate): boolean {
  const month = Number(o.startsOn.slice(5, 7));
  if (i % 8 === 7) return month <= 6; // stopped recording in the summer: overdue, escalated
  if (i % 4 === 3 && o.kind === 'branch-committee' && month % 3 === 2) return false; // a committee meeting skipped now and then
  if (o.startsOn.slice(0, 7) === today.slice(0, 7)) return i % 2 === 1; // this month: half have met already (the first village's wait)
  return true;
}

/** Waits (a minute at most) for the deadline sweep to open a task planned ahead. */
async function taskOpened(sql: Sql, workflowId: string, taskKey: string): Promise<void> {
  for (let tries = 0; tries < 300; tries++) {
    const [t] = await sql<{ state: string }[]>`select state from tasks where workflow_id = ${workflowId} and task_key = ${taskKey}`;
    if (t) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Records the kept meetings, each through its own task; the quarter's meetings with its first month's 主题党日. */
export async function advanceOrganizationLife(sql: Sql, client: Client, life: DemoLife, today: IsoDate): Promise<void> {
  const actor = machineActor('demo-admin');
  const all = obligationsOf(life.year, lifeRulesFor(`${life.year}-01-01`)).filter((o) => o.startsOn <= today);
  const quarterly = all.filter((o) => o.period.includes('Q'));
  await Promise.all(
    life.branches.map(async (code, i) => {
      const workflowId = organizationLifeId(code, life.year);
      const handle = client.workflow.getHandle(workflowId);
      const [m] = await sql<{ id: string }[]>`
        select m.id from members m join organizations o on o.id = m.organization_id where o.code = ${code} and m.status = 'normal' order by m.id limit 1`;
      // The groups' meetings of the months past (a year under branch-life-2027), as their leaders record them.
      const groupMeetings = await sql<{ period: string; startsOn: IsoDate; groupId: number; leader: string | null }[]>`
        select l.period, to_char(l.starts_on, 'YYYY-MM-DD') as "startsOn", l.group_id::int as "groupId", u.username as leader
        from life_obligations l join party_groups g on g.id = l.group_id left join members gl on gl.id = g.leader_id left join users u on u.id = gl.user_id
        where l.workflow_id = ${workflowId} and l.starts_on <= ${today}::date and l.period < ${today.slice(0, 7)}
        order by l.starts_on, l.group_id`;
      for (const g of groupMeetings) {
        const taskKey = `${g.period}:group-meeting:${g.groupId}`;
        await taskOpened(sql, workflowId, taskKey);
        const outcome = {
          meetingOn: addDays(g.startsOn, 14),
          kinds: ['group-meeting'],
          topic: '党小组会：学习党章党规，交流思想和工作',
          minutes: '组长领学，组员逐一交流本月思想和工作情况，提出意见建议。',
        };
        await handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey, actor: machineActor(g.leader ?? 'demo-admin'), outcome }] });
      }
      for (const o of all.filter((x) => !x.period.includes('Q') && kept(i, x, today))) {
        // The quarter's members' meeting and lecture, held with the theme day of its first month.
        const withIt = o.kind === 'theme-day' ? quarterly.filter((q) => q.startsOn === o.startsOn && kept(i, q, today)).map((q) => q.kind) : [];
        const meetingOn = [addDays(o.startsOn, 9), today].sort()[0]!;
        const outcome = {
          meetingOn,
          kinds: [o.kind, ...withIt],
          topic: o.kind === 'theme-day' ? '主题党日：学习党的创新理论，开展志愿服务' : '研究本月党建工作和村级重点事项',
          minutes:
            o.kind === 'theme-day'
              ? '全体党员集中学习，书记领学，党员交流发言后参加环境整治志愿服务。'
              : '支委会研究了本月党员教育、发展党员和村务监督等事项。',
          ...(m && o.kind === 'theme-day' ? { absent: [{ memberId: Number(m.id), reason: 'duty' }] } : {}),
        };
        const taskKey = `${o.period}:${o.kind}`;
        await taskOpened(sql, workflowId, taskKey);
        await handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey, actor, outcome }] });
      }
    }),
  );
}
