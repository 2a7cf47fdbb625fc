-- Liaison officer dispatch 选派党建联络员 (domain.md §4.4): one row per unit's dispatch process, for coverage
-- ("应派尽派": every unit without an organization has an officer; "应建尽建": every unit with ≥3 full members
-- establishes its organization).
create table liaison_dispatches (
  workflow_id text primary key,
  organization_id bigint not null references organizations (id),
  officer text,
  state text not null check (state in ('unassigned', 'assigned', 'acknowledged', 'establishing', 'established', 'ended')),
  full_members int,
  acknowledged_at timestamptz,
  established_at timestamptz,
  updated_at timestamptz not null
);
create index liaison_dispatches_org on liaison_dispatches (organization_id);
