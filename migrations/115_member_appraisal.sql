-- 民主评议党员 (domain.md §4.9): each branch's yearly appraisal runs as the `member-appraisal` process (workflow id
-- `member-appraisal:<code>:<year>`), which writes every row here. `member_appraisal_years` is the county's plan as it
-- reached one branch (one row per branch and year: a branch that has one is not started again), with the days its
-- steps were held. `member_appraisals` is each member's grade of a year, written for everyone on the register of the
-- 组织生活会's day once the township approves the result, and read on the member's page.
create table member_appraisal_years (
  organization_id bigint not null references organizations (id),
  year int not null,
  workflow_id text not null unique,
  rule_set text not null,
  planned_on date not null,
  report_by date not null,
  talks_on date,
  meeting_on date,
  -- How many took part in the 民主测评, and when the township approved its result.
  voters int check (voters > 0),
  approved_at timestamptz,
  primary key (organization_id, year)
);

create table member_appraisals (
  member_id bigint not null references members (id),
  year int not null,
  -- The branch whose register the member was on on the meeting's day.
  organization_id bigint not null references organizations (id),
  rating text not null check (rating in ('excellent', 'qualified', 'basic', 'unqualified')),
  -- The 民主测评's count for each grade, where the result gave it (null: the member was rated without counts).
  votes jsonb,
  workflow_id text not null,
  -- A member rated 不合格: the end of their time to improve (限期改正), and the branch's decision at its end.
  improvement_due date,
  improvement_decision text check (improvement_decision in ('improved', 'persuade-to-leave', 'remove')),
  improvement_decided_on date,
  improvement_note text,
  primary key (member_id, year),
  check ((rating = 'unqualified') = (improvement_due is not null)),
  check ((improvement_decision is null) = (improvement_decided_on is null))
);
create index member_appraisals_workflow on member_appraisals (workflow_id);
