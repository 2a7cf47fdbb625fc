-- A task's planned instants as rows: every reminder and escalation level of its current plan, recorded once.
--
-- A row with a `lane` is recorded by the deadline sweep of that lane (the task queue of the workflow that opened the
-- task: activities/deadlines.ts, workflows/deadline-sweep.ts) in set-based statements; its task's workflow keeps no
-- timer for it and derives the escalation level it reached from its plan and its clock. A row without a lane
-- belongs to a task whose workflow keeps a durable timer per instant (runs recorded before the sweep existed):
-- the workflow records it itself, and the sweep never touches it.
--
-- `recorded_at` is set in the same transaction as the events, escalations and notifications the instant brings,
-- so a sweep killed mid-batch leaves its rows unrecorded and the next pass records them exactly once. A re-plan
-- (an extension, a corrected calendar) deletes the unrecorded rows and inserts the new plan's, a generation up.
create table task_deadlines (
  task_id bigint not null references tasks (id),
  key text not null,
  generation int not null,
  kind text not null check (kind in ('reminder', 'escalation')),
  level int check (level between 1 and 3),
  at timestamptz not null,
  lane text,
  recorded_at timestamptz,
  primary key (task_id, key, generation),
  check ((kind = 'escalation') = (level is not null))
);

insert into task_deadlines (task_id, key, generation, kind, at, recorded_at)
select task_id, reminder_key, generation, 'reminder', at, fired_at from task_reminders;
drop table task_reminders;

-- The sweep's read: a lane's unrecorded rows by instant.
create index task_deadlines_due on task_deadlines (lane, at) where recorded_at is null and lane is not null;
-- GET /metrics's deadline lag: the oldest unrecorded instant of any task.
create index task_deadlines_unrecorded on task_deadlines (at) where recorded_at is null;

-- When each lane's sweep sleeps until (infinity: nothing planned). Whoever plans an instant earlier than that wakes
-- the sweep; both sides hold the lane's advisory lock around the comparison (shared) and the update (exclusive),
-- so an instant planned while the sweep computes its next wake-up is never missed.
create table deadline_lanes (
  lane text primary key,
  wake_at timestamptz not null
);

alter table tasks add column deadline_lane text;
