-- Projection of workflow state (architecture.md): written only by activities, idempotently, read by the API.
create table processes (
  workflow_id text primary key,
  kind text not null,
  organization_id bigint not null references organizations (id),
  status text not null default 'running' check (status in ('running', 'completed', 'cancelled', 'failed')),
  current_step text not null,
  next_deadline timestamptz,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index processes_organization on processes (organization_id);
create index processes_kind_step on processes (kind, current_step) where status = 'running';

-- History of a process as its workflow recorded it; (workflow_id, event_key) makes activity retries harmless.
create table process_events (
  workflow_id text not null references processes (workflow_id),
  event_key text not null,
  at timestamptz not null,
  step text not null,
  detail jsonb not null default '{}',
  primary key (workflow_id, event_key)
);

-- Every step a person must do (domain.md §3).
create table tasks (
  id bigint generated always as identity primary key,
  workflow_id text not null,
  task_key text not null,
  process text not null,
  step text not null,
  organization_id bigint not null references organizations (id),
  assignee_role text,
  assignee_person text,
  state text not null check (state in ('open', 'claimed', 'done', 'cancelled', 'escalated')),
  opened_at timestamptz not null,
  due_at timestamptz not null,
  closed_at timestamptz,
  outcome jsonb,
  escalation_level int not null default 0,
  unique (workflow_id, task_key)
);
create index tasks_due on tasks (due_at) where state in ('open', 'claimed', 'escalated');
create index tasks_organization on tasks (organization_id, state);

-- Append-only audit of everything that happened to a task; (task_id, event_key) keeps retries single.
create table task_events (
  id bigint generated always as identity primary key,
  task_id bigint not null references tasks (id),
  event_key text not null,
  kind text not null,
  at timestamptz not null,
  actor text,
  reason text,
  before jsonb,
  after jsonb,
  unique (task_id, event_key)
);
