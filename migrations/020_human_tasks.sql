-- The human-task mechanism (domain.md §3): working-day calendar overrides, who holds a task, reminders,
-- escalations, notifications and their deliveries, idempotent API actions. Every row a workflow causes is
-- written by an activity and keyed so that a retried activity writes nothing twice.

-- Admin-extensible working-day calendar: wins over the chinese-days package, and fills the years it lacks
-- (the State Council publishes next year's holidays each November; the package follows months later).
create table calendar_days (
  day date primary key,
  is_workday boolean not null,
  note text,
  updated_at timestamptz not null default now()
);

alter table tasks
  add column claimed_by text,
  add column reason text,
  add column updated_at timestamptz;
create index tasks_workflow on tasks (workflow_id);
create index tasks_overdue on tasks (organization_id, escalation_level, due_at) where state in ('open', 'claimed', 'escalated');

-- The reminder and escalation instants a task's workflow carries, projected for display ("next reminder").
-- generation: bumped by each extension, whose new plan replaces the old one.
create table task_reminders (
  task_id bigint not null references tasks (id),
  reminder_key text not null,
  generation int not null,
  at timestamptz not null,
  fired_at timestamptz,
  primary key (task_id, reminder_key, generation)
);

-- One row per escalation of an overdue task: to whom it went, and what the supervisor did about it.
create table escalations (
  id bigint generated always as identity primary key,
  task_id bigint not null references tasks (id),
  event_key text not null,
  level int not null check (level between 1 and 3),
  organization_id bigint not null references organizations (id),
  role text not null,
  state text not null default 'open' check (state in ('open', 'acknowledged', 'closed')),
  opened_at timestamptz not null,
  updated_at timestamptz not null,
  actions jsonb not null default '[]',
  unique (task_id, event_key)
);
create index escalations_organization on escalations (organization_id, state);

-- Contact and feed settings of a user; the calendar feed token is a bearer secret of its own (calendar
-- clients cannot send headers), so only its SHA-256 is kept.
alter table users
  add column email text,
  add column calendar_token_sha256 text unique;

-- In-app notifications; e-mail goes out as one digest per recipient and notifier pass.
create table notification_digests (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  attempts int not null default 0,
  last_error text
);

create table notifications (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  event_key text not null,
  kind text not null,
  task_id bigint references tasks (id),
  escalation_id bigint references escalations (id),
  title text not null,
  body text not null default '',
  created_at timestamptz not null,
  read_at timestamptz,
  digest_id bigint references notification_digests (id),
  unique (user_id, event_key)
);
create index notifications_unread on notifications (user_id, id) where read_at is null;
create index notifications_undigested on notifications (id) where digest_id is null;

-- Webhook subscriptions: events of tasks in an organization's subtree, signed with HMAC-SHA256 of `secret`.
create table webhooks (
  id bigint generated always as identity primary key,
  organization_id bigint not null references organizations (id),
  url text not null,
  secret text not null,
  active boolean not null default true,
  created_at timestamptz not null default now()
);
create table webhook_deliveries (
  id bigint generated always as identity primary key,
  webhook_id bigint not null references webhooks (id) on delete cascade,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  attempts int not null default 0,
  last_status int,
  last_error text
);
create table webhook_delivery_items (
  delivery_id bigint not null references webhook_deliveries (id) on delete cascade,
  notification_id bigint not null references notifications (id) on delete cascade,
  primary key (delivery_id, notification_id)
);
alter table notifications add column webhooked boolean not null default false;

-- Idempotency-Key of API actions: the first response is kept and replayed to a retry with the same key.
create table idempotency_keys (
  user_id bigint not null references users (id) on delete cascade,
  key text not null,
  request text not null,
  status int,
  response jsonb,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);
