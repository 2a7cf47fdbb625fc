// I/O of a period away (workflows/member-away): reading it, and whether it is still open. The period is opened and
// ended by the register's keepers through the API, in the statement that sets the member's status.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import type { AwayKind } from '../src/domain/member-away/rules.js';

export interface AwayView {
  member: string;
  memberId: number;
  organizationId: number;
  orgPath: string;
  kind: AwayKind;
  place: string;
  since: string;
  endedOn: string | null;
  /** The user the member signs in as, who files their own report; null: the secretary records it for them. */
  user?: string | null;
}

export function memberAwayActivities(sql: Sql) {
  return {
    async loadAway(i: { workflowId: string }): Promise<AwayView> {
      const [a] = await sql<AwayView[]>`
        select m.name as member, m.id as "memberId", o.id as "organizationId", o.path::text as "orgPath", a.kind, a.place,
               to_char(a.since, 'YYYY-MM-DD') as since, to_char(a.ended_on, 'YYYY-MM-DD') as "endedOn",
               (select u.username from users u where u.id = m.user_id and not u.disabled) as user
        from member_away a join members m on m.id = a.member_id join organizations o on o.id = m.organization_id
        where a.workflow_id = ${i.workflowId}`;
      if (!a) throw ApplicationFailure.nonRetryable(`no period away for ${i.workflowId}`, 'NotFound');
      return a;
    },
  };
}
