// The bench's peer (bench/flowable/) builds from this clone and answers one human task's lifecycle through
// Flowable's own REST API, on the suite's PostgreSQL in a database of its own: what `npm run bench` relies on.
// The first build downloads Flowable and Spring Boot into ~/.m2 (about 50 s measured on an empty ~/.m2); later
// runs reuse the jar cached under ~/.cache/orglife.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createSql } from '../../src/db/client.js';
import { flowableClient, rssBytes, startFlowablePeer, type FlowablePeer } from '../../bench/flowable-peer.js';

describe('the Flowable peer of the bench', () => {
  let peer: FlowablePeer;
  beforeAll(async () => {
    const admin = createSql(inject('databaseUrl'), { max: 1 });
    try {
      peer = await startFlowablePeer({
        databaseUrl: inject('databaseUrl'),
        database: `flowable_test_${process.pid}_${Date.now()}`,
        executor: 'default',
        log: (m) => console.log(`[flowable] ${m}`),
        createDatabase: async (name) => void (await admin.unsafe(`create database ${name}`)),
      });
    } finally {
      await admin.end();
    }
  }, 300_000);
  afterAll(async () => peer?.stop());

  it('starts a task for its assignee, lists it, completes it, and writes the reminder its timer fires', async () => {
    const flowable = flowableClient(peer.api);
    const far = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const soon = new Date(Date.now() + 2_000).toISOString();
    const assignee = `secretary-${Date.now()}`;
    // Reminder due in 2 s: the non-interrupting boundary timer must write its record and leave the task open.
    const { id } = await flowable.start({ assignee, remindAt: soon, escalateAt: far });
    const listed = await flowable.tasksOf(assignee);
    expect(listed.data.map((t) => t.processInstanceId)).toEqual([id]);

    const db = createSql(peer.databaseUrl, { max: 1 });
    try {
      let records: { kind: string }[] = [];
      for (let i = 0; i < 120 && !records.length; i++) {
        await new Promise((r) => setTimeout(r, 500));
        records = await db<{ kind: string }[]>`select kind from peer_record where proc_inst_id = ${id}`;
      }
      expect(records.map((r) => r.kind)).toEqual(['reminded']);
      expect((await flowable.tasksOf(assignee)).data).toHaveLength(1);

      await flowable.claim(listed.data[0]!.id, null);
      await flowable.claim(listed.data[0]!.id, assignee);
      await flowable.complete(listed.data[0]!.id);
      expect((await flowable.tasksOf(assignee)).data).toEqual([]);
      // Completing the task ends the instance and cancels the escalation's timer: nothing left to fire.
      const left = await db<{ n: number }[]>`select (select count(*) from act_ru_timer_job)::int + (select count(*) from act_ru_execution)::int as n`;
      expect(left[0]!.n).toBe(0);
    } finally {
      await db.end();
    }
    expect(rssBytes(peer.pid)).toBeGreaterThan(0);
  });
});
