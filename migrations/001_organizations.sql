-- The organization tree (domain.md §2). Subtrees are read through `path`, an ltree of ids from the root:
-- `path <@ X` with a GiST index answers "everything under X" without recursion, and a move rewrites only
-- the moved subtree's paths. pg_trgm makes Chinese substring search of names indexable.
create extension if not exists ltree;
create extension if not exists pg_trgm;

create table organizations (
  id bigint generated always as identity primary key,
  code text not null unique,
  parent_id bigint references organizations (id),
  path ltree not null,
  name text not null,
  type text not null check (type in ('committee', 'general_branch', 'branch', 'unit')),
  sector text not null check (sector in ('rural', 'community', 'soe', 'government', 'university', 'nonpublic', 'social', 'institution', 'regional')),
  term_years int check (term_years between 1 and 10),
  term_started_on date,
  term_ends_on date generated always as ((term_started_on + make_interval(years => term_years))::date) stored,
  secretary_name text,
  secretary_phone text,
  full_members int not null default 0 check (full_members >= 0),
  probationary_members int not null default 0 check (probationary_members >= 0),
  concurrent_head boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index organizations_path on organizations using gist (path);
create index organizations_parent on organizations (parent_id);
create index organizations_term_ends_on on organizations (term_ends_on);
create index organizations_name_trgm on organizations using gin (name gin_trgm_ops);

-- Identity values exist before BEFORE ROW triggers run, so the path can end with the row's own id.
create function organizations_set_path() returns trigger language plpgsql as $$
begin
  if new.parent_id is null then
    new.path := new.id::text::ltree;
  else
    select path || new.id::text into new.path from organizations where id = new.parent_id;
    if new.path is null then
      raise exception 'parent % of organization % does not exist', new.parent_id, new.code;
    end if;
  end if;
  return new;
end $$;
create trigger organizations_path before insert or update of parent_id on organizations
  for each row execute function organizations_set_path();
