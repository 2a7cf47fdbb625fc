// Rotation training 轮训 (domain.md §4.3): one run per secretary's cycle (3 years for village secretaries, 1 year for
// SOE, university and community secretaries: the rule set's numbers). The training task opens when the cycle
// starts and is due when it ends, so its reminders fall during the cycle and it escalates when the cycle ends
// untrained. An organizer enrols the secretary in a session; recorded attendance completes the task, closes the
// cycle and continues as new into the next. A new secretary closes the cycle and opens a new one at once.
import { allHandlersFinished, condition, continueAsNew, defineUpdate, setHandler } from '@temporalio/workflow';
import { z } from 'zod';
import type { TrainingContext } from '../../activities/rotation-training.js';
import { isValidIsoDate, shanghaiDate, shanghaiInstant, type IsoDate } from '../../src/domain/dates.js';
import { actorAllows } from '../../src/domain/task-rights.js';
import { attendanceOutcome, sessionCode } from './rules.js';
import { training as trainingStep } from './steps.js';
import { acts } from '../process-activities.js';
import type { HumanTaskResult } from '../human-task.js';
import { ProcessRun } from '../process-run.js';
import { actorSchema, reasonSchema } from '../messages.js';
import { outcomeOf, stepTask } from '../process-control.js';

export const KIND = 'rotation-training';

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
  actor: actorSchema,
});
export const newSecretaryInput = z.object({ secretary: z.string().trim().min(1).max(100), reason: reasonSchema.optional(), actor: actorSchema });
export const enrolTrainingUpdate = defineUpdate<{ cycle: number }, [z.input<typeof enrolTrainingInput>]>('enrolTraining');
export const newSecretaryUpdate = defineUpdate<{ closedCycle: number }, [z.input<typeof newSecretaryInput>]>('newSecretary');
export { attendanceOutcome };

const steerers = ['admin', 'organizer', 'supervisor'] as const;

export async function rotationTraining(input: RotationTrainingInput): Promise<void> {
  const cycle = input.cycle ?? 1;
  const p = new ProcessRun({ kind: KIND, organization: input.organization, prefix: `c${cycle}:`, run: cycle });
  const { workflowId } = p;
  const key = (k: string) => p.key(k);
  let ctx: TrainingContext | undefined;
  const enrolled: string[] = [];
  let result: HumanTaskResult | undefined;
  let newSecretary: z.output<typeof newSecretaryInput> | undefined;
  let next: RotationTrainingInput | undefined;
  const cycleRecord = (state: 'open' | 'completed' | 'closed', extra: { trainedOn?: IsoDate; session?: string } = {}) => ({
    workflowId, cycle, organizationId: ctx!.organizationId, secretary: ctx!.secretary, startsOn: ctx!.startsOn, endsOn: ctx!.endsOn, state, at: new Date().toISOString(), ...extra,
  });
  const open = () => ctx !== undefined && result === undefined && newSecretary === undefined;

  setHandler(
    enrolTrainingUpdate,
    async (raw) => {
      const i = enrolTrainingInput.parse(raw);
      enrolled.push(i.session);
      await acts.recordEnrolment({ workflowId, cycle, session: i.session, organizationId: ctx!.organizationId, actor: i.actor.username, at: new Date().toISOString() });
      await p.moveTo(p.step, `enrolled-${i.session}`, { session: i.session, by: i.actor.username });
      return { cycle };
    },
    {
      validator: (raw) => {
        const i = enrolTrainingInput.parse(raw);
        if (!open()) throw new Error('the training cycle is not open');
        if (!actorAllows(i.actor, ctx!.orgPath, steerers)) throw new Error(`${i.actor.username} may not enrol this secretary`);
        if (enrolled.includes(i.session)) throw new Error(`already enrolled in ${i.session}`);
        if (i.sessionEndsOn < ctx!.startsOn) throw new Error(`session ${i.session} ended before the cycle began`);
      },
    },
  );
  setHandler(
    newSecretaryUpdate,
    async (raw) => {
      newSecretary = newSecretaryInput.parse(raw);
      await condition(() => next !== undefined);
      return { closedCycle: cycle };
    },
    {
      validator: (raw) => {
        const i = newSecretaryInput.parse(raw);
        if (!open()) throw new Error('the training cycle is not open');
        if (!actorAllows(i.actor, ctx!.orgPath, steerers)) throw new Error(`${i.actor.username} may not change the secretary`);
        if (i.secretary === ctx!.secretary) throw new Error(`${i.secretary} is already the secretary of this cycle`);
      },
    },
  );

  await p.cancellable(
    async () => {
      ctx = await acts.loadTrainingContext({ organization: input.organization, at: new Date().toISOString(), startsOn: input.startsOn, secretary: input.secretary, ruleSet: input.ruleSet });
      const c = ctx;
      p.at(c.organizationId, c.orgPath);
      p.nextDeadline = shanghaiInstant(c.endsOn, 18).toISOString();
      await acts.recordCycle(cycleRecord('open'));
      await p.moveTo('cycle-waiting', 'cycle-registered', { cycle, secretary: c.secretary, startsOn: c.startsOn, endsOn: c.endsOn, ruleSet: c.rules.id });

      // The next cycle begins when the last one ends: wait for it (a new secretary starts one at once).
      const waitMs = shanghaiInstant(c.startsOn, 0).getTime() - Date.now();
      if (waitMs > 0) await condition(() => newSecretary !== undefined, waitMs);
      if (!newSecretary) {
        const training = await p.tasks.open(
          stepTask(trainingStep, () => ({ secretary: c.secretary ?? '', cycleEndsOn: c.endsOn, enrolled: [...enrolled] }), {
            key: key('training'),
            organizationId: c.organizationId,
            due: { on: c.endsOn },
            reminderWorkingDays: c.rules.reminderWorkingDays,
            escalationWorkingDays: c.rules.escalationWorkingDays,
            title: '书记轮训',
          }),
        );
        p.nextDeadline = training.task.dueAt;
        await p.moveTo('training', 'cycle-opened', { taskKey: training.task.taskKey, dueAt: training.task.dueAt });
        training.result.then((r) => (result = r)).catch(() => undefined);
        await condition(() => result !== undefined || newSecretary !== undefined);
      }
      if (newSecretary) {
        const at = new Date().toISOString();
        await acts.closeCycleTasks({ workflowId, taskKeyPrefix: key(''), actor: newSecretary.actor.username, reason: newSecretary.reason ?? `new secretary ${newSecretary.secretary}`, at });
        await acts.recordCycle(cycleRecord('closed'));
        p.nextDeadline = null;
        await p.moveTo('cycle-closed', 'cycle-closed-new-secretary', { secretary: newSecretary.secretary, by: newSecretary.actor.username });
        next = { organization: input.organization, cycle: cycle + 1, startsOn: shanghaiDate(Date.now()), secretary: newSecretary.secretary };
        return;
      }
      if (result!.state === 'cancelled') {
        p.nextDeadline = null;
        await acts.recordCycle(cycleRecord('closed'));
        await p.moveTo('training-cancelled', 'training-cancelled', { reason: result!.reason, by: result!.actor }, 'cancelled');
        return;
      }
      const { session } = outcomeOf(attendanceOutcome, result!.outcome);
      const trainedOn = shanghaiDate(Date.now());
      await acts.recordEnrolment({ workflowId, cycle, session, organizationId: c.organizationId, actor: result!.actor, at: new Date().toISOString(), attended: true });
      await acts.recordCycle(cycleRecord('completed', { trainedOn, session }));
      p.nextDeadline = null;
      await p.moveTo('trained', 'cycle-completed', { session, trainedOn });
      next = { organization: input.organization, cycle: cycle + 1, startsOn: c.endsOn, secretary: c.secretary ?? undefined };
    },
    { before: () => acts.recordCycle(cycleRecord('closed')) },
  );
  await condition(allHandlersFinished);
  if (next) await continueAsNew<typeof rotationTraining>(next);
}
