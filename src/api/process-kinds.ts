import type { Principal } from '../auth/principal.js';
import type { Sql } from '../db/client.js';
import { electionBodyRefusal, pairingRuleSets, pairingRulesFor, termRuleSets, twoRecommendationsRuleSets } from '../domain/rules.js';
import { addMonths, shanghaiDate } from '../domain/dates.js';
import { isPairingPartner, kindAppliesTo, urbanSectors, type StartOrg } from '../domain/process-starts.js';
import type { ProcessKind } from '../domain/step.js';
import { termElection } from '../../workflows/term-election/workflow.js';
import { rotationTraining } from '../../workflows/rotation-training/workflow.js';
import { liaisonDispatch } from '../../workflows/liaison-dispatch/workflow.js';
import { twoRecommendationsOneElection } from '../../workflows/two-recommendations-one-election/workflow.js';
import { pairing } from '../../workflows/pairing/workflow.js';
import { termDateMissing } from '../../workflows/term-date-missing/workflow.js';
import { HttpError } from './errors.js';
import { organizationInScope } from './scope.js';
import type { OrganizationToStart } from '../processes/store.js';

// The processes POST /processes/:kind starts, one entry each: its workflow, the rule sets a start may pin, what
// the body must carry, which organizations it is about, and how the workflow's input is built from the request.
// The route looks the kind up and starts it; a new kind is one entry here.

/** The start request as a kind sees it, after the caller's scope and role were checked. */
export interface StartRequest {
  sql: Sql;
  principal: Principal;
  body: { organization: string; ruleSet?: string; secretary?: string; partner?: string; startsOn?: string };
  /** The organization the process is about, as the checks read it. */
  org: OrganizationToStart;
  /** The workflow id the process runs under (one live process of a kind per organization). */
  workflowId: string;
}

export interface ProcessStarter<Input = unknown> {
  /** One line for the API documentation: what the process is and what a start needs. */
  about: string;
  workflow: (input: Input) => Promise<unknown>;
  /** The rule sets a start may pin (history); without them, the kind runs on the set in force. */
  ruleSets?: readonly string[];
  /** Body fields this kind needs, with the message of their absence (checked before the organization is read). */
  requires?: { [F in keyof StartRequest['body']]?: string };
  /** Refuses an organization the kind is not about: 400 naming the field (404 for a partner outside the subtree). */
  check?: (r: StartRequest) => void | Promise<void>;
  /** The workflow's input. */
  input: (r: StartRequest) => Input | Promise<Input>;
}

/** Checks at definition that a kind's input is what its workflow takes. */
const kind = <Input>(k: ProcessStarter<Input>): ProcessStarter => k as ProcessStarter;

export const badField = (field: string, message: string, what = message) => new HttpError(400, 'invalid_request', what, [{ field, message }]);

/** The next run number of a workflow id that may run again (its task and event keys carry it). */
async function nextNumber(sql: Sql, table: 'secretary_selections' | 'pairings', column: 'selection' | 'cycle', workflowId: string): Promise<number> {
  const [r] = await sql<{ n: number }[]>`select coalesce(max(${sql(column)}), 0)::int + 1 as n from ${sql(table)} where workflow_id = ${workflowId}`;
  return r!.n;
}

/** The organization as the shared start checks (src/domain/process-starts.ts) read it. */
const facts = (org: StartRequest['org']): StartOrg => ({
  type: org.type,
  sector: org.sector,
  hasParent: org.parent_id !== null,
  settlement: org.settlement,
  termEndsOn: org.term_ends_on,
  electionBody: org.election_body,
});
const applies = (kind: keyof typeof kindAppliesTo, org: StartRequest['org']) => kindAppliesTo[kind](facts(org));

/** How the API starts each process a person starts by hand: its checks on the organization and its workflow input. */
export const processStarters = {
  'term-election': kind({
    about: 'the term election (换届选举) of an organization with a term on the register',
    workflow: termElection,
    ruleSets: termRuleSets.map((r) => r.id),
    check: ({ org }) => {
      // Who elects how (domain.md §4.1): an appointed body or a committee elected by a Party congress has no election here.
      const refusal = electionBodyRefusal(org.election_body);
      if (refusal) throw new HttpError(422, 'rule_violation', refusal, { rule: 'election-body', electionBody: org.election_body, field: 'body.organization' });
      if (!applies('term-election', org))
        throw badField('body.organization', 'organization has no term start and length', 'the organization has no term on the register');
    },
    input: ({ body }) => ({ organization: body.organization, ruleSet: body.ruleSet }),
  }),
  'two-recommendations-one-election': kind({
    about: 'two recommendations, one election (两推一选) of a village or community secretary',
    workflow: twoRecommendationsOneElection,
    ruleSets: twoRecommendationsRuleSets.map((r) => r.id),
    check: ({ org }) => {
      if (!applies('two-recommendations-one-election', org)) {
        throw badField(
          'body.organization',
          'not a village or community Party organization under a township committee',
          'two recommendations, one election selects village and community secretaries',
        );
      }
    },
    // A village selects again at a later term under the same workflow id: the next number.
    input: async ({ sql, body, workflowId }) => ({
      organization: body.organization,
      ruleSet: body.ruleSet,
      selection: await nextNumber(sql, 'secretary_selections', 'selection', workflowId),
    }),
  }),
  'rotation-training': kind({
    about: "the rotation training cycles (轮训) of an organization's secretary; secretary: the first cycle's (default: the register's)",
    workflow: rotationTraining,
    check: ({ org }) => {
      if (!applies('rotation-training', org))
        throw badField('body.organization', 'organization is a unit', 'a unit without a Party organization has no secretary to train');
    },
    input: ({ body }) => ({ organization: body.organization, secretary: body.secretary }),
  }),
  'liaison-dispatch': kind({
    about: 'a liaison officer dispatched (选派党建联络员) to a unit without a Party organization',
    workflow: liaisonDispatch,
    check: ({ org }) => {
      if (!applies('liaison-dispatch', org))
        throw badField('body.organization', 'organization is not a unit', 'liaison officers are dispatched to units without a Party organization');
    },
    input: ({ body }) => ({ organization: body.organization }),
  }),
  pairing: kind({
    about: "the urban–rural pairing (结对共建) of an administrative village with an urban unit's Party organization (partner, required)",
    workflow: pairing,
    ruleSets: pairingRuleSets.map((r) => r.id),
    requires: { partner: 'required: the urban unit paired with the village' },
    check: async ({ sql, principal, body, org }) => {
      if (!applies('pairing', org)) {
        throw badField('body.organization', "not a village's Party organization", 'a pairing is about an administrative village');
      }
      // The partner must be visible to the caller (404 otherwise, like any organization outside the subtree).
      const partner = await organizationInScope(sql, principal, body.partner!);
      const [p] = await sql<{ type: string; sector: string }[]>`select type, sector from organizations where id = ${partner.id}`;
      if (!isPairingPartner(p!)) {
        throw badField('body.partner', `not an urban unit's Party organization (sector one of ${urbanSectors.join(', ')})`);
      }
      // A pairing agreed before it is registered here begins on its own day: its reviews and deliverables fall due
      // from then (real dates, not shortened ones). Not a day to come, and at most a cycle and a month ago (a pairing
      // registered just after its first cycle's last anniversary still gets that review).
      if (body.startsOn) {
        const today = shanghaiDate(Date.now());
        const earliest = addMonths(today, -12 * pairingRulesFor(today).cycleYears - 1);
        if (body.startsOn > today) throw badField('body.startsOn', `after today (${today})`);
        if (body.startsOn < earliest) throw badField('body.startsOn', `more than a cycle and a month ago (before ${earliest})`);
      }
    },
    // A pairing that ended (or was cancelled) may start again: its cycles number on.
    input: async ({ sql, body, workflowId }) => ({
      organization: body.organization,
      partner: body.partner!,
      startsOn: body.startsOn,
      ruleSet: body.ruleSet,
      cycle: await nextNumber(sql, 'pairings', 'cycle', workflowId),
    }),
  }),
  // Started every morning by the sweep (src/processes/term-schedule.ts) for every organization lacking a term;
  // by hand for one organization at once.
  'term-date-missing': kind({
    about: 'a term missing from the register (补录届期信息): the organizer of the supervising committee is asked to fill it in',
    workflow: termDateMissing,
    check: ({ org }) => {
      if (org.type === 'unit' || org.parent_id === null)
        throw badField(
          'body.organization',
          'not a Party organization under a supervising committee',
          'only a Party organization with a committee above it has a term to fill in',
        );
      if (electionBodyRefusal(org.election_body))
        throw new HttpError(422, 'rule_violation', `no term to chase: ${electionBodyRefusal(org.election_body)}`, {
          rule: 'election-body',
          electionBody: org.election_body,
          field: 'body.organization',
        });
      if (!applies('term-date-missing', org))
        throw badField('body.organization', 'organization already has a term on the register', 'the term is on the register already');
    },
    input: ({ body }) => ({ organization: body.organization }),
  }),
} satisfies Partial<Record<ProcessKind, ProcessStarter>>;

export type StartedKind = keyof typeof processStarters;
export const startedKinds = Object.keys(processStarters) as [StartedKind, ...StartedKind[]];
