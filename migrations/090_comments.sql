-- Comments on a task or on a whole process. Append-only: a comment is its own audit row (who,
-- on whose behalf, when); a task's comment also enters the task's audit (task_events kind 'commented').
create table comments (
  id bigint generated always as identity primary key,
  workflow_id text not null,
  task_id bigint references tasks (id),
  author text not null,
  on_behalf_of text,
  body text not null check (length(body) between 1 and 4000),
  mentions text[] not null default '{}',
  created_at timestamptz not null default now()
);
create index comments_workflow on comments (workflow_id, created_at);
create index comments_task on comments (task_id, created_at) where task_id is not null;
