import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import { shanghaiDate } from '../domain/dates.js';
import { generateProvince } from './province.js';
import { insertOrganizations } from '../organizations/store.js';
import { AlreadyRunning, processId, startProcess as startOne, startTermElections } from '../processes/term-election.js';
import { addDays } from '../domain/dates.js';
import { liaisonDispatch } from '../../workflows/liaison-dispatch/workflow.js';
import { createHash, randomUUID } from 'node:crypto';
import { twoRecommendationsOneElection } from '../../workflows/two-recommendations-one-election/workflow.js';
import { attachEvidenceUpdate, pairing, recordMilestoneUpdate } from '../../workflows/pairing/workflow.js';
import { rotationTraining, enrolTrainingUpdate, newSecretaryUpdate } from '../../workflows/rotation-training/workflow.js';
import { completeTaskUpdate, machineActor } from '../../workflows/messages.js';
import { cancelProcessUpdate } from '../../workflows/process-control.js';
import { createUser } from '../auth/users.js';
import { startAssessment } from '../processes/assessment.js';
import { assessmentRulesFor } from '../domain/assessment.js';
import { demoReturns } from './returns.js';
import type { Role } from '../auth/principal.js';

/** Starts a demo process; one already running (a first start interrupted and repeated) is left as it is. */
const startProcess: typeof startOne = async (...args) => {
  try {
    return await startOne(...args);
  } catch (err) {
    if (err instanceof AlreadyRunning) return err.id;
    throw err;
  }
};

/** Demo sign-ins, one per role (README): password orglife-demo. */
export const DEMO_PASSWORD = 'orglife-demo';
export const DEMO_SIGN_INS: { username: string; role: Role; level: 'province' | 'county' | 'township' | 'village' }[] = [
  { username: 'demo-admin', role: 'admin', level: 'province' },
  { username: 'organizer', role: 'organizer', level: 'county' },
  { username: 'supervisor', role: 'supervisor', level: 'county' },
  { username: 'secretary', role: 'secretary', level: 'village' },
  { username: 'liaison', role: 'liaison_officer', level: 'township' },
];

/** On an empty database (first `npm start`), a small demo province with term elections running. */
export async function seedDemoIfEmpty(sql: Sql, client: Client, cfg: Config, log: Logger): Promise<void> {
  const [some] = await sql`select 1 from organizations limit 1`;
  if (some) return;
  const rows = [...generateProvince({ cities: 3, countiesPerCity: 2, townshipsPerCounty: 3, villagesPerTownship: 6 }, shanghaiDate(Date.now()))];
  // Urban units of the first county's organs, the partners of the demo's urban–rural pairings.
  const firstCounty = rows.find((r) => r.code.length === 6)!;
  rows.push(
    ...['县财政局机关党支部', '县人民医院党支部'].map((name, i) => ({
      ...firstCounty,
      code: `${firstCounty.code}G0${i + 1}`,
      parent_code: firstCounty.code,
      name: `中共${name}`,
      type: 'branch' as const,
      sector: i === 0 ? 'government' : 'institution',
      term_years: 3,
      full_members: 25 + 10 * i,
      probationary_members: 1,
    })),
  );
  await insertOrganizations(sql, rows);
  const ids = new Map((await sql<{ id: number; code: string }[]>`select id, code from organizations`).map((o) => [o.code, o.id]));
  const county = rows.find((r) => r.code.length === 6)!.code;
  const township = rows.find((r) => r.code.length === 9)!.code;
  const village = rows.find((r) => r.parent_code === township && r.type === 'branch')!.code;
  const at = { province: '42', county, township, village };
  for (const { username, role, level } of DEMO_SIGN_INS) {
    await createUser(sql, { username, password: DEMO_PASSWORD, roles: [{ role, organizationId: ids.get(at[level])! }] });
  }
  const codes = rows.filter((r) => r.type !== 'unit').map((r) => r.code);
  const started = await startTermElections(sql, client, cfg.TEMPORAL_TASK_QUEUE, codes);
  // Rotation training for the village and community secretaries of the first county, and a session there.
  const trainees = rows.filter((r) => r.type !== 'unit' && (r.sector === 'rural' || r.sector === 'community') && r.code.startsWith(county) && r.code.length > 9);
  for (const r of trainees) {
    await startProcess(sql, client, cfg.TEMPORAL_TASK_QUEUE, { kind: 'rotation-training', organization: r.code, organizationId: ids.get(r.code)!, workflow: rotationTraining, args: [{ organization: r.code }] });
  }
  // Liaison dispatch for the units (firms, social organizations) without a Party organization.
  const units = rows.filter((r) => r.type === 'unit').slice(0, 12);
  for (const r of units) {
    await startProcess(sql, client, cfg.TEMPORAL_TASK_QUEUE, { kind: 'liaison-dispatch', organization: r.code, organizationId: ids.get(r.code)!, workflow: liaisonDispatch, args: [{ organization: r.code }] });
  }
  // Two recommendations, one election in three villages of the first county; urban–rural pairings of four other
  // villages with two organs of the county.
  const villages = trainees.filter((r) => r.sector === 'rural');
  const selections = villages.slice(0, 3);
  for (const r of selections) {
    await startProcess(sql, client, cfg.TEMPORAL_TASK_QUEUE, { kind: 'two-recommendations-one-election', organization: r.code, organizationId: ids.get(r.code)!, workflow: twoRecommendationsOneElection, args: [{ organization: r.code }] });
  }
  const partners = [`${firstCounty.code}G01`, `${firstCounty.code}G02`];
  const pairs = villages.slice(3, 7).map((r, i) => [r.code, partners[i % partners.length]!] as const);
  for (const [village, partner] of pairs) {
    await startProcess(sql, client, cfg.TEMPORAL_TASK_QUEUE, { kind: 'pairing', organization: village, organizationId: ids.get(village)!, workflow: pairing, args: [{ organization: village, partner }] });
  }
  const today = shanghaiDate(Date.now());
  await sql`insert into training_sessions (code, organization_id, title, starts_on, ends_on, capacity)
            values ('DEMO-TRAINING-1', ${ids.get(county)!}, '村（社区）党组织书记轮训班', ${addDays(today, 7)}, ${addDays(today, 11)}, 100)
            on conflict do nothing`;
  // This year's returns, as the villages and communities would have filed them by now (the rule set in force says
  // what they report against; a year whose rules assess no returns gets none).
  const returnRules = assessmentRulesFor(today).yearlyReturn;
  const returns = returnRules ? [...demoReturns(rows, returnRules)] : [];
  for (const { code, figures: f } of returns) {
    await sql`
      insert into yearly_returns (organization_id, year, activists_trained, reserve_cadres, funding_yuan, households, member_funding_yuan,
                                  student_members, venue_sqm, central_district, committee_members_under_35, updated_by, updated_at)
      values (${ids.get(code)!}, ${Number(today.slice(0, 4))}, ${f.activistsTrained}, ${f.reserveCadres}, ${f.funding}, ${f.households}, ${f.memberFunding},
              ${f.studentMembers}, ${f.venueSqm}, ${f.centralDistrict}, ${f.committeeMembersUnder35}, 'demo-admin', now())
      on conflict do nothing`;
  }
  log.info({ organizations: rows.length, termElections: started, rotationTraining: trainees.length, yearlyReturns: returns.length }, 'seeded a demo province');
  // Move some instances along so the demo shows several states; in the background, the UI is usable meanwhile.
  // Then this year's assessment so far, so that the ranking has something to show.
  const assess = () =>
    startAssessment(client, cfg.TEMPORAL_TASK_QUEUE, Number(today.slice(0, 4))).catch((err) => {
      if (!(err instanceof AlreadyRunning)) throw err;
    });
  if (cfg.ORGLIFE_DEMO_ADVANCE) {
    void advanceDemo(sql, client, trainees.map((r) => r.code), units.map((r) => r.code), selections.map((r) => r.code), pairs.map(([v]) => v))
      .catch((err) => log.warn({ err }, 'demo: advancing processes failed'))
      .then(assess)
      .catch((err) => log.warn({ err }, 'demo: the assessment did not start'));
  } else await assess();
}

/** Drives a few demo processes through their steps as a person would (through their Updates). */
async function advanceDemo(sql: Sql, client: Client, trainees: string[], units: string[], selections: string[] = [], paired: string[] = []): Promise<void> {
  const actor = machineActor('demo-admin');
  const openTask = async (workflowId: string, step: string) => {
    for (let i = 0; i < 900; i++) {
      const [t] = await sql<{ task_key: string }[]>`
        select t.task_key from tasks t join processes p on p.workflow_id = t.workflow_id
        where t.workflow_id = ${workflowId} and t.step = ${step} and t.state in ('open', 'claimed', 'escalated') and p.current_step = ${step}`;
      if (t) return t.task_key;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`demo: no ${step} task in ${workflowId}`);
  };
  const complete = async (workflowId: string, step: string, outcome: Record<string, unknown>) =>
    client.workflow.getHandle(workflowId).executeUpdate(completeTaskUpdate, { args: [{ taskKey: await openTask(workflowId, step), actor, outcome }] });
  const waitForEvent = async (workflowId: string, eventKey: string) => {
    for (let i = 0; i < 900; i++) {
      const [p] = await sql`select 1 from process_events where workflow_id = ${workflowId} and event_key = ${eventKey}`;
      if (p) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`demo: ${workflowId} never recorded ${eventKey}`);
  };
  // Each demo instance on its own: one that is slow or refused does not hold the others back.
  const each = async <T>(items: T[], fn: (item: T) => Promise<unknown>) => {
    await Promise.all(items.map((i) => fn(i).catch(() => undefined)));
  };

  // Liaison dispatch: officers assigned to half the units, a few acknowledged and trained (visiting quarterly).
  await each(units.slice(0, Math.ceil(units.length / 2)), async (code) => {
    const id = processId('liaison-dispatch', code);
    await complete(id, 'assign-officer', { officer: 'liaison' });
    if (units.indexOf(code) < 3) {
      await complete(id, 'acknowledge', {});
      await complete(id, 'training', {});
    }
  });

  // Rotation training: half enrolled, a few trained (next cycle waiting), one new secretary.
  const sessionEndsOn = addDays(shanghaiDate(Date.now()), 11);
  await each(trainees.slice(0, Math.ceil(trainees.length / 2)), async (code) => {
    const id = processId('rotation-training', code);
    await openTask(id, 'training');
    await client.workflow.getHandle(id).executeUpdate(enrolTrainingUpdate, { args: [{ session: 'DEMO-TRAINING-1', sessionEndsOn, actor }] });
    if (trainees.indexOf(code) < 3) await complete(id, 'training', { session: 'DEMO-TRAINING-1', attended: true });
  });
  const changed = trainees.at(-1);
  if (changed) {
    await openTask(processId('rotation-training', changed), 'training').catch(() => undefined);
    await client.workflow.getHandle(processId('rotation-training', changed)).executeUpdate(newSecretaryUpdate, { args: [{ secretary: '王芳', reason: '换届后新任书记', actor }] }).catch(() => undefined);
  }

  // Two recommendations, one election: one plan published, one recommended twice (candidates to be fixed).
  const today = shanghaiDate(Date.now());
  await each(selections.slice(0, 2), async (code) => {
    const id = processId('two-recommendations-one-election', code);
    await complete(id, 'selection-plan', { post: 'secretary', seats: 1, villagerBasis: 'representatives', eligibility: '本村党员，具有高中以上文化程度', publishedOn: today });
    if (code !== selections[1]) return;
    const [o] = await sql<{ full_members: number; probationary_members: number }[]>`select full_members, probationary_members from organizations where code = ${code}`;
    const members = o!.full_members + o!.probationary_members;
    const present = Math.ceil(members * 0.9);
    await complete(id, 'members-recommendation', { entitled: members, present, votes: { 陈建国: Math.ceil(present * 0.6), 刘芳: Math.floor(present * 0.3) } });
    await complete(id, 'villagers-recommendation', { entitled: 45, present: 38, votes: { 陈建国: 20, 刘芳: 15 } });
  });

  // Pairings: the first has the plan's survey recorded with its evidence; the last is cancelled.
  const [firstPaired] = paired;
  if (firstPaired) {
    const id = processId('pairing', firstPaired);
    await each([id], async () => {
      await waitForEvent(id, 'c1:year-1-waiting');
      const bytes = Buffer.from('村情调查报告（演示）');
      const evidence = randomUUID();
      await sql`insert into evidence_files (id, workflow_id, deliverable, organization_id, filename, content_type, size_bytes, sha256, content, uploaded_by, uploaded_at)
                select ${evidence}, ${id}, 'plan', id, '村情调查报告.txt', 'text/plain; charset=utf-8', ${bytes.length}, ${createHash('sha256').update(bytes).digest('hex')}, ${bytes}, 'demo-admin', now()
                from organizations where code = ${firstPaired}`;
      const handle = client.workflow.getHandle(id);
      await handle.executeUpdate(attachEvidenceUpdate, { args: [{ id: evidence, deliverable: 'plan', sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, filename: '村情调查报告.txt', actor }] });
      await handle.executeUpdate(recordMilestoneUpdate, { args: [{ deliverable: 'plan', milestone: 'survey', achievedOn: today, evidence: [evidence], actor }] });
    });
  }
  const lastPaired = paired.length > 1 ? paired.at(-1) : undefined;
  if (lastPaired) {
    await waitForEvent(processId('pairing', lastPaired), 'c1:year-1-waiting').catch(() => undefined);
    await client.workflow.getHandle(processId('pairing', lastPaired)).executeUpdate(cancelProcessUpdate, { args: [{ actor, reason: '演示：帮扶单位调整' }] }).catch(() => undefined);
  }

  // Term elections whose request is open: some filed, some approved into candidates, one cancelled.
  const requests = await sql<{ workflow_id: string }[]>`
    select workflow_id from tasks where process = 'term-election' and step = 'election-request' and state = 'open' order by workflow_id limit 6`;
  const [a, b, c, d] = requests.map((r) => r.workflow_id);
  await each([a, b, c].filter((x): x is string => !!x), async (id) => {
    await complete(id, 'election-request', { seats: 5, nominationMethod: '党员推荐、群众推荐' });
    if (id === c) return;
    await complete(id, 'election-reply', { decision: 'approve' });
    if (id === a) await complete(id, 'candidates', { seats: 5, candidates: ['赵一', '钱二', '孙三', '李四', '周五', '吴六'] });
  });
  if (d) await client.workflow.getHandle(d).executeUpdate(cancelProcessUpdate, { args: [{ actor, reason: '演示：组织撤并，换届取消' }] }).catch(() => undefined);
}
