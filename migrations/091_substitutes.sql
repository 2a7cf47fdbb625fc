-- Substitutes while away: between starts_on and ends_on (Shanghai dates, both included) the
-- substitute holds the absent user's roles for tasks, receives their task notifications and reminders, and every
-- action taken through them is recorded "by substitute on behalf of absent" (task_events.on_behalf_of).
create table substitutions (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  substitute_id bigint not null references users (id) on delete cascade,
  starts_on date not null,
  ends_on date not null,
  named_by text not null,
  reason text,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by text,
  check (user_id <> substitute_id),
  check (ends_on >= starts_on)
);
create index substitutions_active on substitutions (substitute_id, starts_on, ends_on) where revoked_at is null;
create index substitutions_absent on substitutions (user_id, starts_on, ends_on) where revoked_at is null;

alter table task_events add column on_behalf_of text;
