import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkippingPerTest } from '../helpers/time-skipping.js';
import { memberAway } from '../../workflows/member-away/workflow.js';
import { machineActor, memberBackSignal } from '../../workflows/messages.js';
import { shanghaiDate } from '../../src/domain/dates.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { personalDataKey, sealPersonalData } from '../../src/members/personal-data.js';
import { changeStatus, registerAway } from '../../src/members/store.js';

// 流动党员 at real lengths on the time-skipping server: a member registered away gets the transfer question after six
// months and a yearly report after twelve, left unrecorded until it escalates; the member's return ends the period,
// closing the open report. A member abroad is contacted every six months.
describe('a period away at real durations (time-skipping server)', () => {
  const t = timeSkippingPerTest();
  const { county, rows: chain } = countyChain();
  const township = uniqueCode('T');
  const village = uniqueCode('V');
  const key = personalDataKey('a test key of thirty-two characters or more');
  let seq = 500;

  const member = async (name: string) => {
    const { sql } = t;
    const [o] = await sql<{ id: number }[]>`select id from organizations where code = ${village}`;
    const [m] = await sql<{ id: number }[]>`
      insert into members ${sql({
        organization_id: o!.id,
        name,
        gender: 'male',
        birth_date: '1985-05-05',
        joined_on: '2010-07-01',
        full_on: '2011-07-01',
        category: 'full',
        ...sealPersonalData(key, withCheckDigit(`42010219850505${seq++}`), null),
      })} returning id`;
    return m!.id;
  };
  beforeAll(async () => {
    await addOrganizations(t.sql, [...chain, orgRow(township, county, { type: 'committee', sector: 'regional' }), orgRow(village, township)]);
  });
  const tasks = (workflowId: string) =>
    t.sql<{ task_key: string; state: string; escalation_level: number }[]>`
      select task_key, state, escalation_level from tasks where workflow_id = ${workflowId} order by id`;

  it('asks about the transfer at six months, for the report at twelve, escalates it, and ends when the member is back', async () => {
    const { sql, ts } = t;
    const id = await member('钱六');
    const since = shanghaiDate(await ts.env.currentTimeMs());
    const away = await registerAway(sql, key, {
      memberId: id,
      kind: 'away',
      place: '广东省东莞市',
      since,
      contactName: '钱父',
      contactPhone: '13600000006',
      reason: '外出务工',
      actor: 'sec',
    });
    expect(away).not.toBeNull();
    expect(away!.workflowId).toMatch(/^member-away:[0-9a-f-]{36}$/);
    // Away already: a second period is not opened.
    expect(
      await registerAway(sql, key, { memberId: id, kind: 'abroad', place: '日本', since, contactName: null, contactPhone: null, reason: 'x', actor: 'sec' }),
    ).toBeNull();

    await t.worker.worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(memberAway, {
        workflowId: away!.workflowId,
        taskQueue: t.worker.taskQueue,
        args: [{ away: away!.id }],
      });
      const p = processDriver(handle, machineActor('organizer'));
      await p.stepIs('away');
      expect(await tasks(away!.workflowId)).toEqual([]);

      await ts.env.sleep('185 days');
      const proposal = await p.openTask('transfer-proposal');
      expect(await refused(p.complete('transfer-proposal', { decision: 'keep' }, proposal.taskKey))).toMatchObject({ rule: 'note' });
      await p.complete('transfer-proposal', { decision: 'keep', note: '年底返乡' }, proposal.taskKey);

      // Twelve months away: the year's report opens; left unrecorded, it escalates to the county.
      await ts.env.sleep('200 days');
      await p.openTask('away-report');
      await ts.env.sleep('80 days');
      expect(await tasks(away!.workflowId)).toEqual([
        { task_key: 'transfer-proposal', state: 'done', escalation_level: 0 },
        { task_key: 'report-1', state: 'escalated', escalation_level: 3 },
      ]);

      // Back home: the status ends the period, the workflow is told, reads it, closes the report and ends.
      const back = await changeStatus(sql, { memberId: id, status: 'normal', since: shanghaiDate(await ts.env.currentTimeMs()), reason: '返乡', actor: 'sec' });
      expect(back).toEqual({ changed: true, awayWorkflowId: away!.workflowId });
      await handle.signal(memberBackSignal, { actor: 'sec' });
      await handle.result();
    });
    expect((await tasks(away!.workflowId)).map((x) => [x.task_key, x.state])).toEqual([
      ['transfer-proposal', 'done'],
      ['report-1', 'cancelled'],
    ]);
    const [proc] = await sql<{ status: string; current_step: string }[]>`select status, current_step from processes where workflow_id = ${away!.workflowId}`;
    expect(proc).toEqual({ status: 'completed', current_step: 'back' });
    const [m] = await sql<{ status: string; status_by: string }[]>`select status, status_by from members where id = ${id}`;
    expect(m).toEqual({ status: 'normal', status_by: 'orglife' });
    // The contact's phone is sealed like the member's.
    const [a] = await sql<
      { contact_phone_sealed: string; contact_phone_masked: string }[]
    >`select contact_phone_sealed, contact_phone_masked from member_away where id = ${away!.id}`;
    expect(a!.contact_phone_masked).toBe('136****0006');
    expect(key.unseal(a!.contact_phone_sealed)).toBe('13600000006');
  });

  it('contacts a member abroad every six months, and a stray signal ends nothing', async () => {
    const { sql, ts } = t;
    const id = await member('孙七');
    const since = shanghaiDate(await ts.env.currentTimeMs());
    const away = await registerAway(sql, key, {
      memberId: id,
      kind: 'abroad',
      place: '德国柏林',
      since,
      contactName: null,
      contactPhone: null,
      reason: '留学',
      actor: 'sec',
    });
    await t.worker.worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(memberAway, {
        workflowId: away!.workflowId,
        taskQueue: t.worker.taskQueue,
        args: [{ away: away!.id }],
      });
      const p = processDriver(handle, machineActor('organizer'));
      await p.stepIs('abroad');
      // Told "back" while still abroad on the register: nothing ends.
      await handle.signal(memberBackSignal, { actor: 'someone' });
      await ts.env.sleep('184 days');
      const first = await p.openTask('abroad-contact');
      expect(first.taskKey).toBe('contact-1');
      await p.complete('abroad-contact', { contactedOn: shanghaiDate(await ts.env.currentTimeMs()), means: '微信视频' }, first.taskKey);
      await ts.env.sleep('184 days');
      const second = await p.openTask('abroad-contact');
      expect(second.taskKey).toBe('contact-2');
    });
  });
});
