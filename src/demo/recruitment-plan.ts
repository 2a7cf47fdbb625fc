// 发展党员计划 in the demo province: the first county's plan for this year, entered for each of its townships and
// allocated by the first township (whose villages have the demo's applicants) to its villages — through the same
// allocation, and its checks, as the API's. The other townships have not allocated theirs yet.
import type { Sql } from '../db/client.js';
import { allocate } from '../recruitment/plan-store.js';

export async function seedRecruitmentPlan(sql: Sql, county: string, township: string, year: number): Promise<void> {
  const at = async (code: string) => {
    const [o] = await sql<{ id: number; code: string }[]>`select id, code from organizations where code = ${code}`;
    return o!;
  };
  const children = (code: string) =>
    sql<
      { code: string }[]
    >`select c.code from organizations c join organizations p on p.id = c.parent_id where p.code = ${code} and c.type <> 'unit' order by c.code`;
  const townships = await children(county);
  const entered = await allocate(sql, {
    org: await at(county),
    year,
    entersPlan: true,
    // The first township, with the most villages recruiting, gets the largest share.
    allocations: townships.map((t) => ({ code: t.code, admissions: t.code === township ? 6 : 3 })),
    actor: 'organizer',
  });
  const villages = await children(township);
  // One a village, but none for the last: a share kept back for the township to give later.
  const allocated = await allocate(sql, {
    org: await at(township),
    year,
    entersPlan: false,
    allocations: villages.map((v, i) => ({ code: v.code, admissions: i < villages.length - 1 ? 1 : 0 })),
    actor: 'township-organizer',
  });
  if ('refused' in entered || 'refused' in allocated) throw new Error(`demo: the recruitment plan was refused: ${JSON.stringify([entered, allocated])}`);
}
