-- 催报: a nudge (nudges row) sent to the secretaries of organizations whose yearly return of a year is missing;
-- one row per organization it reached, counted on the missing-filers list (GET /returns/{year}/missing).
create table return_nudges (
  nudge_id bigint not null references nudges (id),
  organization_id bigint not null references organizations (id),
  year int not null,
  primary key (nudge_id, organization_id)
);
create index return_nudges_organization on return_nudges (organization_id, year);
