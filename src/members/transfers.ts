// 组织关系转接's records (migrations/103_member_transfers.sql) as the API and the demo write and read them: a transfer
// issued (its row, named by the workflow id its process runs under, then the workflow started), the register's
// transfers both ways, and what a start checks. The rest of the transfer's life is its workflow's
// (activities/member-transfer.ts).
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client.js';
import { addMonths, type IsoDate } from '../domain/dates.js';
import { transferRulesFor, type TransferDirection, type TransferState } from '../domain/member-transfer/rules.js';
import { memberTransfer, memberTransferId } from '../../workflows/member-transfer/workflow.js';

/** A transfer of this member is under way already: a second would race the first for the register. */
export class TransferUnderWay extends Error {
  constructor() {
    super('a transfer of this member is under way already');
  }
}

/** The letter's last day: `given`, or the rule set's validity from `today`. */
export const letterLastDay = (today: IsoDate, given?: IsoDate): IsoDate => given ?? addMonths(today, transferRulesFor(today).letterValidityMonths);

export interface NewTransfer {
  direction: TransferDirection;
  memberId?: number | null;
  fromOrganizationId?: number | null;
  toOrganizationId?: number | null;
  outside?: string | null;
  letterNumber?: string | null;
  validUntil: IsoDate;
  reason?: string | null;
  /** A member coming from outside: their columns, personal data sealed (src/members/personal-data.ts). */
  incoming?: Record<string, unknown> | null;
  actor: string;
}

/** Records the transfer and starts its workflow; a transfer whose workflow could not start is withdrawn. */
export async function issueTransfer(
  sql: Sql,
  temporal: Client,
  taskQueue: string,
  t: NewTransfer,
): Promise<{ id: number; workflowId: string; validUntil: string }> {
  const [{ id } = { id: 0 }] = await sql<{ id: number }[]>`select nextval(pg_get_serial_sequence('member_transfers', 'id'))::int as id`;
  const workflowId = memberTransferId(randomUUID());
  const [row] = await sql<{ valid_until: string }[]>`
    insert into member_transfers ${sql({
      id,
      workflow_id: workflowId,
      direction: t.direction,
      member_id: t.memberId ?? null,
      from_organization_id: t.fromOrganizationId ?? null,
      to_organization_id: t.toOrganizationId ?? null,
      outside: t.outside ?? null,
      letter_number: t.letterNumber ?? null,
      valid_until: t.validUntil,
      reason: t.reason ?? null,
      incoming: t.incoming ? sql.json(t.incoming as never) : null,
      issued_by: t.actor,
    } as never)}
    returning to_char(valid_until, 'YYYY-MM-DD') as valid_until`.catch((err: { code?: string }) => {
    if (err.code === '23505') throw new TransferUnderWay();
    throw err;
  });
  try {
    await temporal.workflow.start(memberTransfer, { workflowId, taskQueue, args: [{ transfer: id }] });
  } catch (err) {
    await sql`update member_transfers set state = 'cancelled', note = 'not started' where id = ${id}`;
    throw err;
  }
  return { id, workflowId, validUntil: row!.valid_until };
}

/** A Party organization a transfer may go to, by code (a unit keeps no register); undefined for none. */
export async function receivingOrganization(sql: Sql, code: string): Promise<{ id: number } | undefined> {
  const [o] = await sql<{ id: number }[]>`select id from organizations where code = ${code} and type <> 'unit'`;
  return o;
}

/** The status of the member this 身份证号 digest names on the province's registers, if any. */
export async function statusByDigest(sql: Sql, digest: string): Promise<string | undefined> {
  const [m] = await sql<{ status: string }[]>`select status from members where id_number_digest = ${digest}`;
  return m?.status;
}

export interface TransferLine {
  id: number;
  workflowId: string;
  direction: TransferDirection;
  member: string;
  memberId: number | null;
  from: string | null;
  to: string | null;
  letterNumber: string | null;
  issuedOn: string;
  validUntil: string;
  state: TransferState;
  reportedOn: string | null;
}

/** The transfers from or to an organization's register, newest first (at most 500). */
export function transfersOf(sql: Sql, organizationId: number, state?: TransferState): Promise<TransferLine[]> {
  return sql<TransferLine[]>`
    select t.id, t.workflow_id as "workflowId", t.direction, coalesce(m.name, t.incoming->>'name') as member, t.member_id as "memberId",
           coalesce(f.name, case when t.direction = 'in' then t.outside end) as "from",
           coalesce(o.name, case when t.direction = 'out' then t.outside end) as "to",
           t.letter_number as "letterNumber", to_char(t.issued_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as "issuedOn",
           to_char(t.valid_until, 'YYYY-MM-DD') as "validUntil", t.state, to_char(t.reported_on, 'YYYY-MM-DD') as "reportedOn"
    from member_transfers t left join members m on m.id = t.member_id
    left join organizations f on f.id = t.from_organization_id left join organizations o on o.id = t.to_organization_id
    where (t.from_organization_id = ${organizationId} or t.to_organization_id = ${organizationId}) ${state ? sql`and t.state = ${state}` : sql``}
    order by t.issued_at desc, t.id desc limit 500`;
}
