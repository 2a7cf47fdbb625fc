// A ballot step: a meeting that elects by secret ballot (the term election's members' meeting or delegates'
// conference, 两推一选's members' meeting). Each records the same form and checks the meeting's day the same way;
// what differs is who is entitled, which the process's own count checks.
import type { z } from 'zod';
import type { Lang, Outcome, ProcessKind, StepDef } from './step.js';
import { step } from './step.js';
import { shanghaiDate, type IsoDate } from './dates.js';
import { checkMeetingDate } from './election.js';
import { ballotFields, ballotRules } from './step-outcomes.js';

/** What every ballot's context carries: the first day its meeting could be held, the register read for its day. */
export interface BallotRound {
  notBefore?: IsoDate;
  /** Full members on the register on each meeting day a ballot was recorded for (read then; older runs have none). */
  registerOn?: Record<string, number>;
}

export interface BallotStepSpec<S extends Outcome, C> {
  process: ProcessKind;
  step: string;
  outcome: S;
  /** Whether the form asks for the meeting's day (older ballots were recorded on the day, without it). */
  meetingDateRequired: boolean;
  /**
   * The process's count of the ballot; `registerOnMeetingDay` is the register read for the meeting's day (null: not
   * read yet, undefined: a run that does not read it).
   */
  count: (o: z.output<S>, c: C & { registerOnMeetingDay?: number | null }) => void;
  /** RuleViolation names of the count beyond a ballot's own, and the fields they concern. */
  ruleFields?: Readonly<Record<string, string>>;
  words: Readonly<Record<Lang, string>>;
  shows: readonly (keyof C & string)[];
}

/** A ballot step's catalog entry: the secretary records it; the meeting's day is checked, then the process's count. */
export function ballotStep<C extends BallotRound>() {
  return <S extends Outcome>(d: BallotStepSpec<S, C>): StepDef<S, C> =>
    step<C>()({
      process: d.process,
      step: d.step,
      role: 'secretary',
      outcome: d.outcome,
      fields: [{ name: 'meetingDate', kind: 'date', required: d.meetingDateRequired }, ...ballotFields],
      rule: (o, c) => {
        const today = shanghaiDate(Date.now());
        const day = (o as { meetingDate?: IsoDate }).meetingDate ?? today;
        checkMeetingDate(day, c, today);
        d.count(o, { ...c, registerOnMeetingDay: c.registerOn ? (c.registerOn[day] ?? null) : undefined });
      },
      ruleFields: { ...ballotRules, 'meeting-date': 'meetingDate', ...d.ruleFields },
      words: d.words,
      shows: d.shows,
    });
}
