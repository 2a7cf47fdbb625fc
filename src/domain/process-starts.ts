// Which processes a person starts by hand, who may start them, and which organizations each is about: read by
// the API's start route (src/api/process-kinds.ts refuses an organization a kind is not about) and by the web UI
// (the dashboard offers these kinds, an organization's page the ones that apply to it). Pure: no I/O.
import { urbanSectors } from './pairing/rules.js';
import { electsItsCommittee } from './rules.js';
import { organizingRoles, steeringRoles } from './roles.js';
import type { ProcessKind } from './step.js';

export { urbanSectors };

/** The roles that may start a process (on an organization in their subtree). */
export const startRoles = organizingRoles;

/** The roles that may record a new secretary (POST /training/secretary-changes). */
export const secretaryChangeRoles = steeringRoles;

/** An organization as the start checks read it. */
export interface StartOrg {
  type: string;
  sector: string;
  /** Whether a committee is above it (not the tree's root). */
  hasParent: boolean;
  /** A village's or community's own organization (`organizations.settlement`, decided by the tree's shape: domain.md §2). */
  settlement: 'village' | 'community' | null;
  termEndsOn: string | Date | null;
  /** How its committee comes to office (organizations.election_body); absent where the caller does not know it. */
  electionBody?: string | null;
}

/** Whether the organization's committee is elected by this system's term election (unknown: assumed so). */
const elects = (o: StartOrg) => o.electionBody === undefined || electsItsCommittee(o.electionBody);

/** Whether a kind is about an organization (the API answers 400 for the others). */
export const kindAppliesTo = {
  'term-election': (o: StartOrg) => !!o.termEndsOn && elects(o),
  'two-recommendations-one-election': (o: StartOrg) => o.settlement !== null,
  'rotation-training': (o: StartOrg) => o.type !== 'unit',
  'liaison-dispatch': (o: StartOrg) => o.type === 'unit',
  pairing: (o: StartOrg) => o.settlement === 'village',
  'term-date-missing': (o: StartOrg) => o.type !== 'unit' && o.hasParent && !o.termEndsOn && elects(o),
} as const satisfies Partial<Record<ProcessKind, (o: StartOrg) => boolean>>;

/** The pairing's partner: an urban unit's Party organization. */
export const isPairingPartner = (o: { type: string; sector: string }) => o.type !== 'unit' && (urbanSectors as readonly string[]).includes(o.sector);

/** The kinds a person starts from the web UI, in the order offered (term-date-missing is started by the daily sweep). */
export const kindsStartedByHand = [
  'term-election',
  'two-recommendations-one-election',
  'rotation-training',
  'pairing',
  'liaison-dispatch',
] as const satisfies readonly ProcessKind[];
export type StartedByHand = (typeof kindsStartedByHand)[number];

/** The workflow id of an organization's process of a kind (one live process of a kind per organization). */
export const processIdOf = (kind: ProcessKind, organization: string) => `${kind}:${organization}`;
