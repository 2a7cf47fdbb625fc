// 党小组 in the demo province: the villages of the first township each split their register into two groups, each
// with a leader from its full members, before their years of 三会一课 are planned — so that a year under rule set
// branch-life-2027 owes each group its monthly 党小组会. The leader of the first village's 第一党小组 (丰石村, the
// `secretary`'s) signs in as `group-leader` with no role: their user is linked to their member, so the group's
// meetings are their tasks.
import type { Sql } from '../db/client.js';
import { createUser } from '../auth/users.js';
import { createGroup } from '../members/groups.js';
import { linkUser } from '../members/store.js';
import { addMonths, type IsoDate } from '../domain/dates.js';

/**
 * The group leader who signs in (README's demo sign-ins, the first screen of `npm start`): no role, their 党小组会
 * records waiting in "my tasks" in the months their year owes them.
 */
export const DEMO_GROUP_LEADER_SIGN_IN = { username: 'group-leader', displayName: '第一党小组组长（丰石村）' };

const GROUP_NAMES = ['第一党小组', '第二党小组'] as const;

/**
 * Two groups in each of `villages`, formed two years ago: the members on the register in normal standing split by
 * their order on it, each group led by its last full member with no user of their own; the leader of the first
 * village's first group is linked to DEMO_GROUP_LEADER_SIGN_IN's user. Answers how many groups were formed.
 */
export async function seedPartyGroups(sql: Sql, villages: readonly string[], today: IsoDate, password: string): Promise<number> {
  const formedOn = `${addMonths(today, -24).slice(0, 7)}-01`;
  let formed = 0;
  for (const [v, code] of villages.entries()) {
    const members = await sql<{ id: number; category: string; linked: boolean; organizationId: number }[]>`
      select m.id::int as id, m.category, m.user_id is not null as linked, o.id::int as "organizationId"
      from members m join organizations o on o.id = m.organization_id
      where o.code = ${code} and m.status = 'normal' order by m.id`;
    if (members.length < 4) continue;
    const half = Math.ceil(members.length / 2);
    for (const [g, name] of GROUP_NAMES.entries()) {
      const own = members.slice(g * half, (g + 1) * half);
      // The last: the demo's transfers take a village's first full members (src/demo/seed.ts seedMemberProcesses).
      const leader = [...own].reverse().find((m) => m.category === 'full' && !m.linked);
      const groupId = await createGroup(sql, { organizationId: own[0]!.organizationId, name, leaderId: leader?.id ?? null, on: formedOn, actor: 'demo-admin' });
      // The rest of the group in one statement (createGroup placed the leader).
      await sql`
        insert into party_group_members (group_id, member_id, since)
        select ${groupId}, m.id, ${formedOn}::date from members m
        where m.id = any(${own.filter((m) => m.id !== leader?.id).map((m) => m.id)}::bigint[])`;
      formed++;
      if (v === 0 && g === 0 && leader) {
        const userId = await createUser(sql, { ...DEMO_GROUP_LEADER_SIGN_IN, password, roles: [] });
        await linkUser(sql, leader.id, userId, 'demo-admin');
      }
    }
  }
  return formed;
}
