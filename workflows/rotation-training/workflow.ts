// Rotation training 轮训 (domain.md §4.3): one run per secretary's cycle (3 years for village secretaries, 1 year for
// SOE, university and community secretaries: the rule set's numbers). The training task opens when the cycle
// starts and is due when it ends, so its reminders fall during the cycle and it escalates when the cycle ends
// untrained. An organizer enrols the secretary in a session; attendance, recorded by the session's organizer on or
// after its first day, completes the task, closes the cycle and continues as new into the next. A new secretary
// closes the cycle and opens a new one at once, named for them, however they came: a change of secretary
// (newSecretary Update), the term election's approved result or 两推一选's approval (secretaryChanged signal).
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, defineUpdate, setHandler } from '@temporalio/workflow';
import { z } from 'zod';
import type { TrainingContext } from '../../activities/rotation-training.js';
import { isValidIsoDate, shanghaiDate, shanghaiInstant, type IsoDate } from '../../src/domain/dates.js';
import { actorAllows } from '../../src/domain/task-rights.js';
import { organizingRoles, steeringRoles } from '../../src/domain/roles.js';
import { attendanceOutcome, checkSessionBegun, sessionCode } from '../../src/domain/rotation-training/rules.js';
import { training as trainingStep } from '../../src/domain/rotation-training/steps.js';
import { acts } from '../process-activities.js';
import type { HumanTaskResult } from '../human-task.js';
import { ProcessRun } from '../process-run.js';
import { rotationTrainingStates } from '../../src/domain/rotation-training/states.js';
import { actorSchema, reasonSchema } from '../messages.js';
import { KIND, secretaryChangedInput, secretaryChangedSignal } from './secretary.js';

export { KIND };

export interface RotationTrainingInput {
  organization: string;
  cycle?: number;
  /** The cycle's first day; by default the day the run starts. */
  startsOn?: IsoDate;
  secretary?: string;
  ruleSet?: string;
}

export const enrolTrainingInput = z.object({
  session: sessionCode,
  sessionEndsOn: z.string().refine(isValidIsoDate),
  // The session's first day and the path of the committee holding it: its attendance is recorded by that
  // committee's organizers, on or after that day. Enrolments recorded before they were carried have neither.
  sessionStartsOn: z.string().refine(isValidIsoDate).optional(),
  sessionHeldAt: z.string().max(2000).optional(),
  actor: actorSchema,
});
export const newSecretaryInput = z.object({ secretary: z.string().trim().min(1).max(100), reason: reasonSchema.optional(), actor: actorSchema });
export const enrolTrainingUpdate = defineUpdate<{ cycle: number }, [z.input<typeof enrolTrainingInput>]>('enrolTraining');
export const newSecretaryUpdate = defineUpdate<{ closedCycle: number }, [z.input<typeof newSecretaryInput>]>('newSecretary');
export { attendanceOutcome };

/** Who records attendance: the organizers of the committee holding the session (or above it). */
const recorders = organizingRoles;

/** A new secretary as the cycle keeps it, whichever way the change came. */
interface SecretaryChange {
  secretary: string;
  reason?: string;
  by: string;
}

export async function rotationTraining(input: RotationTrainingInput): Promise<void> {
  const cycle = input.cycle ?? 1;
  const p = new ProcessRun({ kind: KIND, organization: input.organization, prefix: `c${cycle}:`, run: cycle });
  const { workflowId } = p;
  const key = (k: string) => p.key(k);
  let ctx: TrainingContext | undefined;
  const enrolled: string[] = [];
  const sessions = new Map<string, { startsOn?: IsoDate; heldAt?: string }>();
  let result: HumanTaskResult | undefined;
  let newSecretary: SecretaryChange | undefined;
  let next: RotationTrainingInput | undefined;
  const cycleRecord = (state: 'open' | 'completed' | 'closed', extra: { trainedOn?: IsoDate; session?: string } = {}) => ({
    workflowId,
    cycle,
    organizationId: ctx!.organizationId,
    secretary: ctx!.secretary,
    startsOn: ctx!.startsOn,
    endsOn: ctx!.endsOn,
    state,
    at: new Date().toISOString(),
    ...extra,
  });
  const open = () => ctx !== undefined && result === undefined && newSecretary === undefined;

  setHandler(
    enrolTrainingUpdate,
    async (raw) => {
      const i = enrolTrainingInput.parse(raw);
      enrolled.push(i.session);
      sessions.set(i.session, { startsOn: i.sessionStartsOn, heldAt: i.sessionHeldAt });
      await acts.recordEnrolment({
        workflowId,
        cycle,
        session: i.session,
        organizationId: ctx!.organizationId,
        actor: i.actor.username,
        at: new Date().toISOString(),
      });
      await p.moveTo(p.step, rotationTrainingStates.key('enrolled-{session}', { session: i.session }), { session: i.session, by: i.actor.username });
      return { cycle };
    },
    {
      validator: (raw) => {
        const i = enrolTrainingInput.parse(raw);
        if (!open()) throw new Error('the training cycle is not open');
        if (!actorAllows(i.actor, ctx!.orgPath, steeringRoles)) throw new Error(`${i.actor.username} may not enrol this secretary`);
        if (enrolled.includes(i.session)) throw new Error(`already enrolled in ${i.session}`);
        if (i.sessionEndsOn < ctx!.startsOn) throw new Error(`session ${i.session} ended before the cycle began`);
      },
    },
  );
  // The one way a cycle learns of a new secretary. While the cycle is open (or its context still loading) it closes
  // and the next opens at once; after it completed for the outgoing secretary, the next one starts today, for the
  // new secretary, rather than when the completed one ends.
  const changeSecretary = (c: SecretaryChange) => {
    newSecretary = c;
    if (next) next = { ...next, startsOn: shanghaiDate(Date.now()), secretary: c.secretary };
  };
  setHandler(secretaryChangedSignal, (raw) => {
    const i = secretaryChangedInput.safeParse(raw);
    if (!i.success || result?.state === 'cancelled') return;
    const current = newSecretary?.secretary ?? next?.secretary ?? ctx?.secretary;
    if (ctx && i.data.secretary === current) return;
    changeSecretary({ secretary: i.data.secretary, reason: i.data.reason ?? `new secretary ${i.data.secretary} (${i.data.source})`, by: i.data.by });
  });
  setHandler(
    newSecretaryUpdate,
    async (raw) => {
      const i = newSecretaryInput.parse(raw);
      changeSecretary({ secretary: i.secretary, reason: i.reason, by: i.actor.username });
      await condition(() => next !== undefined);
      return { closedCycle: cycle };
    },
    {
      validator: (raw) => {
        const i = newSecretaryInput.parse(raw);
        if (!open()) throw new Error('the training cycle is not open');
        if (!actorAllows(i.actor, ctx!.orgPath, steeringRoles)) throw new Error(`${i.actor.username} may not change the secretary`);
        if (i.secretary === ctx!.secretary) throw new Error(`${i.secretary} is already the secretary of this cycle`);
      },
    },
  );

  await p.cancellable(
    async () => {
      ctx = await acts.loadTrainingContext({
        organization: input.organization,
        at: new Date().toISOString(),
        startsOn: input.startsOn,
        secretary: input.secretary,
        ruleSet: input.ruleSet,
      });
      const c = ctx;
      // A change told while the context loaded that the register already shows is none.
      if (newSecretary && newSecretary.secretary === c.secretary) newSecretary = undefined;
      p.at(c.organizationId, c.orgPath);
      p.nextDeadline = shanghaiInstant(c.endsOn, 18).toISOString();
      await acts.recordCycle(cycleRecord('open'));
      await p.moveTo('cycle-waiting', 'cycle-registered', { cycle, secretary: c.secretary, startsOn: c.startsOn, endsOn: c.endsOn, ruleSet: c.rules.id });

      // The next cycle begins when the last one ends: wait for it (a new secretary starts one at once).
      const waitMs = shanghaiInstant(c.startsOn, 0).getTime() - Date.now();
      if (waitMs > 0) await condition(() => newSecretary !== undefined, waitMs);
      if (!newSecretary) {
        const training = await p.openTask('training', trainingStep, () => ({ secretary: c.secretary ?? '', cycleEndsOn: c.endsOn, enrolled: [...enrolled] }), {
          organizationId: c.organizationId,
          due: { on: c.endsOn },
          reminderWorkingDays: c.rules.reminderWorkingDays,
          escalationWorkingDays: c.rules.escalationWorkingDays,
          alsoCheck: (o, actor) => {
            const s = sessions.get(o.session);
            // The API checks the role at the task's organization; only the enrolment knows who held the session.
            if (actor && s?.heldAt !== undefined && !actorAllows(actor, s.heldAt, recorders)) {
              throw ApplicationFailure.create({
                type: 'Forbidden',
                nonRetryable: true,
                message: `${actor.username} may not record attendance at ${o.session}: its holding committee's organizers record it`,
              });
            }
            if (s?.startsOn) checkSessionBegun(o.session, s.startsOn, shanghaiDate(Date.now()));
          },
        });
        p.nextDeadline = training.task.dueAt;
        await p.moveTo(trainingStep, 'cycle-opened', { taskKey: training.task.taskKey, dueAt: training.task.dueAt });
        training.result.then((r) => (result = r)).catch(() => undefined);
        await condition(() => result !== undefined || newSecretary !== undefined);
      }
      // Attendance recorded first wins: the cycle completed for the outgoing secretary, and the next is the new one's.
      if (newSecretary && result === undefined) {
        const at = new Date().toISOString();
        await acts.closeCycleTasks({
          workflowId,
          taskKeyPrefix: key(''),
          actor: newSecretary.by,
          reason: newSecretary.reason ?? `new secretary ${newSecretary.secretary}`,
          at,
        });
        await acts.recordCycle(cycleRecord('closed'));
        p.nextDeadline = null;
        await p.moveTo('cycle-closed', 'cycle-closed-new-secretary', { secretary: newSecretary.secretary, by: newSecretary.by });
        next = { organization: input.organization, cycle: cycle + 1, startsOn: shanghaiDate(Date.now()), secretary: newSecretary.secretary };
        return;
      }
      const { session } = (await p.outcome(result!, trainingStep, 'training', { before: () => acts.recordCycle(cycleRecord('closed')) })).outcome;
      const trainedOn = shanghaiDate(Date.now());
      await acts.recordEnrolment({
        workflowId,
        cycle,
        session,
        organizationId: c.organizationId,
        actor: result!.actor,
        at: new Date().toISOString(),
        attended: true,
      });
      await acts.recordCycle(cycleRecord('completed', { trainedOn, session }));
      p.nextDeadline = null;
      await p.moveTo('trained', 'cycle-completed', { session, trainedOn });
      // A new secretary told while the cycle was closing starts the next cycle now, in their name.
      const successor = newSecretary as SecretaryChange | undefined;
      next = successor
        ? { organization: input.organization, cycle: cycle + 1, startsOn: shanghaiDate(Date.now()), secretary: successor.secretary }
        : { organization: input.organization, cycle: cycle + 1, startsOn: c.endsOn, secretary: c.secretary ?? undefined };
    },
    { before: () => acts.recordCycle(cycleRecord('closed')) },
  );
  await condition(allHandlersFinished);
  if (next) await continueAsNew<typeof rotationTraining>(next);
}
