-- 三色管理: each Party organization's rating, kept current by the ratings recompute (a Temporal
-- Schedule, workflows/ratings/workflow.ts), its history (a row per change with the reasons) and its colour per
-- period (a month: the colour of the period's last recompute), which the 约谈 rule counts in a row.
create table ratings (
  organization_id bigint primary key references organizations (id) on delete cascade,
  color text not null check (color in ('green', 'yellow', 'red')),
  reasons jsonb not null default '[]',
  rule_set text not null,
  since timestamptz not null,
  computed_at timestamptz not null,
  -- The period a 约谈 was last opened for: the next needs as many red periods in a row after it.
  interview_period date
);
create index ratings_color on ratings (color, since);

create table rating_changes (
  id bigint generated always as identity primary key,
  organization_id bigint not null references organizations (id) on delete cascade,
  at timestamptz not null,
  color text not null check (color in ('green', 'yellow', 'red')),
  previous text check (previous in ('green', 'yellow', 'red')),
  reasons jsonb not null,
  rule_set text not null
);
create index rating_changes_organization on rating_changes (organization_id, at);
create index rating_changes_at on rating_changes (at);

create table rating_periods (
  organization_id bigint not null references organizations (id) on delete cascade,
  period date not null,
  color text not null check (color in ('green', 'yellow', 'red')),
  primary key (organization_id, period)
);
