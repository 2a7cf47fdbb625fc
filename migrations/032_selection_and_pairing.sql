-- Two recommendations, one election 两推一选 (domain.md §4.2): one row per selection process, projected by its
-- workflow (the ranking of the two recommendation rounds, the candidates, the outcome). A selection that finds
-- no suitable candidate ends with a first secretary (第一书记) dispatched by the county.
create table secretary_selections (
  workflow_id text not null,
  -- A later term selects again under the same workflow id: the n-th selection of the organization.
  selection int not null check (selection >= 1),
  organization_id bigint not null references organizations (id),
  rule_set text not null,
  state text not null check (state in ('planning', 'recommending', 'reviewing', 'electing', 'approving', 'approved',
                                       'no-suitable-candidate', 'first-secretary-dispatched', 'cancelled')),
  seats int,
  ranking jsonb,
  candidates jsonb,
  committee jsonb,
  secretary text,
  concurrent_head boolean,
  first_secretary text,
  first_secretary_from text,
  updated_at timestamptz not null,
  primary key (workflow_id, selection)
);
create index secretary_selections_org on secretary_selections (organization_id);

-- Urban–rural pairing 结对共建 (domain.md §4.5): a village (its Party organization) paired with an urban unit's
-- organization, one row per three-year cycle of the pairing workflow.
create table pairings (
  workflow_id text not null,
  cycle int not null,
  organization_id bigint not null references organizations (id),
  partner_id bigint not null references organizations (id),
  starts_on date not null,
  ends_on date not null check (ends_on > starts_on),
  state text not null check (state in ('active', 'continued', 'ended', 'cancelled')),
  rule_set text not null,
  updated_at timestamptz not null,
  primary key (workflow_id, cycle)
);
create index pairings_org on pairings (organization_id) where state = 'active';
create index pairings_partner on pairings (partner_id);

-- The five deliverables of a cycle (好班子 leadership, 好规划 plan, 好项目 project, 好阵地 venue, 好制度 rules).
create table pairing_deliverables (
  workflow_id text not null,
  cycle int not null,
  deliverable text not null check (deliverable in ('leadership', 'plan', 'project', 'venue', 'rules')),
  due_on date not null,
  state text not null check (state in ('open', 'delivered', 'missed', 'cancelled')),
  summary text,
  delivered_on date,
  updated_at timestamptz not null,
  primary key (workflow_id, cycle, deliverable)
);

create table pairing_milestones (
  workflow_id text not null,
  cycle int not null,
  deliverable text not null,
  milestone text not null,
  achieved_on date not null,
  note text,
  evidence uuid[] not null,
  recorded_by text not null,
  recorded_at timestamptz not null,
  primary key (workflow_id, cycle, deliverable, milestone)
);

create table pairing_reviews (
  workflow_id text not null,
  cycle int not null,
  year int not null,
  rating text not null check (rating in ('good', 'adequate', 'poor')),
  comments text not null,
  decision text check (decision in ('continue', 'end')),
  reviewed_by text not null,
  reviewed_at timestamptz not null,
  primary key (workflow_id, cycle, year)
);

-- Evidence files of the deliverables, in PostgreSQL (bytea) rather than on disk under the data dir: the API and
-- the worker may run on different hosts (only PostgreSQL is shared), a file and its record commit or vanish
-- together, backups and the caller's scope (the organization's path) cover them with the rest, and the size
-- limit (rule set: 10 MiB) keeps rows well inside what bytea and one TOAST value handle. The SHA-256 is taken
-- while the upload is read and checked again on every download.
create table evidence_files (
  id uuid primary key,
  workflow_id text not null,
  cycle int,
  deliverable text not null check (deliverable in ('leadership', 'plan', 'project', 'venue', 'rules')),
  organization_id bigint not null references organizations (id),
  filename text not null check (length(filename) between 1 and 200),
  content_type text not null,
  size_bytes int not null check (size_bytes > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea not null check (octet_length(content) = size_bytes),
  uploaded_by text not null,
  uploaded_at timestamptz not null,
  attached boolean not null default false
);
create index evidence_files_workflow on evidence_files (workflow_id, deliverable);
