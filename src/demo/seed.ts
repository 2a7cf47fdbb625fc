import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import { shanghaiDate, type IsoDate } from '../domain/dates.js';
import { generateProvince, type OrganizationRow } from './province.js';
import { insertOrganizations } from '../organizations/store.js';
import { AlreadyRunning, processId, startProcess as startOne } from '../processes/start.js';
import { startTermElections } from '../processes/term-election.js';
import { addDays, addMonths } from '../domain/dates.js';
import { liaisonDispatch } from '../../workflows/liaison-dispatch/workflow.js';
import { createHash, randomUUID } from 'node:crypto';
import { twoRecommendationsOneElection } from '../../workflows/two-recommendations-one-election/workflow.js';
import { attachEvidenceUpdate, pairing, recordMilestoneUpdate } from '../../workflows/pairing/workflow.js';
import { rotationTraining, enrolTrainingUpdate, newSecretaryUpdate } from '../../workflows/rotation-training/workflow.js';
import { claimTaskUpdate, completeTaskUpdate, machineActor } from '../../workflows/messages.js';
import { cancelProcessUpdate } from '../../workflows/process-control.js';
import { createUser } from '../auth/users.js';
import { startAssessment } from '../processes/assessment.js';
import { RATINGS_SCHEDULE_ID } from '../processes/ratings-schedule.js';
import { assessmentRulesFor } from '../domain/assessment.js';
import { demoReturns } from './returns.js';
import type { Role } from '../auth/principal.js';
import type { ProcessKind, StepDef } from '../domain/step.js';
import * as termSteps from '../domain/term-election/steps.js';
import * as selectionSteps from '../domain/two-recommendations-one-election/steps.js';
import * as liaisonSteps from '../domain/liaison-dispatch/steps.js';
import * as trainingSteps from '../domain/rotation-training/steps.js';
import * as transferSteps from '../domain/member-transfer/steps.js';
import { withCheckDigit } from '../domain/members.js';
import { loadPrincipal } from '../auth/principal.js';
import { importMembers } from '../members/import.js';
import { loadPersonalDataKey, sealPersonalData } from '../members/personal-data.js';
import { issueTransfer, letterLastDay, type NewTransfer } from '../members/transfers.js';
import { initialsOf } from '../api/initials.js';
import { linkUser, registerAway } from '../members/store.js';
import { memberAway } from '../../workflows/member-away/workflow.js';
import { generateMembers, memberFile } from './members.js';
import { advanceApplicant, seedApplicants, type DemoApplicantCase } from './recruitment.js';
import { seedRecruitmentPlan } from './recruitment-plan.js';
import { advanceOrganizationLife, seedOrganizationLife, type DemoLife } from './organization-life.js';
import { seedPartyGroups } from './party-groups.js';

export { DEMO_APPLICANT_SIGN_IN } from './recruitment.js';
export { DEMO_GROUP_LEADER_SIGN_IN } from './party-groups.js';

/** Starts a demo process; one already running (a first start interrupted and repeated) is left as it is. */
const startProcess: typeof startOne = async (...args) => {
  try {
    return await startOne(...args);
  } catch (err) {
    if (err instanceof AlreadyRunning) return err.id;
    throw err;
  }
};

/** Where in the demo province a sign-in holds its role (resolved to codes when the province is seeded). */
type DemoPlace = 'province' | 'county' | 'township' | 'village' | 'village-2' | 'community' | 'county-2-township';

/**
 * Demo sign-ins (README, and the first screen of `npm start`): password orglife-demo. Organizers and supervisors
 * at the first county and at its first township, secretaries of two of that township's villages and of a
 * community, liaison officers in two counties; each has work waiting in "my tasks".
 */
export const DEMO_PASSWORD = 'orglife-demo';
export const DEMO_SIGN_INS: {
  username: string;
  displayName: string;
  role: Role;
  level: 'province' | 'county' | 'township' | 'village' | 'community';
  at: DemoPlace;
}[] = [
  { username: 'demo-admin', displayName: '省委组织部管理员', role: 'admin', level: 'province', at: 'province' },
  { username: 'organizer', displayName: '周建华（县委组织部）', role: 'organizer', level: 'county', at: 'county' },
  { username: 'supervisor', displayName: '郑海燕（县委）', role: 'supervisor', level: 'county', at: 'county' },
  { username: 'township-organizer', displayName: '张敏（镇党委组织委员）', role: 'organizer', level: 'township', at: 'township' },
  { username: 'township-supervisor', displayName: '刘建国（镇党委）', role: 'supervisor', level: 'township', at: 'township' },
  { username: 'secretary', displayName: '陈秀英（村党支部书记）', role: 'secretary', level: 'village', at: 'village' },
  { username: 'secretary-2', displayName: '杨志明（村党支部书记）', role: 'secretary', level: 'village', at: 'village-2' },
  { username: 'secretary-3', displayName: '黄丽华（社区党支部书记）', role: 'secretary', level: 'community', at: 'community' },
  { username: 'liaison', displayName: '吴涛（党建联络员）', role: 'liaison_officer', level: 'township', at: 'township' },
  { username: 'liaison-2', displayName: '孙磊（党建联络员）', role: 'liaison_officer', level: 'township', at: 'county-2-township' },
];

/**
 * A member of the first village's register (丰石村, the `secretary`'s) who signs in with no role: "我的党员信息" shows
 * their own record. Not among DEMO_SIGN_INS, every one of which has work in "my tasks"; a member has none.
 */
export const DEMO_MEMBER_SIGN_IN = { username: 'member', displayName: '王秀兰（丰石村党员）', name: '王秀兰', gender: 'female' as const };

/** The demo's province: six counties of four townships (the fourth a street of communities) of six villages. */
const SHAPE = { cities: 3, countiesPerCity: 2, townshipsPerCounty: 4, villagesPerTownship: 6 };
const CANDIDATES = [
  ['陈建国', '刘芳'],
  ['赵德胜', '钱玉兰'],
  ['孙立新', '李春梅'],
  ['周永强', '吴桂英'],
  ['郑国华', '王淑珍'],
] as const;

/** On an empty database (first `npm start`), a small demo province with every process under way. */
export async function seedDemoIfEmpty(sql: Sql, client: Client, cfg: Config, log: Logger): Promise<void> {
  const [some] = await sql`select 1 from organizations limit 1`;
  if (some) return;
  const began = performance.now();
  const today = shanghaiDate(Date.now());
  const rows = [...generateProvince(SHAPE, today)];
  const counties = rows.filter((r) => r.code.length === 6);
  const townshipsOf = (county: string) => rows.filter((r) => r.parent_code === county && r.code.length === 9);
  const branchesOf = (township: string) => rows.filter((r) => r.parent_code === township && r.type === 'branch');
  const [c1, c2, c3] = counties.map((c) => c.code) as [string, string, string];
  const [t1, t2, t3, t4] = townshipsOf(c1).map((t) => t.code) as [string, string, string, string];
  const [v1, v2, v3, v4, v5, v6] = branchesOf(t1).map((v) => v.code) as [string, string, string, string, string, string];
  const community = branchesOf(t4)[0]!.code;
  const c2t1 = townshipsOf(c2)[0]!.code;
  // Urban units of the first county's organs, the partners of the demo's urban–rural pairings; and two firms in
  // its development zone without a Party organization, whose liaison officer the county itself assigns.
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const county1 = byCode.get(c1)!;
  rows.push(
    ...['县财政局机关党支部', '县人民医院党支部'].map((name, i) => ({
      ...county1,
      code: `${c1}G0${i + 1}`,
      parent_code: c1,
      name: `中共${name}`,
      type: 'branch' as const,
      sector: i === 0 ? 'government' : 'institution',
      term_years: 3,
      full_members: 25 + 10 * i,
      probationary_members: 1,
    })),
    ...['经济开发区宏远电子有限公司', '经济开发区绿源食品有限公司'].map((name, i) => ({
      ...county1,
      code: `${c1}U0${i + 1}`,
      parent_code: c1,
      name,
      type: 'unit' as const,
      sector: 'nonpublic',
      term_years: null,
      term_started_on: null,
      secretary_name: '',
      secretary_phone: '',
      full_members: 1 + i,
      probationary_members: 0,
    })),
    // More units at the first township: the demo's liaison officer works there.
    ...[
      ['鑫达物流有限公司', 'nonpublic'],
      ['青年创业协会', 'social'],
    ].map(([name, sector], i) => ({
      ...county1,
      code: `${t1}U0${i + 2}`,
      parent_code: t1,
      name: name!,
      type: 'unit' as const,
      sector: sector!,
      term_years: null,
      term_started_on: null,
      secretary_name: '',
      secretary_phone: '',
      full_members: i,
      probationary_members: 0,
    })),
  );
  // Terms that end (or ended) on chosen days, so that the demo's people have requests due, overdue and escalated:
  // the term elections' own timers open and escalate them (request due 2 months before the term ends, escalations
  // 3, 10 and 20 working days after that).
  const endsIn: Record<string, number> = {
    [c1]: 400,
    [t1]: 120,
    [t2]: -60,
    [t3]: 120,
    [v1]: 150,
    [v2]: 52,
    [v3]: 120,
    [v4]: 120,
    [community]: 100,
    // Left without a term election: the one the walkthrough's organizer starts (its request opens at once).
    [branchesOf(t3)[0]!.code]: 100,
  };
  for (const [code, days] of Object.entries(endsIn)) {
    const r = byCode.get(code)!;
    r.term_started_on = addDays(addMonths(today, -12 * r.term_years!), days);
  }
  const names: Record<string, string> = { [v1]: '陈秀英', [v2]: '杨志明', [community]: '黄丽华' };
  for (const [code, name] of Object.entries(names)) byCode.get(code)!.secretary_name = name;
  // Every branch's register has a few 预备党员 (the import recounts the figures from the register anyway).
  for (const r of rows) if (r.type === 'branch') r.probationary_members = Math.max(1, r.probationary_members);
  await insertOrganizations(sql, rows);
  // Township committees elect at a delegates' conference (organizations.election_body): its delegates are entitled.
  await sql`update organizations set delegates = 120 where election_body = 'delegates_conference' and delegates is null`;
  const ids = new Map((await sql<{ id: number; code: string }[]>`select id, code from organizations`).map((o) => [o.code, o.id]));
  const at: Record<DemoPlace, string> = { province: '42', county: c1, township: t1, village: v1, 'village-2': v2, community, 'county-2-township': c2t1 };
  for (const { username, displayName, role, at: place } of DEMO_SIGN_INS) {
    await createUser(sql, { username, displayName, password: DEMO_PASSWORD, roles: [{ role, organizationId: ids.get(at[place])! }] });
  }
  const registerSeconds = await seedRegister(sql, cfg, rows, v1, today);
  const transfers = await seedMemberProcesses(sql, client, cfg, { v1, v2, v3, v4 }, today);
  const applicants = await seedApplicants(sql, client, cfg, { v1, v2, v3, v4 }, today, DEMO_PASSWORD);
  await seedRecruitmentPlan(sql, c1, t1, Number(today.slice(0, 4)));
  // The first township's villages keep 党小组 before their years are planned: a year under branch-life-2027 owes their meetings.
  await seedPartyGroups(sql, [v1, v2, v3, v4, v5, v6], today, DEMO_PASSWORD);
  const life = await seedOrganizationLife(sql, client, cfg, c1, today);
  const notStarted = branchesOf(t3)[0]!.code;
  const codes = rows.filter((r) => r.type !== 'unit' && r.code !== notStarted).map((r) => r.code);
  const started = await startTermElections(sql, client, cfg.TEMPORAL_TASK_QUEUE, codes);
  const start = <A extends unknown[]>(kind: ProcessKind, code: string, workflow: (...args: A) => Promise<unknown>, args: A) =>
    startProcess(sql, client, cfg.TEMPORAL_TASK_QUEUE, { kind, organization: code, organizationId: ids.get(code)!, workflow, args });
  // Rotation training for the village and community secretaries of the first county, and a session there.
  const trainees = rows.filter((r) => r.type !== 'unit' && (r.sector === 'rural' || r.sector === 'community') && r.code.startsWith(c1) && r.code.length > 9);
  await Promise.all(trainees.map((r) => start('rotation-training', r.code, rotationTraining, [{ organization: r.code }])));
  // Liaison dispatch for the units (firms, social organizations) without a Party organization of two counties;
  // officers are assigned to some at the first townships of both (the demo's liaison officers work there), the
  // others wait for their township's or county's organizer.
  const units = rows.filter((r) => r.type === 'unit' && (r.code.startsWith(c1) || r.code.startsWith(c2)));
  await Promise.all(units.map((r) => start('liaison-dispatch', r.code, liaisonDispatch, [{ organization: r.code }])));
  // Two recommendations, one election in villages of three counties (one village of the third county, where it
  // waits for its plan); urban–rural pairings of four villages of the second township with the county's organs.
  const selections = [
    v5,
    v6,
    v1,
    v2,
    ...branchesOf(t2)
      .slice(0, 3)
      .map((v) => v.code),
    branchesOf(c2t1)[0]!.code,
    branchesOf(townshipsOf(c3)[0]!.code)[0]!.code,
  ];
  await Promise.all(selections.map((code) => start('two-recommendations-one-election', code, twoRecommendationsOneElection, [{ organization: code }])));
  const partners = [`${c1}G01`, `${c1}G02`];
  const pairs = branchesOf(t2)
    .slice(2, 6)
    .map((r, i) => [r.code, partners[i % partners.length]!] as const);
  await Promise.all(pairs.map(([village, partner]) => start('pairing', village, pairing, [{ organization: village, partner }])));
  // Begun today: the demo records some secretaries' attendance, which is recorded on or after a session's first day.
  await sql`insert into training_sessions (code, organization_id, title, starts_on, ends_on, capacity)
            values ('DEMO-TRAINING-1', ${ids.get(c1)!}, '村（社区）党组织书记轮训班', ${today}, ${addDays(today, 4)}, 100)
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
  const [register] = await sql<{ n: number }[]>`select count(*)::int as n from members`;
  log.info(
    {
      organizations: rows.length,
      members: register!.n,
      termElections: started,
      rotationTraining: trainees.length,
      yearlyReturns: returns.length,
      seconds: +((performance.now() - began) / 1000).toFixed(1),
      registerSeconds,
    },
    'seeded a demo province',
  );
  // Move instances along so the demo shows several states; in the background, the UI is usable meanwhile.
  // Then this year's assessment so far, so that the ranking has something to show (一肩挑 included).
  // The ratings (三色管理) of the seeded province at once, not at the Schedule's next firing (the worker created it
  // before the seed, so it is there); the Schedule's overlap policy skips a trigger while a recompute runs.
  const rate = () =>
    client.schedule
      .getHandle(RATINGS_SCHEDULE_ID)
      .trigger()
      .catch((err) => log.warn({ err }, 'demo: the ratings did not start'));
  const assess = () =>
    startAssessment(client, cfg.TEMPORAL_TASK_QUEUE, Number(today.slice(0, 4))).catch((err) => {
      if (!(err instanceof AlreadyRunning)) throw err;
    });
  const plan: DemoPlan = {
    trainees: trainees.map((r) => r.code),
    liaison: { liaison: [`${t1}U01`, `${t1}U02`], 'liaison-2': [`${c2t1}U01`] },
    selections: {
      approved: [
        [v5, 'yes'],
        [branchesOf(t2)[0]!.code, 'yes'],
        [branchesOf(t2)[1]!.code, 'no'],
        [branchesOf(c2t1)[0]!.code, 'yes'],
      ],
      awaitingApproval: v6,
      recommending: v2,
      noSuitableCandidate: branchesOf(t2)[2]!.code,
    },
    paired: pairs.map(([v]) => v),
    requests: { filed: [t1, v3], approved: [t3, v4], keep: [v1, v2, t2, community] },
    adminClaimsIn: c3,
    transfers,
    applicants,
    life,
  };
  if (cfg.ORGLIFE_DEMO_ADVANCE) {
    void advanceDemo(sql, client, plan, log)
      .catch((err) => log.warn({ err }, 'demo: advancing processes failed'))
      .then(rate)
      .then(assess)
      .catch((err) => log.warn({ err }, 'demo: the assessment did not start'));
  } else {
    await rate();
    await assess();
  }
}

/**
 * Every branch's member register, imported as the province's organizer would import the member system's export:
 * through importMembers, as demo-admin, so the personal data is sealed and the figures are the register's. Before
 * any process starts, so that every process reads the register's figures. One member of `village` is linked to
 * the demo member's user. Answers the seconds it took.
 */
async function seedRegister(sql: Sql, cfg: Config, rows: readonly OrganizationRow[], village: string, today: string): Promise<number> {
  const t0 = performance.now();
  const [admin] = await sql<{ id: number }[]>`select id from users where username = 'demo-admin'`;
  const principal = (await loadPrincipal(sql, admin!.id))!;
  const branches = rows
    .filter((r) => r.type === 'branch')
    .map((r) => ({
      code: r.code,
      sector: r.sector,
      full: r.full_members,
      probationary: r.probationary_members,
      ...(r.code === village ? { first: { name: DEMO_MEMBER_SIGN_IN.name, gender: DEMO_MEMBER_SIGN_IN.gender } } : {}),
    }));
  await importMembers(sql, memberFile(generateMembers(branches, today)), {
    principal,
    actor: 'demo-admin',
    source: 'demo',
    key: loadPersonalDataKey(cfg),
  });
  const userId = await createUser(sql, {
    username: DEMO_MEMBER_SIGN_IN.username,
    displayName: DEMO_MEMBER_SIGN_IN.displayName,
    password: DEMO_PASSWORD,
    roles: [],
  });
  // The register's first row of the village is the demo member (generateMembers' `first`).
  const [member] = await sql<{ id: number }[]>`
    select m.id from members m join organizations o on o.id = m.organization_id where o.code = ${village} order by m.id limit 1`;
  await linkUser(sql, member!.id, userId, 'demo-admin');
  return +((performance.now() - t0) / 1000).toFixed(1);
}

interface DemoPlan {
  trainees: string[];
  /** Units whose officer is assigned, by officer (inside the officer's township); the first of `liaison`'s also acknowledged and trained. */
  liaison: Record<string, string[]>;
  selections: { approved: [string, 'yes' | 'no'][]; awaitingApproval: string; recommending: string; noSuitableCandidate: string };
  paired: string[];
  /** Term elections: requests filed (a reply waits), filed and approved with candidates proposed (a review waits). */
  requests: { filed: string[]; approved: string[]; keep: string[] };
  /** The admin takes over an escalated request, in this county if it has one. */
  adminClaimsIn: string;
  /** Transfers the demo's people complete (the member reported), refuse, or close by the letter's receipt. */
  transfers: { received: string[]; refused: string[]; receipted: string[] };
  /** 发展党员: each applicant's steps to record, after which the next waits (src/demo/recruitment.ts). */
  applicants: DemoApplicantCase[];
  /** 三会一课: the first county's branches, whose meetings are recorded (src/demo/organization-life.ts). */
  life: DemoLife;
}

/**
 * 组织关系转接 in every state, between the demo's villages and to and from outside the province, issued as the
 * sending (or, from outside, the receiving) secretary would (src/members/transfers.ts): some wait in the demo
 * secretaries' tasks, the others are completed, refused or receipted by advanceDemo. And members away: one of the
 * village's, away seven months (the transfer question waits in its secretary's tasks), one abroad.
 */
async function seedMemberProcesses(
  sql: Sql,
  client: Client,
  cfg: Config,
  v: { v1: string; v2: string; v3: string; v4: string },
  today: IsoDate,
): Promise<DemoPlan['transfers']> {
  const orgId = async (code: string) => (await sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id;
  const [o1, o2, o3, o4] = await Promise.all([v.v1, v.v2, v.v3, v.v4].map(orgId));
  // Full members of a village on its register who are neither the demo member nor away, oldest records first.
  const membersOf = async (organizationId: number, n: number) =>
    (
      await sql<{ id: number }[]>`
        select id from members where organization_id = ${organizationId} and status = 'normal' and category = 'full' and user_id is null
        order by id limit ${n}`
    ).map((m) => m.id);
  const issue = (t: Omit<NewTransfer, 'validUntil'>) => issueTransfer(sql, client, cfg.TEMPORAL_TASK_QUEUE, { ...t, validUntil: letterLastDay(today) });
  const [toV1, refused] = await membersOf(o2!, 2);
  const [outV1, outV3] = await membersOf(o1!, 2);
  const [fromV3] = await membersOf(o3!, 1);
  const key = loadPersonalDataKey(cfg);
  const incoming = (name: string, gender: 'male' | 'female', birth: string, seq: number) => {
    const id = withCheckDigit(`430104${birth}${String(seq).padStart(3, '0')}`);
    return {
      name,
      name_initials: initialsOf(name),
      gender,
      ethnicity: '汉族',
      birth_date: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`,
      education: '大学本科',
      ...sealPersonalData(key, id, null),
      joined_on: '2015-07-01',
      full_on: '2016-07-01',
      category: 'full',
      occupation: null,
    };
  };
  // Waiting in the demo secretaries' tasks: the village's secretary receives one from the second village and one from
  // Hunan, and keeps a letter to Guangdong whose receipt has not come back.
  await issue({
    direction: 'within',
    memberId: toV1!,
    fromOrganizationId: o2!,
    toOrganizationId: o1!,
    letterNumber: '鄂组转〔2026〕101号',
    reason: '工作调动',
    actor: 'secretary-2',
  });
  await issue({
    direction: 'in',
    toOrganizationId: o1!,
    outside: '湖南省长沙市岳麓区某社区党委',
    letterNumber: '湘组转〔2026〕17号',
    incoming: incoming('罗志强', 'male', '19870312', 11),
    actor: 'secretary',
  });
  await issue({
    direction: 'out',
    memberId: outV1!,
    fromOrganizationId: o1!,
    outside: '广东省深圳市南山区某街道党工委',
    letterNumber: '鄂组转〔2026〕102号',
    reason: '外出务工，就地转接',
    actor: 'secretary',
  });
  // Moved along by advanceDemo: received, refused, receipted.
  const received = [
    await issue({
      direction: 'within',
      memberId: fromV3!,
      fromOrganizationId: o3!,
      toOrganizationId: o2!,
      letterNumber: '鄂组转〔2026〕103号',
      reason: '婚嫁迁居',
      actor: 'demo-admin',
    }),
    await issue({
      direction: 'in',
      toOrganizationId: o2!,
      outside: '河南省信阳市某镇党委',
      letterNumber: '豫组转〔2026〕5号',
      incoming: incoming('李秋云', 'female', '19920607', 12),
      actor: 'secretary-2',
    }),
  ];
  const refusedOne = await issue({
    direction: 'within',
    memberId: refused!,
    fromOrganizationId: o2!,
    toOrganizationId: o4!,
    letterNumber: '鄂组转〔2026〕104号',
    actor: 'secretary-2',
  });
  const receipted = await issue({
    direction: 'out',
    memberId: outV3!,
    fromOrganizationId: o1!,
    outside: '浙江省杭州市某社区党委',
    letterNumber: '鄂组转〔2026〕105号',
    actor: 'secretary',
  });
  const [away, abroad] = await membersOf(o1!, 4).then((ids) => ids.slice(2));
  for (const [memberId, kind, place, since, contactName] of [
    [away!, 'away', '广东省东莞市长安镇', addMonths(today, -7), '家属 王桂兰'],
    [abroad!, 'abroad', '德国柏林（留学）', addMonths(today, -2), null],
  ] as const) {
    const period = await registerAway(sql, key, { memberId, kind, place, since, contactName, contactPhone: null, reason: '外出', actor: 'secretary' });
    if (period) await client.workflow.start(memberAway, { workflowId: period.workflowId, taskQueue: cfg.TEMPORAL_TASK_QUEUE, args: [{ away: period.id }] });
  }
  return { received: received.map((t) => t.workflowId), refused: [refusedOne.workflowId], receipted: [receipted.workflowId] };
}

/** Drives the demo processes through their steps as people would (through the workflows' own Updates). */
async function advanceDemo(sql: Sql, client: Client, plan: DemoPlan, log: Logger): Promise<void> {
  const actor = machineActor('demo-admin');
  const today = shanghaiDate(Date.now());
  const openTask = async (workflowId: string, { step }: Pick<StepDef, 'step'>) => {
    for (let i = 0; i < 900; i++) {
      const [t] = await sql<{ task_key: string }[]>`
        select t.task_key from tasks t join processes p on p.workflow_id = t.workflow_id
        where t.workflow_id = ${workflowId} and t.step = ${step} and t.state in ('open', 'claimed', 'escalated') and p.current_step = ${step}`;
      if (t) return t.task_key;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`demo: no ${step} task in ${workflowId}`);
  };
  const complete = async (workflowId: string, def: Pick<StepDef, 'step'>, outcome: Record<string, unknown>) =>
    client.workflow.getHandle(workflowId).executeUpdate(completeTaskUpdate, { args: [{ taskKey: await openTask(workflowId, def), actor, outcome }] });
  const waitForEvent = async (workflowId: string, eventKey: string) => {
    for (let i = 0; i < 900; i++) {
      const [p] = await sql`select 1 from process_events where workflow_id = ${workflowId} and event_key = ${eventKey}`;
      if (p) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`demo: ${workflowId} never recorded ${eventKey}`);
  };
  // Each demo instance on its own: one that is slow or refused does not hold the others back, but says so.
  const each = async <T>(items: readonly T[], fn: (item: T) => Promise<unknown>) => {
    await Promise.all(items.map((i) => fn(i).catch((err) => log.warn({ err, item: i }, 'demo: an instance did not move along'))));
  };
  const membersOf = async (code: string) =>
    (
      await sql<{ full_members: number; probationary_members: number }[]>`select full_members, probationary_members from organizations where code = ${code}`
    )[0]!;

  // Transfers: two members reported (one from outside the province), one refused, one letter's receipt back.
  await each(plan.transfers.received, (id) => complete(id, transferSteps.acceptTransfer, { decision: 'accepted', reportedOn: today }));
  await each(plan.transfers.refused, (id) => complete(id, transferSteps.acceptTransfer, { decision: 'refused', note: '本人未到本村居住' }));
  await each(plan.transfers.receipted, (id) => complete(id, transferSteps.transferReceipt, { decision: 'received', receivedOn: today }));

  // 发展党员: each applicant's case to its stage, side by side with the rest (the longest path is seventeen steps).
  const recruiting = each(plan.applicants, (c) => advanceApplicant(sql, client, c));
  // 三会一课: the county's year of meetings, beside the rest.
  const living = advanceOrganizationLife(sql, client, plan.life, today).catch((err) => log.warn({ err }, 'demo: meetings were not recorded'));

  // Liaison dispatch: officers assigned to some units (the rest wait for the organizers), the first acknowledged and trained.
  await each(Object.entries(plan.liaison), async ([officer, units]) =>
    each(units, async (code) => {
      const id = processId('liaison-dispatch', code);
      await complete(id, liaisonSteps.assignOfficer, { officer });
      if (code === units[0] && officer === 'liaison') {
        await complete(id, liaisonSteps.acknowledge, {});
        await complete(id, liaisonSteps.officerTraining, {});
      }
    }),
  );

  // Rotation training: half enrolled, a few trained (next cycle waiting), one new secretary.
  const { trainees } = plan;
  const sessionEndsOn = addDays(today, 4);
  await each(trainees.slice(0, Math.ceil(trainees.length / 2)), async (code) => {
    const id = processId('rotation-training', code);
    await openTask(id, trainingSteps.training);
    await client.workflow
      .getHandle(id)
      .executeUpdate(enrolTrainingUpdate, { args: [{ session: 'DEMO-TRAINING-1', sessionEndsOn, sessionStartsOn: today, actor }] });
    // Trained: three secretaries past the demo's own (whose training stays in their "my tasks").
    const i = trainees.indexOf(code);
    if (i >= 3 && i < 6) await complete(id, trainingSteps.training, { session: 'DEMO-TRAINING-1', attended: true });
  });
  const changed = trainees.at(-1);
  if (changed) {
    await openTask(processId('rotation-training', changed), trainingSteps.training).catch(() => undefined);
    await client.workflow
      .getHandle(processId('rotation-training', changed))
      .executeUpdate(newSecretaryUpdate, { args: [{ secretary: '王芳', reason: '换届后新任书记', actor }] })
      .catch(() => undefined);
  }

  // Two recommendations, one election: several villages through to the township's approval with the secretary's
  // 一肩挑 recorded (the ranking's rate), one waiting for that approval, one with no suitable candidate (a first
  // secretary to dispatch), one at the members' recommendation; the others wait for the township's plan.
  const { approved, awaitingApproval, recommending, noSuitableCandidate } = plan.selections;
  const selectSecretary = async (code: string, i: number, until: 'members' | 'candidates' | 'secretary' | 'approved', concurrentHead: 'yes' | 'no' = 'yes') => {
    const id = processId('two-recommendations-one-election', code);
    const [first, second] = CANDIDATES[i % CANDIDATES.length]!;
    await complete(id, selectionSteps.selectionPlan, {
      post: 'secretary',
      seats: 1,
      villagerBasis: 'representatives',
      eligibility: '本村党员，具有高中以上文化程度',
      publishedOn: today,
    });
    if (until === 'members') return;
    const o = await membersOf(code);
    const members = o.full_members + o.probationary_members;
    const present = Math.ceil(members * 0.9);
    await complete(id, selectionSteps.membersRecommendation, {
      entitled: members,
      present,
      votes: { [first]: Math.ceil(present * 0.6), [second]: Math.floor(present * 0.3) },
    });
    await complete(id, selectionSteps.villagersRecommendation, { entitled: 45, present: 38, votes: { [first]: 20, [second]: 15 } });
    if (until === 'candidates') {
      await complete(id, selectionSteps.preliminaryCandidates, { decision: 'no-suitable-candidate', reason: '推荐人选均不符合任职条件，拟选派第一书记' });
      return;
    }
    await complete(id, selectionSteps.preliminaryCandidates, { decision: 'candidates', candidates: [first, second] });
    const voters = Math.ceil(o.full_members * 0.9);
    await complete(id, selectionSteps.selectionElection, {
      entitled: o.full_members,
      present: voters,
      ballotsIssued: voters,
      ballotsReturned: voters,
      votes: { [first]: Math.ceil(voters * 0.7), [second]: Math.floor(voters * 0.3) },
    });
    await complete(id, selectionSteps.selectionSecretary, { secretary: first, concurrentHead });
    if (until === 'approved') await complete(id, selectionSteps.townshipApproval, { decision: 'approve', comments: '同意，报县委组织部备案' });
  };
  await each(approved, ([code, head]) =>
    selectSecretary(
      code,
      approved.findIndex(([c]) => c === code),
      'approved',
      head,
    ),
  );
  await each([awaitingApproval], (code) => selectSecretary(code, 1, 'secretary'));
  await each([noSuitableCandidate], (code) => selectSecretary(code, 2, 'candidates'));
  await each([recommending], (code) => selectSecretary(code, 3, 'members'));

  // Pairings: the first has the plan's survey recorded with its evidence; the last is cancelled.
  const [firstPaired] = plan.paired;
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
      await handle.executeUpdate(attachEvidenceUpdate, {
        args: [
          {
            id: evidence,
            deliverable: 'plan',
            sha256: createHash('sha256').update(bytes).digest('hex'),
            size: bytes.length,
            filename: '村情调查报告.txt',
            actor,
          },
        ],
      });
      await handle.executeUpdate(recordMilestoneUpdate, {
        args: [{ deliverable: 'plan', milestone: 'survey', achievedOn: today, evidence: [evidence], actor }],
      });
    });
  }
  const lastPaired = plan.paired.length > 1 ? plan.paired.at(-1) : undefined;
  if (lastPaired) {
    await waitForEvent(processId('pairing', lastPaired), 'c1:year-1-waiting').catch(() => undefined);
    await client.workflow
      .getHandle(processId('pairing', lastPaired))
      .executeUpdate(cancelProcessUpdate, { args: [{ actor, reason: '演示：帮扶单位调整' }] })
      .catch(() => undefined);
  }

  // Term elections: requests filed (the supervisor's reply waits), filed and approved with candidates proposed (the
  // review waits); elsewhere a few more along, one cancelled; the admin takes over an escalated one.
  const request = { electionDate: addDays(today, 45), seats: 5, nominationMethod: 'combined' };
  const candidates = ['赵一', '钱二', '孙三', '李四', '周五', '吴六'];
  const termId = (code: string) => processId('term-election', code);
  await each(plan.requests.filed, (code) => complete(termId(code), termSteps.electionRequest, request));
  await each(plan.requests.approved, async (code) => {
    await complete(termId(code), termSteps.electionRequest, request);
    await complete(termId(code), termSteps.electionReply, { decision: 'approve' });
    await complete(termId(code), termSteps.candidates, { seats: 5, candidates });
  });
  const planned = [...plan.requests.filed, ...plan.requests.approved, ...plan.requests.keep].map(termId);
  const others = await sql<{ workflow_id: string }[]>`
    select workflow_id from tasks where process = ${termSteps.electionRequest.process} and step = ${termSteps.electionRequest.step} and state = 'open'
      and not (workflow_id = any(${planned})) order by workflow_id limit 4`;
  const [a, b, c, d] = others.map((r) => r.workflow_id);
  await each(
    [a, b, c].filter((x): x is string => !!x),
    async (id) => {
      await complete(id, termSteps.electionRequest, request);
      if (id === c) return;
      await complete(id, termSteps.electionReply, { decision: 'approve' });
      if (id === a) await complete(id, termSteps.candidates, { seats: 5, candidates });
    },
  );
  if (d)
    await client.workflow
      .getHandle(d)
      .executeUpdate(cancelProcessUpdate, { args: [{ actor, reason: '演示：组织撤并，换届取消' }] })
      .catch(() => undefined);
  const [escalated] = await sql<{ workflow_id: string; task_key: string }[]>`
    select t.workflow_id, t.task_key from tasks t join organizations o on o.id = t.organization_id
    where t.process = 'term-election' and t.state = 'escalated' and t.claimed_by is null and not (t.workflow_id = any(${planned}))
    order by o.code like ${`${plan.adminClaimsIn}%`} desc, t.workflow_id limit 1`;
  if (escalated) await client.workflow.getHandle(escalated.workflow_id).executeUpdate(claimTaskUpdate, { args: [{ taskKey: escalated.task_key, actor }] });
  await recruiting;
  await living;
}
