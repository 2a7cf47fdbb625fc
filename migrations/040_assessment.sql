-- Yearly inspection and ranking 检查考评 (domain.md §4.6). One row per organization and year with the indicators
-- it was scored on, and one per county with its rates and province-wide rank. A run replaces its year's rows in
-- one transaction, so a repeated run (a retried activity, a re-run after a data fix) leaves one consistent set.
create table assessment_runs (
  year int primary key,
  assessed_on date not null,
  rule_set text not null,
  workflow_id text not null,
  organizations int not null,
  counties int not null,
  finished_at timestamptz not null
);

create table assessment_scores (
  year int not null,
  organization_id bigint not null references organizations (id) on delete cascade,
  county_id bigint references organizations (id) on delete cascade,
  sector text not null,
  term_on_time boolean not null,
  -- null: no training cycle is on record for the organization, so the indicator does not apply.
  secretary_trained boolean,
  no_overdue_tasks boolean not null,
  score numeric(5, 1) not null,
  -- Rank within the sector across the province, for sectors ranked by sector (not regional, rural, community).
  sector_rank int,
  primary key (year, organization_id)
);
create index assessment_scores_county on assessment_scores (year, county_id);
create index assessment_scores_sector_rank on assessment_scores (year, sector, sector_rank);

create table assessment_counties (
  year int not null,
  county_id bigint not null references organizations (id) on delete cascade,
  organizations int not null,
  mean_score numeric(5, 1),
  villages int not null,
  concurrent_head_rate numeric(5, 1),
  units int not null,
  liaison_coverage numeric(5, 1),
  score numeric(5, 1) not null,
  rank int not null,
  primary key (year, county_id)
);
create index assessment_counties_rank on assessment_counties (year, rank);
