// I/O of 组织关系转接 (workflows/member-transfer): reading a transfer, and the one statement set that moves a member
// between registers when it completes. Each write is guarded by the transfer's state, so a retried activity does
// nothing twice, and the member's register changes in the transaction that closes the transfer: no instant sees the
// member on two registers or (inside the province) on none.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { recountMembers } from '../src/members/store.js';
import type { TransferDirection } from '../src/domain/member-transfer/rules.js';

interface Side {
  id: number;
  code: string;
  name: string;
  path: string;
}

export interface TransferView {
  id: number;
  direction: TransferDirection;
  memberId: number | null;
  member: string;
  from: Side | null;
  to: Side | null;
  outside: string | null;
  letterNumber: string | null;
  issuedOn: string;
  validUntil: string;
  state: string;
}

/** The fields of a member coming from outside, as the API sealed and checked them (members' columns). */
interface Incoming {
  name: string;
  name_initials: string;
  gender: string;
  ethnicity: string | null;
  birth_date: string;
  education: string | null;
  id_number_sealed: string;
  id_number_digest: string;
  id_number_masked: string;
  phone_sealed: string | null;
  phone_masked: string | null;
  joined_on: string;
  full_on: string | null;
  category: string;
  occupation: string | null;
}

const side = (sql: Sql, alias: string) =>
  sql`case when ${sql(alias)}.id is null then null else json_build_object('id', ${sql(alias)}.id, 'code', ${sql(alias)}.code, 'name', ${sql(alias)}.name, 'path', ${sql(alias)}.path::text) end`;

export function memberTransferActivities(sql: Sql) {
  const load = async (tx: Sql, workflowId: string): Promise<TransferView> => {
    const [t] = await tx<TransferView[]>`
      select t.id, t.direction, t.member_id as "memberId", coalesce(m.name, t.incoming->>'name') as member,
             ${side(tx, 'f')} as "from", ${side(tx, 'o')} as "to", t.outside, t.letter_number as "letterNumber",
             to_char(t.issued_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as "issuedOn", to_char(t.valid_until, 'YYYY-MM-DD') as "validUntil", t.state
      from member_transfers t left join members m on m.id = t.member_id
      left join organizations f on f.id = t.from_organization_id left join organizations o on o.id = t.to_organization_id
      where t.workflow_id = ${workflowId}`;
    if (!t) throw ApplicationFailure.nonRetryable(`no transfer for ${workflowId}`, 'NotFound');
    return t;
  };

  return {
    async loadTransfer(i: { workflowId: string }): Promise<TransferView> {
      return load(sql, i.workflowId);
    },

    /**
     * The transfer completed: inside the province the member moves to the receiving register; from outside they
     * join it (a member who once left the province comes back to their own record); out of the province they leave
     * the register. Answers the member's id.
     */
    async completeTransfer(i: { workflowId: string; actor: string; on: string; at: string }): Promise<{ memberId: number; awayWorkflowId: string | null }> {
      return sql.begin(async (tx) => {
        const [t] = await tx<
          {
            id: number;
            direction: TransferDirection;
            member_id: number | null;
            from_organization_id: number | null;
            to_organization_id: number | null;
            outside: string | null;
            state: string;
            incoming: Incoming | null;
          }[]
        >`select id, direction, member_id, from_organization_id, to_organization_id, outside, state, incoming
          from member_transfers where workflow_id = ${i.workflowId} for update`;
        if (!t) throw ApplicationFailure.nonRetryable(`no transfer for ${i.workflowId}`, 'NotFound');
        if (t.state === 'completed') return { memberId: t.member_id!, awayWorkflowId: null };
        const label = async (id: number | null) =>
          id === null ? t.outside : (await tx<{ code: string }[]>`select code from organizations where id = ${id}`)[0]!.code;
        const moved = { from: await label(t.from_organization_id), to: await label(t.to_organization_id), on: i.on, transfer: t.id };
        let memberId = t.member_id;
        const touched: number[] = [];
        if (t.direction === 'within') {
          const [m] = await tx<{ organization_id: number; status: string }[]>`select organization_id, status from members where id = ${memberId} for update`;
          await tx`update members set organization_id = ${t.to_organization_id}, placed_by = 'orglife', updated_at = now() where id = ${memberId}`;
          // A member away whose membership moved to where they are is away no more.
          if (m!.status === 'away' || m!.status === 'abroad') {
            await tx`update members set status = 'normal', status_since = ${i.on}, status_by = 'orglife' where id = ${memberId}`;
            await tx`insert into member_events (member_id, kind, at, actor, source, before, after)
                     values (${memberId}, 'status-changed', ${i.at}, ${i.actor}, ${i.workflowId}, ${tx.json({ status: m!.status })}, ${tx.json({ status: 'normal', since: i.on })})`;
          }
          touched.push(m!.organization_id, t.to_organization_id!);
        } else if (t.direction === 'out') {
          const [m] = await tx<{ organization_id: number; status: string }[]>`select organization_id, status from members where id = ${memberId} for update`;
          await tx`update members set status = 'transferred', status_since = ${i.on}, status_by = 'orglife', placed_by = 'orglife', updated_at = now()
                   where id = ${memberId}`;
          await tx`insert into member_events (member_id, kind, at, actor, source, before, after)
                   values (${memberId}, 'status-changed', ${i.at}, ${i.actor}, ${i.workflowId}, ${tx.json({ status: m!.status })}, ${tx.json({ status: 'transferred', since: i.on })})`;
          touched.push(m!.organization_id);
        } else {
          const c = t.incoming!;
          // The same person may have left the province before: their record comes back rather than a second one.
          const [known] = await tx<{ id: number; status: string; organization_id: number }[]>`
            select id, status, organization_id from members where id_number_digest = ${c.id_number_digest} for update`;
          if (known && known.status !== 'transferred')
            throw ApplicationFailure.nonRetryable('this member is on a register of the province already', 'AlreadyRegistered');
          if (known) {
            await tx`update members set organization_id = ${t.to_organization_id}, status = 'normal', status_since = ${i.on}, status_by = 'orglife',
                     placed_by = 'orglife', updated_at = now() where id = ${known.id}`;
            memberId = known.id;
            touched.push(known.organization_id);
          } else {
            const [m] = await tx<{ id: number }[]>`
              insert into members (organization_id, name, name_initials, gender, ethnicity, birth_date, education, id_number_sealed, id_number_digest,
                                   id_number_masked, phone_sealed, phone_masked, joined_on, full_on, category, occupation, status, status_since,
                                   placed_by, status_by)
              values (${t.to_organization_id}, ${c.name}, ${c.name_initials}, ${c.gender}, ${c.ethnicity}, ${c.birth_date}, ${c.education},
                      ${c.id_number_sealed}, ${c.id_number_digest}, ${c.id_number_masked}, ${c.phone_sealed}, ${c.phone_masked}, ${c.joined_on},
                      ${c.full_on}, ${c.category}, ${c.occupation}, 'normal', ${i.on}, 'orglife', 'orglife')
              returning id`;
            memberId = m!.id;
            await tx`insert into member_events (member_id, kind, at, actor, source, after)
                     values (${memberId}, 'registered', ${i.at}, ${i.actor}, ${i.workflowId}, ${tx.json({ from: t.outside, on: i.on })})`;
          }
          touched.push(t.to_organization_id!);
        }
        await tx`insert into member_events (member_id, kind, at, actor, source, before, after)
                 values (${memberId}, 'moved', ${i.at}, ${i.actor}, ${i.workflowId}, ${tx.json({ organization: moved.from })}, ${tx.json(moved)})`;
        await tx`update member_transfers set state = 'completed', member_id = ${memberId}, decided_by = ${i.actor}, decided_at = ${i.at},
                 reported_on = ${i.on}, incoming = case when incoming is null then null else incoming - 'id_number_sealed' - 'phone_sealed' end
                 where id = ${t.id}`;
        await recountMembers(tx as unknown as Sql, touched);
        // A period away ends with the move: its workflow is told (by the transfer's workflow) and reads that it ended.
        const [away] = await tx<{ workflow_id: string }[]>`
          update member_away set ended_on = ${i.on}, ended_by = ${i.actor} where member_id = ${memberId} and ended_on is null returning workflow_id`;
        return { memberId: memberId!, awayWorkflowId: away?.workflow_id ?? null };
      });
    },

    /** The transfer ended without a move (refused, the letter returned, cancelled): the member stays where they were. */
    async closeTransfer(i: { workflowId: string; state: 'refused' | 'returned' | 'cancelled'; actor: string; note: string | null; at: string }): Promise<void> {
      await sql`
        update member_transfers set state = ${i.state}, decided_by = ${i.actor}, decided_at = ${i.at}, note = ${i.note},
          incoming = case when incoming is null then null else incoming - 'id_number_sealed' - 'phone_sealed' end
        where workflow_id = ${i.workflowId} and state = 'issued'`;
    },
  };
}
