import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';

// The inbox's cursor pages walk every task exactly once, also when tasks share a due millisecond: PostgreSQL
// keeps microseconds, and a cursor cut to milliseconds served the same tasks again (a page of one never ended).
describe('inbox cursor pages', () => {
  let s: Stack;
  const [root, village] = [uniqueCode('R'), uniqueCode('V')];

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [orgRow(root, '', { type: 'committee', sector: 'regional' }), orgRow(village, root)]);
    const [o] = await s.sql<{ id: number }[]>`select id from organizations where code = ${village}`;
    // Five tasks due within one millisecond (microseconds apart), two in the next one.
    const due = [
      '2027-03-01 09:00:00.000100+08',
      '2027-03-01 09:00:00.000200+08',
      '2027-03-01 09:00:00.000300+08',
      '2027-03-01 09:00:00.000300+08',
      '2027-03-01 09:00:00.000900+08',
      '2027-03-01 09:00:00.001000+08',
      '2027-03-01 09:00:00.001500+08',
    ];
    await s.sql`
      insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at)
      select 'paging:' || ${village}, 'k' || i, 'term-election', 'request', ${o!.id}, 'secretary', 'open', now(), d::timestamptz
      from unnest(${due}::text[]) with ordinality as x(d, i)`;
  });
  afterAll(async () => s?.close());

  for (const limit of [1, 2, 3]) {
    it(`pages of ${limit} return each task once, in due order, and end`, async () => {
      const seen: number[] = [];
      const dues: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 20; page++) {
        const r = await s.app.inject({ url: `/api/v1/tasks?org=${village}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, headers: s.admin });
        expect(r.statusCode).toBe(200);
        const body = r.json() as { items: { id: number; dueAt: string }[]; nextCursor: string | null };
        seen.push(...body.items.map((t) => t.id));
        dues.push(...body.items.map((t) => t.dueAt));
        cursor = body.nextCursor;
        if (!cursor) break;
      }
      expect(cursor).toBeNull();
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
      expect([...dues].sort()).toEqual(dues);
    });
  }

  it('refuses a cursor whose due time is not a timestamp, naming the field', async () => {
    const bad = Buffer.from(JSON.stringify({ dueAt: 'yesterday', id: 1 })).toString('base64url');
    const r = await s.app.inject({ url: `/api/v1/tasks?org=${village}&cursor=${bad}`, headers: s.admin });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details[0].field).toBe('querystring.cursor');
  });
});
