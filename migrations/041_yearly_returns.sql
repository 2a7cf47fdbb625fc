-- The yearly return 年报 (domain.md §4.6): the figures of a year that the assessment scores and orglife does not
-- otherwise hold — activists trained and reserve cadres of a village, funds, households, venue and young committee
-- members of a community, student members of a university branch. One row per organization and year, replaced by
-- each submission; who wrote it last and when stay on the row (the API's audit trail for it). Which figures an
-- organization files depends on its kind (src/domain/assessment.ts `returnFieldsOf`); the others stay null.
create table yearly_returns (
  organization_id bigint not null references organizations (id) on delete cascade,
  year int not null check (year between 2000 and 2100),
  activists_trained int check (activists_trained between 0 and 10000),
  reserve_cadres int check (reserve_cadres between 0 and 10000),
  funding_yuan bigint check (funding_yuan between 0 and 1000000000),
  households int check (households between 0 and 1000000),
  member_funding_yuan bigint check (member_funding_yuan between 0 and 1000000000),
  student_members int check (student_members between 0 and 100000),
  venue_sqm numeric(9, 1) check (venue_sqm between 0 and 1000000),
  central_district boolean,
  committee_members_under_35 int check (committee_members_under_35 between 0 and 1000),
  updated_by text not null,
  updated_at timestamptz not null,
  primary key (organization_id, year)
);
create index yearly_returns_year on yearly_returns (year);

-- The indicators scored from the returns (null: does not apply, or not assessed by the year's rule set: every row
-- before 2026 keeps null), and whether a return was on file when the year was scored.
alter table assessment_scores
  add column return_filed boolean,
  add column activists_trained boolean,
  add column reserve_cadres boolean,
  add column funding_floor boolean,
  add column member_funding boolean,
  add column venue boolean,
  add column young_committee_member boolean;

-- Urban–rural pairing per county: villages in an active pairing, and the deliverables of those pairings due by the
-- day assessed (or delivered already) with those delivered. Rates in percent, null when there is nothing to count.
alter table assessment_counties
  add column paired int not null default 0,
  add column pairing_coverage numeric(5, 1),
  add column deliverables int not null default 0,
  add column delivered int not null default 0,
  add column delivered_rate numeric(5, 1);
