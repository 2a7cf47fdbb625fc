import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { ensureRatingsSchedule, RATINGS_SCHEDULE_ID } from '../../src/processes/ratings-schedule.js';

// The ratings' Schedule on the dev server (Schedules need it; the time-skipping server has none): created by every
// worker start, idempotently, firing once at creation and then every interval; its run rates the tree, and the
// API answers from what it wrote.
describe('the ratings Schedule', () => {
  let s: Stack;
  const [county, town, late] = [uniqueCode('QK'), uniqueCode('QT'), uniqueCode('QL')];
  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      // The county at the tree's third level: its township's villages are villages (domain.md §2).
      ...countyChain(county).rows,
      orgRow(town, county, { type: 'committee', sector: 'regional' }),
      orgRow(late, town, { term_started_on: '2019-03-01' }),
    ]);
  });
  afterAll(async () => {
    await s?.client.schedule
      .getHandle(RATINGS_SCHEDULE_ID)
      .delete()
      .catch(() => {});
    await s?.close();
  });

  it('fires at creation and every interval; its run rates the tree, which the API lists and tells the history of', async () => {
    // One per namespace: another file's worker process may have made it for a queue nobody polls any more.
    await s.client.schedule
      .getHandle(RATINGS_SCHEDULE_ID)
      .delete()
      .catch(() => {});
    await ensureRatingsSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE, 10);
    await ensureRatingsSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE, 10); // idempotent: the worker calls it on every start
    const handle = s.client.schedule.getHandle(RATINGS_SCHEDULE_ID);
    const d = await handle.describe();
    expect(d.spec.intervals).toEqual([expect.objectContaining({ every: 600_000 })]);
    // A changed interval applies on the next start; an operator's pause stays.
    await handle.pause('held by the operator');
    await ensureRatingsSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE, 15);
    const changed = await handle.describe();
    expect(changed.spec.intervals).toEqual([expect.objectContaining({ every: 900_000 })]);
    expect(changed.state).toMatchObject({ paused: true, note: 'held by the operator' });
    await handle.unpause();
    await ensureRatingsSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE, 10);
    const started = await eventually(
      'the run fired at creation',
      async () => (await handle.describe()).info.recentActions.at(-1)?.action.workflow.workflowId,
      60_000,
    );
    expect(started).toMatch(/^ratings-recompute-scheduled/);
    const result = await s.client.workflow.getHandle(started).result();
    expect(result.rated).toBeGreaterThanOrEqual(2);

    const admin = await s.userWith([{ role: 'supervisor', org: county }]);
    const get = (url: string) => s.app.inject({ method: 'GET', url, headers: { authorization: admin.authorization } });
    const red = await get('/api/v1/ratings?color=red');
    expect(red.statusCode, red.body).toBe(200);
    // Green: the township and the county (rated now that it is no root).
    expect(red.json()).toMatchObject({
      counts: { red: 1, yellow: 0, green: 2 },
      items: [expect.objectContaining({ code: late, color: 'red', reasons: ['term-late', 'return-missing', 'village-unpaired'], ruleSet: result.ruleSet })],
    });
    const history = await get(`/api/v1/organizations/${late}/ratings`);
    expect(history.statusCode, history.body).toBe(200);
    expect(history.json()).toMatchObject({ code: late, current: { color: 'red' }, changes: [{ color: 'red', previous: null }], periods: [{ color: 'red' }] });
    // A colour that is none: 400 naming the field; a subtree outside the caller's: 404.
    const bad = await get('/api/v1/ratings?color=blue');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('color');
    expect((await get(`/api/v1/ratings?under=${uniqueCode('NOPE')}`)).statusCode).toBe(404);
  });
});
