-- 发展党员 (domain.md §4.8): one row per applicant, whose case runs as the `recruitment` process (workflow id
-- `recruitment:<uuid>`). The applicant's stage is the process's to write; the register (members) gets its row when
-- the higher committee approves them as a 预备党员, and follows the case from there (转正, or a cancelled probation).
-- Personal data sealed as the register's (src/members/personal-data.ts).
create table applicants (
  id bigint generated always as identity primary key,
  workflow_id text not null unique,
  organization_id bigint not null references organizations (id),
  name text not null check (length(name) between 1 and 64),
  name_initials text not null default '',
  gender text not null check (gender in ('male', 'female')),
  birth_date date not null,
  id_number_sealed text not null,
  id_number_digest text not null,
  id_number_masked text not null,
  phone_sealed text,
  phone_masked text,
  applied_on date not null,
  stage text not null default 'applicant' check (stage in ('applicant', 'activist', 'candidate', 'probationary', 'full', 'ended')),
  stage_since date not null,
  -- The user the applicant signs in as: sees their own case and files their own application to become full.
  user_id bigint references users (id) on delete set null,
  member_id bigint references members (id),
  recorded_by text not null,
  created_at timestamptz not null default now()
);
create index applicants_organization on applicants (organization_id, stage);
-- One open case per person.
create unique index applicants_open on applicants (id_number_digest) where stage not in ('full', 'ended');

-- A probationary member whose probation the meeting cancelled (取消预备党员资格) leaves the register's figures.
alter table members drop constraint members_status_check;
alter table members add constraint members_status_check
  check (status in ('normal', 'away', 'abroad', 'lost', 'suspended', 'deceased', 'transferred', 'cancelled'));
