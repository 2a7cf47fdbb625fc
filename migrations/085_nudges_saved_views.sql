-- 一键催办: one row per nudge (who, which filter, how many tasks and people) — its audit entry; each task it
-- reached gets a task_events row (kind 'nudged') and its count here, read by every list without a join.
create table nudges (
  id bigint generated always as identity primary key,
  actor_id bigint not null references users (id),
  actor text not null,
  filter jsonb not null,
  message text,
  tasks int not null,
  people int not null,
  created_at timestamptz not null default now()
);
alter table tasks add column nudge_count int not null default 0;

-- Saved views: a named filter over tasks and overdue work; private (organization_id null) or shared with one
-- organization the owner holds a role at, visible to those who hold a role there or below.
create table saved_views (
  id bigint generated always as identity primary key,
  owner_id bigint not null references users (id) on delete cascade,
  organization_id bigint references organizations (id),
  name text not null check (length(name) between 1 and 100),
  filter jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (owner_id, name)
);
create index saved_views_shared on saved_views (organization_id) where organization_id is not null;

-- Who saved, shared, deleted a view or sent a batch, changed a contact point, a channel choice or a robot, or resent a
-- delivery: the API's acts that pass through no process (src/api/audit.ts).
create table action_audit (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  subject text not null,
  detail jsonb not null default '{}'
);
