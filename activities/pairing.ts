import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { shanghaiDate, type IsoDate } from '../src/domain/dates.js';
import { urbanSectors } from '../src/domain/pairing/rules.js';
import { pairingRulesFor, type PairingDeliverable, type PairingRules } from '../src/domain/rules.js';

export interface PairingContext {
  organizationId: number;
  /** The village's path: its county's organizers and the township steer the pairing. */
  orgPath: string;
  /** The township committee: it reviews the pairing every year. */
  townshipId: number;
  partnerId: number;
  partnerPath: string;
  startsOn: IsoDate;
  rules: PairingRules;
}

/** Urban–rural pairing (domain.md §4.5): context and projection. Every write is keyed and sets absolute values (retries are harmless). */
export function pairingActivities(sql: Sql) {
  return {
    async loadPairingContext(i: { organization: string; partner: string; at: string; startsOn?: IsoDate; ruleSet?: string }): Promise<PairingContext> {
      const rows = await sql<{ id: number; code: string; path: string; parent_id: number | null; type: string; sector: string; settlement: string | null }[]>`
        select o.id, o.code, o.path::text as path, o.parent_id, o.type, o.sector, o.settlement
        from organizations o where o.code in ${sql([i.organization, i.partner])}`;
      const village = rows.find((r) => r.code === i.organization);
      const partner = rows.find((r) => r.code === i.partner);
      if (!village) throw ApplicationFailure.nonRetryable(`organization ${i.organization} does not exist`, 'NotFound');
      if (!partner) throw ApplicationFailure.nonRetryable(`organization ${i.partner} does not exist`, 'NotFound');
      // The village's own organization (organizations.settlement: directly under a township), not a branch under its 总支.
      if (village.parent_id === null || village.settlement !== 'village')
        throw ApplicationFailure.nonRetryable(`${i.organization} is not a village's Party organization`, 'NotAVillage');
      if (partner.type === 'unit' || !(urbanSectors as readonly string[]).includes(partner.sector))
        throw ApplicationFailure.nonRetryable(`${i.partner} is not an urban unit's Party organization`, 'NotUrban');
      const startsOn = i.startsOn ?? shanghaiDate(new Date(i.at));
      return {
        organizationId: Number(village.id),
        orgPath: village.path,
        townshipId: Number(village.parent_id),
        partnerId: Number(partner.id),
        partnerPath: partner.path,
        startsOn,
        rules: pairingRulesFor(startsOn, i.ruleSet),
      };
    },

    async recordPairing(p: {
      workflowId: string;
      cycle: number;
      organizationId: number;
      partnerId: number;
      startsOn: IsoDate;
      endsOn: IsoDate;
      state: 'active' | 'continued' | 'ended' | 'cancelled';
      ruleSet: string;
      at: string;
    }): Promise<void> {
      await sql`
        insert into pairings (workflow_id, cycle, organization_id, partner_id, starts_on, ends_on, state, rule_set, updated_at)
        values (${p.workflowId}, ${p.cycle}, ${p.organizationId}, ${p.partnerId}, ${p.startsOn}, ${p.endsOn}, ${p.state}, ${p.ruleSet}, ${p.at})
        on conflict (workflow_id, cycle) do update set state = excluded.state, updated_at = excluded.updated_at`;
    },

    async recordDeliverable(d: {
      workflowId: string;
      cycle: number;
      deliverable: PairingDeliverable;
      dueOn: IsoDate;
      state: 'open' | 'delivered' | 'missed' | 'cancelled';
      summary?: string;
      at: string;
    }): Promise<void> {
      const deliveredOn = d.state === 'delivered' ? shanghaiDate(new Date(d.at)) : null;
      await sql`
        insert into pairing_deliverables (workflow_id, cycle, deliverable, due_on, state, summary, delivered_on, updated_at)
        values (${d.workflowId}, ${d.cycle}, ${d.deliverable}, ${d.dueOn}, ${d.state}, ${d.summary ?? null}, ${deliveredOn}, ${d.at})
        on conflict (workflow_id, cycle, deliverable) do update set state = excluded.state,
          summary = coalesce(excluded.summary, pairing_deliverables.summary),
          delivered_on = coalesce(pairing_deliverables.delivered_on, excluded.delivered_on), updated_at = excluded.updated_at`;
    },

    async recordMilestone(m: {
      workflowId: string;
      cycle: number;
      deliverable: PairingDeliverable;
      milestone: string;
      achievedOn: IsoDate;
      note?: string;
      evidence: string[];
      actor: string;
      at: string;
    }): Promise<void> {
      await sql`
        insert into pairing_milestones (workflow_id, cycle, deliverable, milestone, achieved_on, note, evidence, recorded_by, recorded_at)
        values (${m.workflowId}, ${m.cycle}, ${m.deliverable}, ${m.milestone}, ${m.achievedOn}, ${m.note ?? null}, ${sql.array(m.evidence)}::uuid[], ${m.actor}, ${m.at})
        on conflict do nothing`;
    },

    /** The upload's file joins the cycle's record once the workflow accepted it. */
    async attachEvidence(e: { id: string; workflowId: string; cycle: number }): Promise<void> {
      await sql`update evidence_files set attached = true, cycle = ${e.cycle} where id = ${e.id} and workflow_id = ${e.workflowId}`;
    },

    async recordReview(r: {
      workflowId: string;
      cycle: number;
      year: number;
      rating: string;
      comments: string;
      decision?: string;
      actor: string;
      at: string;
    }): Promise<void> {
      await sql`
        insert into pairing_reviews (workflow_id, cycle, year, rating, comments, decision, reviewed_by, reviewed_at)
        values (${r.workflowId}, ${r.cycle}, ${r.year}, ${r.rating}, ${r.comments}, ${r.decision ?? null}, ${r.actor}, ${r.at})
        on conflict do nothing`;
    },
  };
}
