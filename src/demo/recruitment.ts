// 发展党员 in the demo province: applicants of four villages of the first township in every stage, recorded as the
// branch records a written application (src/recruitment/store.ts) with the day it was written, long enough ago that
// each wait of the 细则 (the half-years, the year as an activist, the probation) has passed; advanceDemo then records
// their steps through the workflow's own Update, each on a day between the stage before and today (rules.ts), so that
// the next task opens at once. Some are left where a step's own deadline has passed: overdue and escalated.
import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import { addDays, addMonths, type IsoDate } from '../domain/dates.js';
import { withCheckDigit, type Gender } from '../domain/members.js';
import { createUser } from '../auth/users.js';
import { loadPersonalDataKey } from '../members/personal-data.js';
import { fullMembersOnRegister } from '../members/store.js';
import { recordApplication } from '../recruitment/store.js';
import { recruitment } from '../../workflows/recruitment/workflow.js';
import { completeTaskUpdate, machineActor } from '../../workflows/messages.js';

/**
 * An applicant who signs in with no role (the demo's password): a 预备党员 of the fourth village whose own
 * application to become full waits in "my tasks", and whose case "我的入党申请" shows.
 */
export const DEMO_APPLICANT_SIGN_IN = { username: 'applicant', displayName: '何雨桐（申请人）', name: '何雨桐' };

/** One step of the path, with the day it is recorded on, counted from the application's. */
type Step = [taskKey: string, outcome: (a: IsoDate, entitledOn: (day: IsoDate) => Promise<number>) => Promise<Record<string, unknown>>];
const on = (a: IsoDate, months: number, days = 0) => addDays(addMonths(a, months), days);
const meeting = async (day: IsoDate, entitledOn: (day: IsoDate) => Promise<number>) => {
  const n = await entitledOn(day);
  return { meetingDate: day, entitled: n, present: n, for: n, against: 0, abstain: 0 };
};
/**
 * The whole path at its shortest: an activist from a month after the application, proposed as 发展对象 at their second
 * review a year on, the 入党志愿书 filled in a week after the pre-review, admitted three months later (a+16m), full when
 * the year's probation ends (a+28m).
 */
export const PATH: Step[] = [
  ['talk', async (a) => ({ talkedOn: on(a, 0, 5), talkedBy: '支部书记' })],
  ['activist', async (a) => ({ decision: 'accept', decidedOn: on(a, 1), recommendedBy: 'members', contacts: ['王建军', '李秀梅'] })],
  ['activist-filing', async (a) => ({ filedOn: on(a, 1, 5) })],
  ['activist-review', async (a) => ({ reviewedOn: on(a, 7), summary: '参加党课学习，表现积极', next: 'continue' })],
  ['activist-review-2', async (a) => ({ reviewedOn: on(a, 13), summary: '培养满一年，条件基本成熟', next: 'candidate' })],
  ['candidate', async (a) => ({ decidedOn: on(a, 13), introducers: ['赵德胜', '钱玉兰'] })],
  ['candidate-filing', async (a) => ({ filedOn: on(a, 13, 3) })],
  ['vetting', async (a) => ({ vettedOn: on(a, 14), conclusion: 'pass', trainingDays: 3 })],
  ['branch-review', async (a) => ({ reviewedOn: on(a, 14, 10), decision: 'proceed' })],
  ['pre-review', async (a) => ({ reviewedOn: on(a, 15), decision: 'approve' })],
  ['application-form', async (a) => ({ filledOn: on(a, 15, 7), introducerOpinion: '赵德胜、钱玉兰：该同志入党动机端正，表现突出，同意介绍其入党。' })],
  ['admission-meeting', async (a, entitledOn) => meeting(on(a, 16), entitledOn)],
  ['admission-approval', async (a) => ({ decidedOn: on(a, 16, 20), decision: 'approve' })],
  ['oath', async (a) => ({ oathOn: on(a, 17) })],
  ['probation-review', async (a) => ({ reviewedOn: on(a, 22), summary: '按期参加组织生活，发挥作用较好' })],
  ['full-application', async (a) => ({ appliedOn: on(a, 27), text: '本人申请按期转为中共正式党员。' })],
  ['full-meeting', async (a, entitledOn) => ({ ...(await meeting(on(a, 28), entitledOn)), decision: 'full' })],
  ['full-approval', async (a) => ({ decidedOn: on(a, 28, 10), decision: 'approve' })],
  // Open since the admission's approval, filed by the county's organization department; last, so that the slices
  // above (the cases left at a stage) leave it open for the county.
  ['admission-filing', async (a) => ({ filedOn: on(a, 17) })],
];
/** The path through the step `key`: the step after it waits (a case left at a stage, here and in the tests). */
export const through = (key: string): Step[] => {
  const i = PATH.findIndex(([k]) => k === key);
  if (i < 0) throw new Error(`demo: no step ${key} on the path`);
  return PATH.slice(0, i + 1);
};
const DECLINED: Step[] = [PATH[0]!, ['activist', async (a) => ({ decision: 'decline', decidedOn: on(a, 1), note: '对党的认识尚浅，继续教育培养' })]];

interface DemoApplicant {
  village: 'v1' | 'v2' | 'v3' | 'v4';
  name: string;
  gender: Gender;
  birth: string;
  /** The application's day: months (and days) before today. */
  ago: [months: number, days?: number];
  /** The steps recorded; the next waits. */
  steps: Step[];
  user?: string;
}

/**
 * Who is where. The first village's secretary has two talks waiting (one two months overdue and escalated); the
 * township's organizer files, pre-reviews, and has an approval a month overdue; the second village's secretary a
 * review and a vetting, the third's a 发展对象's 入党志愿书 to record; the fourth village has a 预备党员 (the demo
 * applicant, their 转正申请 due in a fortnight), a full member, and a case ended.
 */
const APPLICANTS: DemoApplicant[] = [
  { village: 'v1', name: '刘子涵', gender: 'female', birth: '20010315', ago: [0, 5], steps: [] },
  { village: 'v1', name: '张浩然', gender: 'male', birth: '19990708', ago: [3], steps: [] },
  { village: 'v1', name: '陈思远', gender: 'male', birth: '19971120', ago: [2], steps: through('activist') },
  { village: 'v2', name: '杨梦琪', gender: 'female', birth: '19980602', ago: [14], steps: through('activist-review') },
  { village: 'v2', name: '黄俊杰', gender: 'male', birth: '19960914', ago: [20], steps: through('candidate-filing') },
  { village: 'v3', name: '周欣怡', gender: 'female', birth: '20000221', ago: [17], steps: through('branch-review') },
  { village: 'v3', name: '吴宇航', gender: 'male', birth: '19950430', ago: [20], steps: through('admission-meeting') },
  {
    village: 'v4',
    name: DEMO_APPLICANT_SIGN_IN.name,
    gender: 'female',
    birth: '19990111',
    ago: [27, 15],
    steps: through('probation-review'),
    user: DEMO_APPLICANT_SIGN_IN.username,
  },
  { village: 'v4', name: '郑凯文', gender: 'male', birth: '19940806', ago: [30], steps: PATH },
  { village: 'v4', name: '孙雅婷', gender: 'female', birth: '20020917', ago: [2], steps: DECLINED },
  // Last, so that the others' 身份证号 stay as they were: a 发展对象 whose 入党志愿书 waits, issued a month ago.
  { village: 'v3', name: '马晨阳', gender: 'male', birth: '19970312', ago: [16], steps: through('pre-review') },
];

export interface DemoApplicantCase {
  workflowId: string;
  organizationId: number;
  appliedOn: IsoDate;
  /** The steps to record, in order (the next one then waits). */
  steps: readonly Step[];
}

/** Records the demo's applications (each starts its case) and the demo applicant's sign-in, linked to theirs. */
export async function seedApplicants(
  sql: Sql,
  client: Client,
  cfg: Config,
  villages: Record<DemoApplicant['village'], string>,
  today: IsoDate,
  password: string,
): Promise<DemoApplicantCase[]> {
  const key = loadPersonalDataKey(cfg);
  const ids = new Map(
    (await sql<{ id: number; code: string }[]>`select id, code from organizations where code = any(${Object.values(villages)})`).map((o) => [o.code, o.id]),
  );
  const cases: DemoApplicantCase[] = [];
  for (const [i, p] of APPLICANTS.entries()) {
    const organizationId = ids.get(villages[p.village])!;
    const appliedOn = addDays(addMonths(today, -p.ago[0]), -(p.ago[1] ?? 0));
    // Born elsewhere (a 身份证号 of Beijing's 朝阳区): no member of the demo's register has it.
    const r = await recordApplication(sql, key, {
      organizationId,
      name: p.name,
      gender: p.gender,
      idNumber: withCheckDigit(`110105${p.birth}${String(900 + i)}`),
      phone: null,
      appliedOn,
      actor: 'secretary',
    });
    if ('refused' in r) throw new Error(`demo: the application of ${p.name} was refused: ${JSON.stringify(r.refused)}`);
    if (p.user) {
      const userId = await createUser(sql, { username: p.user, displayName: DEMO_APPLICANT_SIGN_IN.displayName, password, roles: [] });
      await sql`update applicants set user_id = ${userId} where id = ${r.id}`;
    }
    await client.workflow.start(recruitment, { workflowId: r.workflowId, taskQueue: cfg.TEMPORAL_TASK_QUEUE, args: [{ applicant: r.id }] });
    cases.push({ workflowId: r.workflowId, organizationId, appliedOn, steps: p.steps });
  }
  return cases;
}

/** Records one case's steps, each once its task is open, on the days of its path. */
export async function advanceApplicant(sql: Sql, client: Client, c: DemoApplicantCase): Promise<void> {
  const actor = machineActor('demo-admin');
  const entitledOn = (day: IsoDate) => fullMembersOnRegister(sql, c.organizationId, day);
  for (const [taskKey, outcome] of c.steps) {
    for (let i = 0; ; i++) {
      const [t] = await sql`select 1 from tasks where workflow_id = ${c.workflowId} and task_key = ${taskKey} and state in ('open', 'claimed', 'escalated')`;
      if (t) break;
      if (i >= 600) throw new Error(`demo: no ${taskKey} task in ${c.workflowId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await client.workflow.getHandle(c.workflowId).executeUpdate(completeTaskUpdate, {
      args: [{ taskKey, actor, outcome: await outcome(c.appliedOn, entitledOn) }],
    });
  }
}
