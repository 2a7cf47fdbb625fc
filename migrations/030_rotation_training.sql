-- Rotation training 轮训 (domain.md §4.3). Sessions are organized by a committee; a secretary's cycle is one run of
-- the rotation-training workflow (projected here for coverage); enrolments and attendance belong to a cycle.
create table training_sessions (
  id bigint generated always as identity primary key,
  code text not null unique,
  organization_id bigint not null references organizations (id),
  title text not null,
  starts_on date not null,
  ends_on date not null check (ends_on >= starts_on),
  capacity int check (capacity > 0),
  created_at timestamptz not null default now()
);

create table training_cycles (
  workflow_id text not null,
  cycle int not null,
  organization_id bigint not null references organizations (id),
  secretary_name text,
  starts_on date not null,
  ends_on date not null,
  state text not null check (state in ('open', 'completed', 'closed')),
  trained_on date,
  session_id bigint references training_sessions (id),
  updated_at timestamptz not null,
  primary key (workflow_id, cycle)
);
create index training_cycles_org on training_cycles (organization_id, starts_on);

create table training_enrolments (
  session_id bigint not null references training_sessions (id),
  workflow_id text not null,
  cycle int not null,
  organization_id bigint not null references organizations (id),
  enrolled_at timestamptz not null,
  enrolled_by text not null,
  attended boolean,
  primary key (session_id, workflow_id, cycle)
);
