-- Organization life 三会一课 (domain.md §4.9): each branch's year runs as the `organization-life` process (workflow id
-- `organization-life:<code>:<year>`), which writes every row here. `life_obligations` is the year's plan, one row per
-- meeting the branch owes in a period, written when the year is planned; a record fills in its meeting. Held, held
-- late and missing are read from it (a row past its due day with no meeting is missing), so the supervisor's
-- completeness table is one set-based read per period.
create table meetings (
  id bigint generated always as identity primary key,
  organization_id bigint not null references organizations (id),
  workflow_id text not null,
  -- The task the record was filed through: one record per task.
  task_key text not null,
  held_on date not null,
  kinds text[] not null check (cardinality(kinds) between 1 and 5),
  topic text not null check (length(topic) between 1 and 200),
  minutes text not null check (length(minutes) between 1 and 20000),
  -- The register on the meeting's day (every member, full and probationary) and how many of them were there.
  on_register int not null check (on_register >= 0),
  present int not null check (present >= 0 and present <= on_register),
  recorded_by text not null,
  recorded_at timestamptz not null,
  unique (workflow_id, task_key)
);
create index meetings_organization on meetings (organization_id, held_on);

-- The members a record names absent, with their reason: those present are the register less them.
create table meeting_absences (
  meeting_id bigint not null references meetings (id),
  member_id bigint not null references members (id),
  reason text not null check (reason in ('leave', 'duty', 'sick', 'away', 'other')),
  primary key (meeting_id, member_id)
);
create index meeting_absences_member on meeting_absences (member_id);

create table life_obligations (
  organization_id bigint not null references organizations (id),
  year int not null,
  period text not null,
  kind text not null check (kind in ('branch-committee', 'group-meeting', 'members-meeting', 'party-lecture', 'theme-day')),
  starts_on date not null,
  ends_on date not null,
  -- The record's due day on the working-day calendar (the rule set's working days after the period ends).
  due_on date not null,
  workflow_id text not null,
  meeting_id bigint references meetings (id),
  recorded_at timestamptz,
  late boolean,
  -- Waived by the county or township (a branch dissolved, a merged meeting accepted), with the reason.
  waived_reason text,
  primary key (organization_id, period, kind),
  check ((meeting_id is null) = (recorded_at is null) and (meeting_id is null) = (late is null))
);
-- The completeness table of a period: every branch's row of it under a subtree.
create index life_obligations_period on life_obligations (period, organization_id);
