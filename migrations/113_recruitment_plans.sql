-- 发展党员计划: a county's yearly plan of admissions (预备党员), entered by the county for each organization directly
-- under it (its townships and sector committees), each of which allocates its share to the organizations under it
-- (villages, branches). One row per organization and year: what the level above (`given_by`) gave it. What was
-- admitted against it is read from the cases of 发展党员 (applicants, members.joined_on), never typed here.
create table recruitment_plans (
  year int not null check (year between 2000 and 2100),
  organization_id bigint not null references organizations (id) on delete cascade,
  given_by bigint not null references organizations (id) on delete cascade,
  admissions int not null check (admissions between 0 and 10000),
  set_by text not null,
  set_at timestamptz not null default now(),
  primary key (year, organization_id)
);
create index recruitment_plans_given_by on recruitment_plans (year, given_by);

-- A nudge (一键催办) of the organizations behind the seed's targets or their allocation: counted per organization.
create table recruitment_nudges (
  nudge_id bigint not null references nudges (id) on delete cascade,
  organization_id bigint not null references organizations (id) on delete cascade,
  year int not null,
  list text not null check (list in ('targets', 'plan')),
  primary key (nudge_id, organization_id)
);
create index recruitment_nudges_organization on recruitment_nudges (organization_id, year);

-- The yearly assessment's measure of the seed's targets, read from the cases: shown per organization, not weighed
-- (a weight is a new assessment rule set's to give). Null where it does not apply.
alter table assessment_scores
  add column recruitment_targets boolean,
  add column recruitment_plan_met boolean;
