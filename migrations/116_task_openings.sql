-- Tasks planned to open at a later instant (a branch's meetings of each period of its year): rows the deadline sweep
-- of their lane turns into tasks when their instant comes, in set-based statements — the task row, its 'opened'
-- event, the opening notice to its holders and its deadline rows in the transaction that deletes the opening — so
-- the first day of a month wakes no workflow. The workflow that planned them keeps each task's plan and refuses
-- actions on it until it opens; the API knows a task only once it has a row in `tasks`.
--
-- The plan is computed when the opening is planned (on the calendar as loaded then); the sweep writes it unchanged,
-- and the task row's `provisional_years` says, as for any task, whether a later load of the year re-plans it.
create table task_openings (
  workflow_id text not null,
  task_key text not null,
  opens_at timestamptz not null,
  lane text not null,
  process text not null,
  step text not null,
  organization_id bigint not null references organizations (id),
  assignee_role text,
  assignee_person text,
  due_at timestamptz not null,
  plan jsonb not null,
  provisional_years int[] not null default '{}',
  plan_input jsonb,
  context jsonb,
  title text not null,
  title_parts jsonb,
  primary key (workflow_id, task_key)
);

-- The sweep's read: a lane's openings by instant.
create index task_openings_due on task_openings (lane, opens_at);
