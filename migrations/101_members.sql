-- The member register 党员名册 (domain.md §4.7): every Party member as a person, held by exactly one
-- organization's register at every instant.
--
-- Personal data is sealed: 身份证号 and phone are stored AES-256-GCM sealed (src/members/personal-data.ts, key from
-- ORGLIFE_SECRETS_KEY), never in clear; a keyed digest of the 身份证号 (HMAC-SHA-256) identifies a member across
-- imports without revealing the number, and the masked forms screens show by default are kept beside them.
create table members (
  id bigint generated always as identity primary key,
  organization_id bigint not null references organizations (id),
  name text not null check (length(name) between 1 and 64),
  -- Pinyin initials of the name ("zsf" finds 张三丰), set by whoever writes the name.
  name_initials text not null default '',
  gender text not null check (gender in ('male', 'female')),
  ethnicity text check (length(ethnicity) <= 32),
  birth_date date not null,
  education text check (length(education) <= 32),
  id_number_sealed text not null,
  id_number_digest text not null unique,
  id_number_masked text not null,
  phone_sealed text,
  phone_masked text,
  joined_on date not null,
  full_on date,
  category text not null check (category in ('full', 'probationary')),
  status text not null default 'normal' check (status in ('normal', 'away', 'abroad', 'lost', 'suspended', 'deceased')),
  status_since date,
  occupation text check (length(occupation) <= 64),
  -- A member who signs in sees their own record: the user they sign in as.
  user_id bigint unique references users (id) on delete set null,
  -- Who last wrote the fields orglife's own acts own: 'import' (a file) or 'orglife' (a status change or a transfer
  -- recorded here). A file never overwrites what orglife recorded: the register is no older than its last act.
  placed_by text not null default 'import' check (placed_by in ('import', 'orglife')),
  status_by text not null default 'import' check (status_by in ('import', 'orglife')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (full_on is null or full_on >= joined_on),
  check (category = 'probationary' or full_on is not null)
);
create index members_organization on members (organization_id, name);
create index members_initials on members (organization_id, name_initials text_pattern_ops);
create index members_name_trgm on members using gin (name gin_trgm_ops);
create index members_user on members (user_id) where user_id is not null;

-- A member's history: joined, became full, moves between registers, status changes, imports that changed them.
create table member_events (
  id bigint generated always as identity primary key,
  member_id bigint not null references members (id),
  kind text not null check (kind in ('registered', 'updated', 'status-changed', 'moved', 'linked')),
  at timestamptz not null default now(),
  actor text not null,
  source text,
  reason text,
  before jsonb,
  after jsonb
);
create index member_events_member on member_events (member_id, id);

-- Every read of a member's unmasked 身份证号 or phone: who, whose, which field, when and through what.
create table personal_data_reads (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor text not null,
  member_id bigint not null references members (id),
  field text not null check (field in ('idNumber', 'phone')),
  purpose text not null
);
create index personal_data_reads_member on personal_data_reads (member_id, at);

-- An organization whose members are on the register reports its full / probationary counts from it: those columns
-- are then the register's (recounted by every write to it), and an organization import keeps them.
alter table organizations add column members_on_register boolean not null default false;
