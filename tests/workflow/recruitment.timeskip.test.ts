import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkippingPerTest } from '../helpers/time-skipping.js';
import { recruitment } from '../../workflows/recruitment/workflow.js';
import { machineActor } from '../../workflows/messages.js';
import { addDays, addMonths, shanghaiDate, type IsoDate } from '../../src/domain/dates.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { personalDataKey, sealPersonalData } from '../../src/members/personal-data.js';
import { recountMembers } from '../../src/members/store.js';
import { recordApplication } from '../../src/recruitment/store.js';
import { createUser } from '../../src/auth/users.js';
import { recordHistory } from '../helpers/histories.js';

// 发展党员 at real durations on the time-skipping server: an applicant goes from the application to full member over
// two and a half years. On the way a half-year review is left undone until it escalates, the 发展对象 fills in their
// 入党志愿书 themselves once the pre-review issues it, signed in with no role, the admission meeting is held without a
// quorum of the register's full members and again, the probation is extended by six months, and the probationary
// member files their own application to become full. The register follows:
// a 预备党员 from the meeting's day, full from the probation's (extended) end.
describe('recruitment from application to full member at real durations (time-skipping server)', () => {
  const t = timeSkippingPerTest();
  const { county, rows: chain } = countyChain();
  const township = uniqueCode('T');
  const village = uniqueCode('V');
  const key = personalDataKey('a test key of thirty-two characters or more');
  let villageId = 0;

  beforeAll(async () => {
    await addOrganizations(t.sql, [...chain, orgRow(township, county, { type: 'committee', sector: 'regional' }), orgRow(village, township)]);
    const [o] = await t.sql<{ id: number }[]>`select id from organizations where code = ${village}`;
    villageId = o!.id;
    // Five full members on the branch's register since 2010: the meetings' entitled.
    for (let i = 0; i < 5; i++) {
      await t.sql`
        insert into members ${t.sql({
          organization_id: villageId,
          name: `老党员${i}`,
          gender: 'male',
          birth_date: '1960-01-01',
          joined_on: '2010-07-01',
          full_on: '2011-07-01',
          category: 'full',
          ...sealPersonalData(key, withCheckDigit(`4201021960010170${i}`), null),
        })}`;
    }
    await recountMembers(t.sql, [villageId]);
  });

  it('takes the applicant through the five stages, with a missed review, a meeting without quorum and an extended probation', async () => {
    const { sql, ts } = t;
    const today = async () => shanghaiDate(await ts.env.currentTimeMs());
    const sleep = (d: string) => ts.env.sleep(d);
    const username = `recruit-${village.toLowerCase()}`;
    const applicant = { id: await createUser(sql, { username, password: 'correct horse battery', roles: [] }), username };

    // Under eighteen on the day: refused by field.
    const young = await recordApplication(sql, key, {
      organizationId: villageId,
      name: '少年',
      gender: 'male',
      idNumber: withCheckDigit(`42010220${String(new Date(await ts.env.currentTimeMs()).getUTCFullYear() - 2000 - 16).padStart(2, '0')}0101001`),
      phone: null,
      appliedOn: await today(),
      actor: 'sec',
    });
    expect(young).toEqual({ refused: [{ field: 'appliedOn', message: 'an applicant is 18 or older on the day they apply' }] });

    const started = await recordApplication(sql, key, {
      organizationId: villageId,
      name: '陈晓',
      gender: 'female',
      idNumber: withCheckDigit('42010219980808001'),
      phone: '13900000001',
      appliedOn: await today(),
      actor: 'sec',
    });
    if ('refused' in started) throw new Error(JSON.stringify(started.refused));
    await sql`update applicants set user_id = ${applicant.id} where id = ${started.id}`;
    const appliedOn = await today();
    const stage = async () => (await sql<{ stage: string }[]>`select stage from applicants where id = ${started.id}`)[0]!.stage;
    const tasks = () =>
      sql<{ task_key: string; state: string; escalation_level: number; assignee_person: string | null; code: string }[]>`
        select t.task_key, t.state, t.escalation_level, t.assignee_person, o.code from tasks t join organizations o on o.id = t.organization_id
        where t.workflow_id = ${started.workflowId} order by t.id`;

    await t.worker.worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(recruitment, {
        workflowId: started.workflowId,
        taskQueue: t.worker.taskQueue,
        args: [{ applicant: started.id }],
      });
      const p = processDriver(handle, machineActor('sec'));
      const person = processDriver(handle, { username: applicant.username, grants: [] });

      // 申请: the talk, due within a month.
      await p.complete('talk', { talkedOn: await today(), talkedBy: '支部书记' });
      // 积极分子: two contacts, filed with the township.
      expect(await refused(p.complete('activist', { decision: 'accept', decidedOn: await today(), recommendedBy: 'league' }))).toMatchObject({
        rule: 'contacts',
      });
      await p.complete('activist', { decision: 'accept', decidedOn: await today(), recommendedBy: 'league', contacts: ['张一', '王二'] });
      const activistSince = await today();
      await p.complete('activist-filing', { filedOn: await today() });
      expect(await stage()).toBe('activist');

      // The first half-year's review: too early to propose them.
      await sleep('183 days');
      await p.openTask('activist-review');
      expect(await refused(p.complete('activist-review', { reviewedOn: await today(), summary: '表现良好', next: 'candidate' }))).toMatchObject({
        rule: 'activist-year',
      });
      await p.complete('activist-review', { reviewedOn: await today(), summary: '表现良好', next: 'continue' });
      // The second is missed: it escalates to the township, then the county.
      await sleep('183 days');
      await p.openTask('activist-review');
      await sleep('60 days');
      const missed = (await tasks()).find((x) => x.task_key === 'activist-review-2')!;
      expect(missed.state).toBe('escalated');
      expect(missed.escalation_level).toBeGreaterThanOrEqual(2);
      await p.complete('activist-review', { reviewedOn: await today(), summary: '补交考察意见', next: 'candidate' }, 'activist-review-2');

      // 发展对象: two sponsors, filed; the review and the training (three days at least).
      await p.complete('candidate', { decidedOn: await today(), introducers: ['李三', '赵四'] });
      await p.complete('candidate-filing', { filedOn: await today() });
      expect(await stage()).toBe('candidate');
      expect(await refused(p.complete('vetting', { vettedOn: await today(), conclusion: 'pass', trainingDays: 2, trainingHours: 16 }))).toMatchObject({
        rule: 'training',
      });
      await p.complete('vetting', { vettedOn: await today(), conclusion: 'pass', trainingDays: 3 });
      await p.complete('branch-review', { reviewedOn: await today(), decision: 'proceed' });
      await p.complete('pre-review', { reviewedOn: await today(), decision: 'approve' });
      const preReviewedOn = await today();

      // The 入党志愿书 the pre-review issued: the 发展对象's own to fill in, beside their introducers, due in the rule
      // set's working days; not on a day before the pre-review.
      await sleep('1 day');
      const form = await person.openTask('application-form');
      const [formRow] = await sql<{ assignee_person: string; context: Record<string, unknown>; working_days: string }[]>`
        select assignee_person, context, plan_input->'due'->>'workingDays' as working_days from tasks
        where workflow_id = ${started.workflowId} and task_key = ${form.taskKey}`;
      expect(formRow).toMatchObject({
        assignee_person: applicant.username,
        context: { stage: 'candidate', introducers: ['李三', '赵四'], preReviewedOn },
        working_days: '10',
      });
      const opinion = '李三、赵四：该同志入党动机端正，同意介绍其入党';
      expect(
        await refused(person.complete('application-form', { filledOn: addDays(preReviewedOn as IsoDate, -1), introducerOpinion: opinion }, form.taskKey)),
      ).toMatchObject({ rule: 'filled-on' });
      await person.complete('application-form', { filledOn: await today(), introducerOpinion: opinion }, form.taskKey);

      // The members' meeting reads the form: not held before it was filled in. Two of five present is no quorum; it
      // is held again. The entitled are the register's.
      expect(
        await refused(p.complete('admission-meeting', { meetingDate: preReviewedOn, entitled: 5, present: 5, for: 5, against: 0, abstain: 0 })),
      ).toMatchObject({ rule: 'meeting-day' });
      await p.complete('admission-meeting', { meetingDate: await today(), entitled: 5, present: 2, for: 2, against: 0, abstain: 0 });
      const again = await p.openTask('admission-meeting', 'admission-meeting-2');
      expect(
        await refused(p.complete('admission-meeting', { meetingDate: await today(), entitled: 4, present: 4, for: 4, against: 0, abstain: 0 }, again.taskKey)),
      ).toMatchObject({ rule: 'register-count' });
      await sleep('2 days');
      const meetingOn = await today();
      await p.complete('admission-meeting', { meetingDate: meetingOn, entitled: 5, present: 4, for: 4, against: 0, abstain: 0 }, again.taskKey);
      await p.complete('admission-approval', { decidedOn: await today(), decision: 'approve' });
      await p.openTask('oath');
      // Filed with the county's organization department, above the approving township, while the probation goes on.
      await p.complete('admission-filing', { filedOn: await today() }, 'admission-filing');
      const [joined] = await sql<{ category: string; joined_on: string; user_id: number | null }[]>`
        select m.category, to_char(m.joined_on, 'YYYY-MM-DD') as joined_on, m.user_id from members m join applicants a on a.member_id = m.id where a.id = ${started.id}`;
      expect(joined).toEqual({ category: 'probationary', joined_on: meetingOn, user_id: applicant.id });
      const [counts] = await sql<{ full_members: number; probationary_members: number }[]>`
        select full_members, probationary_members from organizations where id = ${villageId}`;
      expect(counts).toEqual({ full_members: 5, probationary_members: 1 });

      // 预备期: the oath, a review at six months, the member's own application a month before the end.
      await p.complete('oath', { oathOn: await today() });
      await sleep('185 days');
      await p.complete('probation-review', { reviewedOn: await today(), summary: '按期参加组织生活' }, 'probation-review');
      const probationEnds = addMonths(meetingOn as IsoDate, 12);
      await sleep('160 days');
      const own = await person.openTask('full-application');
      expect((await tasks()).find((x) => x.task_key === own.taskKey)!.assignee_person).toBe(applicant.username);
      await person.complete('full-application', { appliedOn: await today(), text: '申请按期转为正式党员' }, own.taskKey);
      // At the end, the meeting extends the probation by six months; the township approves.
      await sleep('30 days');
      await p.complete('full-meeting', {
        meetingDate: await today(),
        entitled: 5,
        present: 5,
        for: 4,
        against: 1,
        abstain: 0,
        decision: 'extend',
        extendMonths: 6,
      });
      await p.complete('full-approval', { decidedOn: await today(), decision: 'approve' });
      // The extended probation: the review at twelve months (passed already: at once), the application again.
      await p.complete('probation-review', { reviewedOn: await today(), summary: '延长期内表现' }, 'probation-review-2');
      await sleep('155 days');
      await person.complete('full-application', { appliedOn: await today(), text: '再次申请转正' }, 'full-application-2');
      await sleep('30 days');
      await p.complete(
        'full-meeting',
        { meetingDate: await today(), entitled: 5, present: 5, for: 5, against: 0, abstain: 0, decision: 'full' },
        'full-meeting-2',
      );
      await p.complete('full-approval', { decidedOn: await today(), decision: 'approve' }, 'full-approval-2');
      await handle.result();
      await recordHistory('recruitment', started.workflowId, await handle.fetchHistory());

      const fullOn = addMonths(probationEnds, 6);
      const [member] = await sql<{ category: string; full_on: string }[]>`
        select m.category, to_char(m.full_on, 'YYYY-MM-DD') as full_on from members m join applicants a on a.member_id = m.id where a.id = ${started.id}`;
      expect(member).toEqual({ category: 'full', full_on: fullOn });
      expect(await stage()).toBe('full');
      expect(activistSince >= appliedOn).toBe(true);
    });
    const [proc] = await sql<{ status: string; current_step: string }[]>`select status, current_step from processes where workflow_id = ${started.workflowId}`;
    expect(proc).toEqual({ status: 'completed', current_step: 'full' });
    const events = await sql<{ event_key: string }[]>`select event_key from process_events where workflow_id = ${started.workflowId} order by at`;
    // The form between the pre-review and the meeting.
    const keys = events.map((e) => e.event_key);
    expect(keys.indexOf('application-form-opened')).toBeGreaterThan(keys.indexOf('pre-review-opened'));
    expect(keys.indexOf('application-form-opened')).toBeLessThan(keys.indexOf('admission-meeting-opened'));
    expect(events.map((e) => e.event_key)).toEqual(
      expect.arrayContaining(['applied', 'activist', 'candidate', 'admission-meeting-no-quorum', 'probationary', 'extended-1', 'full', 'archived']),
    );
    // Each task at the organization whose committee does it: the branch's, and the township's filings and approvals.
    const byOrg = new Map((await tasks()).map((x) => [x.task_key, x.code]));
    expect(byOrg.get('talk')).toBe(village);
    expect(byOrg.get('application-form')).toBe(village);
    const [formDone] = await sql<{ actor: string }[]>`
      select e.actor from task_events e join tasks t on t.id = e.task_id
      where t.workflow_id = ${started.workflowId} and t.task_key = 'application-form' and e.kind = 'completed'`;
    expect(formDone).toEqual({ actor: applicant.username });
    expect(byOrg.get('activist-filing')).toBe(township);
    expect(byOrg.get('admission-filing')).toBe(county);
    expect(byOrg.get('admission-approval')).toBe(township);
  });
});
