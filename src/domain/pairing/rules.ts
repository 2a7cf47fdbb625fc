// Urban–rural pairing 结对共建 (domain.md §4.5): the rules on what a pairing records. Pure: the workflow's Update
// validators and the evidence upload route call them, so a forbidden record is refused before anything changes.
import { RuleViolation } from '../election.js';
import { addMonths, type IsoDate } from '../dates.js';
import { steeringRoles, type Role } from '../roles.js';
import { pairingDeliverables, type PairingDeliverable, type PairingRules } from '../rules.js';

export { pairingDeliverables, type PairingDeliverable };

/** Who records a pairing's work (evidence files, milestones): the village's and the partner's people at these roles, and those above either. */
export const pairingWorkers: readonly Role[] = [...steeringRoles, 'secretary'];

/** Sectors whose organizations are urban units that can pair with a village (not villages, not the regional committees). */
export const urbanSectors = ['community', 'soe', 'government', 'university', 'nonpublic', 'social', 'institution'] as const;

export interface EvidenceRef {
  id: string;
  deliverable: PairingDeliverable;
  sha256: string;
  size: number;
  filename: string;
}

export interface MilestoneRecord {
  deliverable: PairingDeliverable;
  milestone: string;
  achievedOn: IsoDate;
  evidence: string[];
}

const SHA256 = /^[0-9a-f]{64}$/;
/** Printable names without path separators or control characters (the name is shown and sent back as a download name). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the class lists the control characters a name may not hold
const FILENAME = /^[^/\\\u0000-\u001f\u007f]{1,200}$/;

/** An evidence file before it is stored: not empty, within the size limit, a proper checksum and a plain name. */
export function checkEvidenceFile(f: { size: number; sha256: string; filename: string }, rules: Pick<PairingRules, 'evidenceMaxBytes'>): void {
  if (!Number.isInteger(f.size) || f.size <= 0) throw new RuleViolation('evidence-empty', 'an evidence file must not be empty');
  if (f.size > rules.evidenceMaxBytes)
    throw new RuleViolation('evidence-size', `${f.size} bytes: evidence files are limited to ${rules.evidenceMaxBytes} bytes`);
  if (!SHA256.test(f.sha256)) throw new RuleViolation('evidence-checksum', 'the checksum must be a SHA-256 in lower-case hex');
  checkEvidenceFilename(f.filename);
}

/** A file name to show and to send back as the download name: no path, no control characters, 1–200 characters. */
export function checkEvidenceFilename(filename: string): void {
  if (!FILENAME.test(filename) || filename === '.' || filename === '..')
    throw new RuleViolation('evidence-filename', `not a usable file name: ${JSON.stringify(filename)}`);
}

/**
 * A milestone of a deliverable: one the rule set names, not recorded before, the milestones before it recorded
 * first, achieved no later than today and not before the cycle began, with enough evidence files attached to
 * this deliverable.
 */
export function checkMilestone(
  m: MilestoneRecord,
  state: { recorded: readonly MilestoneRecord[]; evidence: readonly EvidenceRef[]; startsOn: IsoDate; today: IsoDate },
  rules: Pick<PairingRules, 'deliverables' | 'evidencePerMilestone'>,
): void {
  const spec = rules.deliverables[m.deliverable];
  if (!spec) throw new RuleViolation('deliverable', `no deliverable ${m.deliverable}`);
  const index = spec.milestones.indexOf(m.milestone);
  if (index < 0) throw new RuleViolation('milestone', `${m.deliverable} has no milestone ${m.milestone} (milestones: ${spec.milestones.join(', ')})`);
  const done = state.recorded.filter((r) => r.deliverable === m.deliverable).map((r) => r.milestone);
  if (done.includes(m.milestone)) throw new RuleViolation('milestone-recorded', `${m.deliverable}/${m.milestone} is already recorded`);
  const missing = spec.milestones.slice(0, index).filter((x) => !done.includes(x));
  if (missing.length)
    throw new RuleViolation('milestone-order', `${m.deliverable}/${m.milestone} comes after ${missing.join(', ')}, which are not recorded yet`);
  if (m.achievedOn > state.today) throw new RuleViolation('milestone-date', `${m.achievedOn} is in the future`);
  if (m.achievedOn < state.startsOn) throw new RuleViolation('milestone-date', `${m.achievedOn} is before the cycle began on ${state.startsOn}`);
  const ids = new Set(m.evidence);
  if (ids.size < rules.evidencePerMilestone) {
    throw new RuleViolation(
      'evidence-required',
      `${m.deliverable}/${m.milestone} needs at least ${rules.evidencePerMilestone} evidence file(s), got ${ids.size}`,
    );
  }
  for (const id of ids) {
    const e = state.evidence.find((x) => x.id === id);
    if (!e) throw new RuleViolation('evidence-unknown', `evidence ${id} was not uploaded to this pairing`);
    if (e.deliverable !== m.deliverable) throw new RuleViolation('evidence-deliverable', `evidence ${id} belongs to ${e.deliverable}, not ${m.deliverable}`);
  }
}

/** A deliverable is done only when every one of its milestones is recorded. */
export function checkDeliverableComplete(
  deliverable: PairingDeliverable,
  recorded: readonly MilestoneRecord[],
  rules: Pick<PairingRules, 'deliverables'>,
): void {
  const done = new Set(recorded.filter((r) => r.deliverable === deliverable).map((r) => r.milestone));
  const missing = rules.deliverables[deliverable].milestones.filter((m) => !done.has(m));
  if (missing.length)
    throw new RuleViolation('milestones-missing', `${deliverable} cannot be delivered before its milestones ${missing.join(', ')} are recorded`);
}

/** The cycle's dates: it ends `cycleYears` after it starts; reviews fall on each anniversary. */
export function cycleDates(
  startsOn: IsoDate,
  rules: Pick<PairingRules, 'cycleYears' | 'deliverables'>,
): { endsOn: IsoDate; reviews: IsoDate[]; deliverableDue: Record<PairingDeliverable, IsoDate> } {
  const reviews = Array.from({ length: rules.cycleYears }, (_, i) => addMonths(startsOn, 12 * (i + 1)));
  const deliverableDue = Object.fromEntries(pairingDeliverables.map((d) => [d, addMonths(startsOn, rules.deliverables[d].dueMonths)])) as Record<
    PairingDeliverable,
    IsoDate
  >;
  return { endsOn: reviews[reviews.length - 1]!, reviews, deliverableDue };
}

/** The last review of a cycle decides whether the pairing goes on into the next cycle. */
/** The review's rating must be one its task offered when it opened (`ratings` of its context; older runs: the three-grade scale). */
export function checkReviewRating(rating: string, offered: readonly string[]): void {
  if (!offered.includes(rating))
    throw new RuleViolation('review-rating', `this review rates ${offered.join(', ')}: "${rating}" was not offered when it opened`);
}

export function checkReview(o: { decision?: 'continue' | 'end' }, year: number, rules: Pick<PairingRules, 'cycleYears'>): void {
  const last = year === rules.cycleYears;
  if (last && !o.decision) throw new RuleViolation('review-decision', `the review of year ${year} closes the cycle: decide whether the pairing continues`);
  if (!last && o.decision)
    throw new RuleViolation('review-decision', `only the last review of the cycle (year ${rules.cycleYears}) decides whether the pairing continues`);
}
