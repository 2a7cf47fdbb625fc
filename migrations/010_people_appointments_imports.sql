-- People, their appointments at organizations, the audit of organization changes, import jobs (domain.md §2).
-- Units without a Party organization stay rows of `organizations` with type 'unit': they sit in the same tree,
-- so one ltree path scopes them like every organization, and founding their organization later is an update
-- of type in place (same code, same id, history kept) rather than a move between tables.

-- pg_trgm finds no trigrams in Chinese text when the cluster's ctype is C (the embedded cluster is initialised
-- with --locale=C): show_trgm('中共武汉市委员会') is empty, so a trigram index cannot serve a Chinese
-- substring search. Character bigrams work in any locale: a name matches a query of two or more characters
-- only if it holds every bigram of the query, which a GIN index on the array answers; LIKE then rechecks.
create function orglife_bigrams(s text) returns text[] language sql immutable parallel safe as $$
  select coalesce(array_agg(distinct substr(s, i, 2)), '{}') from generate_series(1, length(s) - 1) as i
$$;
alter table organizations add column name_bigrams text[] generated always as (orglife_bigrams(name)) stored;
create index organizations_name_bigrams on organizations using gin (name_bigrams);
create index organizations_type_unit on organizations (code) where type = 'unit';

create table people (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 100),
  phone text,
  email text check (email is null or email ~ '^[^@\s]+@[^@\s]+$'),
  created_at timestamptz not null default now()
);
-- The import knows a secretary by name and phone only; the pair identifies the person across re-imports.
create unique index people_name_phone on people (name, phone) nulls not distinct;

create table appointments (
  id bigint generated always as identity primary key,
  person_id bigint not null references people (id),
  organization_id bigint not null references organizations (id),
  role text not null check (role in ('secretary', 'committee_member', 'organizer', 'liaison_officer')),
  starts_on date not null,
  ends_on date,
  check (ends_on is null or ends_on >= starts_on)
);
create index appointments_organization on appointments (organization_id, role);
create index appointments_person on appointments (person_id);
-- One secretary per organization (domain.md §1) at any time.
create unique index appointments_one_secretary on appointments (organization_id) where role = 'secretary' and ends_on is null;

-- Who changed which organization, when, and what it looked like before and after (imports update in place).
create table organization_changes (
  id bigint generated always as identity primary key,
  organization_id bigint not null references organizations (id),
  code text not null,
  changed_by text not null,
  changed_at timestamptz not null default now(),
  source text not null,
  before jsonb,
  after jsonb not null
);
create index organization_changes_organization on organization_changes (organization_id, changed_at);

create table import_jobs (
  id uuid primary key,
  created_by text not null,
  status text not null check (status in ('queued', 'running', 'succeeded', 'rejected', 'failed')),
  bytes_total bigint,
  bytes_read bigint not null default 0,
  rows_read int not null default 0,
  result jsonb,
  error jsonb,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
