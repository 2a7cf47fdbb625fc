import { afterAll, describe, expect, inject, it } from 'vitest';
import { createSql } from '../../src/db/client.js';
import { termElectionActivities } from '../../activities/term-election.js';
import { addOrganizations, committee, orgRow, uniqueCode } from '../helpers/context.js';

// A renewed term's length is the one in force on the day the new term starts (domain.md §4.1), whatever
// rule set the run began under.
describe('renewTerm', () => {
  const sql = createSql(inject('databaseUrl'), { max: 2 });
  afterAll(() => sql.end());

  it('gives a village elected in 2018 the 2018 rules’ 5 years, though its run carries the 2010 rule set', async () => {
    const [township, village, branch] = [uniqueCode('RT'), uniqueCode('RV'), uniqueCode('RB')];
    await addOrganizations(sql, [
      orgRow(township, '', { ...committee }),
      orgRow(village, township, { term_years: 3, term_started_on: '2015-06-01' }),
      orgRow(branch, township, { sector: 'soe', term_years: 3, term_started_on: '2015-06-01' }),
    ]);
    const idOf = async (code: string) => (await sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id;
    const [v, b] = [await idOf(village), await idOf(branch)];
    const acts = termElectionActivities(sql);
    const renew = (organizationId: number, startedOn: string) =>
      acts.renewTerm({ workflowId: `te:${organizationId}`, organizationId, startedOn, secretary: '李娜', ruleSet: 'hubei-2010', at: new Date().toISOString() });
    expect(await renew(v, '2018-07-12')).toEqual({ termEndsOn: '2023-07-12', termOrdinal: null });
    // Before the 2018 term opinion took effect (2018-07-12) the 2010 rules' 3 years still hold.
    expect(await renew(v, '2018-07-11')).toEqual({ termEndsOn: '2021-07-11', termOrdinal: null });
    expect(await renew(v, '2017-12-31')).toEqual({ termEndsOn: '2020-12-31', termOrdinal: null });
    // Not a village: a branch keeps 3 years under both sets.
    expect(await renew(b, '2018-07-12')).toEqual({ termEndsOn: '2021-07-12', termOrdinal: null });
  });

  it('numbers the new term after the organization’s own number (第n届) when the register has one, once however often it is retried', async () => {
    const [township, village] = [uniqueCode('RT'), uniqueCode('RV')];
    await addOrganizations(sql, [orgRow(township, '', { ...committee }), orgRow(village, township, { term_years: 5, term_started_on: '2021-06-01' })]);
    await sql`update organizations set term_ordinal = 11 where code = ${village}`;
    const id = (await sql<{ id: number }[]>`select id from organizations where code = ${village}`)[0]!.id;
    const acts = termElectionActivities(sql);
    const renew = () =>
      acts.renewTerm({
        workflowId: `te:${id}`,
        organizationId: id,
        startedOn: '2026-05-20',
        secretary: '李娜',
        ruleSet: 'national-2018',
        at: new Date().toISOString(),
      });
    expect(await renew()).toEqual({ termEndsOn: '2031-05-20', termOrdinal: 12 });
    expect(await renew()).toEqual({ termEndsOn: '2031-05-20', termOrdinal: 12 });
  });
});
