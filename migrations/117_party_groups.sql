-- 党小组 (domain.md §4.9): a branch's party groups on its register, each with its leader (党小组长, a member of the
-- branch) and its members, each member in at most one group at a time. Membership is kept by day (since, until) so
-- a 党小组会's attendance is the group as it was on the meeting's day, as a meeting's register is.
create table party_groups (
  id bigint generated always as identity primary key,
  organization_id bigint not null references organizations (id),
  name text not null check (length(name) between 1 and 32),
  leader_id bigint references members (id),
  created_on date not null,
  -- A group with meetings recorded is not deleted (its records name it): it is dissolved as of a day.
  dissolved_on date,
  created_by text not null,
  created_at timestamptz not null default now(),
  check (dissolved_on is null or dissolved_on >= created_on)
);
-- A branch's groups are told apart by name while they last.
create unique index party_groups_name on party_groups (organization_id, name) where dissolved_on is null;

-- A member in a group from `since` until the day before `until` (null: still in it).
create table party_group_members (
  group_id bigint not null references party_groups (id),
  member_id bigint not null references members (id),
  since date not null,
  until date,
  check (until is null or until >= since)
);
-- At most one group at a time.
create unique index party_group_members_current on party_group_members (member_id) where until is null;
create index party_group_members_group on party_group_members (group_id, since);

-- A member who leaves the branch's register (a transfer, an import's correction, a transfer out of the province, a
-- death) leaves their group that day, and a leader their leadership, whichever code moved them: a trigger, so no path
-- that writes members.organization_id or status can leave a member in a group of a branch they are not on. A row
-- trigger whose WHEN clause passes over the rows that did not move: an import rewriting a county's register calls no
-- function for them and keeps no transition tables of a million rows.
create function members_leave_party_groups() returns trigger language plpgsql as $$
begin
  update party_group_members set until = greatest(since, (now() at time zone 'Asia/Shanghai')::date)
  where member_id = new.id and until is null;
  update party_groups set leader_id = null where leader_id = new.id;
  return null;
end $$;
create trigger members_leave_party_groups after update of organization_id, status on members
  for each row
  when (old.organization_id is distinct from new.organization_id
        or (new.status in ('transferred', 'deceased', 'cancelled') and old.status is distinct from new.status))
  execute function members_leave_party_groups();

-- 党小组会 is owed per group (rule set branch-life-2027): an obligation and a meeting name the group they are of. The
-- key now tells a group's month from another group's; the rows written before have no group and stay as they are.
alter table life_obligations add column group_id bigint references party_groups (id);
alter table life_obligations drop constraint life_obligations_pkey;
alter table life_obligations add constraint life_obligations_key unique nulls not distinct (organization_id, period, kind, group_id);
alter table life_obligations add constraint life_obligations_group check (group_id is null or kind = 'group-meeting');
alter table meetings add column group_id bigint references party_groups (id);
create index meetings_group on meetings (group_id) where group_id is not null;
