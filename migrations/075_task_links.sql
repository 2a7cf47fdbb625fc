-- One-time links that open one task signed in as its recipient (src/auth/task-links.ts). Only the token's
-- SHA-256 is kept: a copy of this table opens nothing. used_at is set once, by the redemption that wins.
create table task_links (
  id bigint generated always as identity primary key,
  token_sha256 text not null unique,
  user_id bigint not null references users (id),
  task_id bigint not null references tasks (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index task_links_task on task_links (task_id);
