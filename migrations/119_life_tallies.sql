-- The completeness table of a period, kept as counts (docs/benchmarks.md, "Completeness reads"). A province's table
-- read from `life_obligations` reads 300,000 obligations a month and groups 150,000 branches; read from these tallies
-- it reads one row a committee that holds branches (a township: a few thousand in a province).
--
-- A tally is the period's obligations of the branches directly under one committee (`unit_id`: the branch's parent, or
-- the branch itself at the top of a tree), by due day: held on time, held late, waived, and not yet met (missing once
-- its due day has passed, open before — the read decides, so a tally never goes stale with the calendar), and how many
-- branches owe at least one of them. Every obligation of a period falls due the same day (the rule set counts the
-- working days from the period's end), so a branch counts once in a period.
--
-- Kept by triggers, not by the process's activities: every statement that writes obligations (the year's plan, a
-- record, a waiver, a set-based load) moves the counts in the same transaction, and an organization moved under
-- another committee takes its counts with it. The counts are keyed by the committee's id, not its path: a committee
-- moved with its branches changes no tally. A tally row is updated by the branches of one committee only, so the
-- records of a province do not queue on one row.
create table life_tallies (
  period text not null,
  unit_id bigint not null references organizations (id),
  due_on date not null,
  branches int not null default 0,
  held int not null default 0,
  late int not null default 0,
  waived int not null default 0,
  unmet int not null default 0,
  primary key (period, unit_id, due_on)
);

-- One statement a triggering statement, over its transition tables: `changed` is the rows it added (+1) and removed
-- (-1); an update is both. A branch's presence in a (period, due day) is read from the table after the statement, and
-- before it is that less what the statement added plus what it removed. The rows are upserted in key order, so two
-- transactions touching the same tallies lock them in the same order.
create function life_tallies_follow() returns trigger language plpgsql as $$
declare
  changed text := case tg_op
    when 'INSERT' then 'select n.*, 1 as sign from new_rows n'
    when 'DELETE' then 'select o.*, -1 as sign from old_rows o'
    else 'select n.*, 1 as sign from new_rows n union all select o.*, -1 as sign from old_rows o' end;
begin
  execute format($q$
    with changed as (%s),
    per_branch as (
      select c.period, coalesce(b.parent_id, b.id) as unit_id, c.due_on, c.organization_id,
             sum(c.sign) as net,
             sum(case when c.late = false then c.sign else 0 end) as held,
             sum(case when c.late then c.sign else 0 end) as late,
             sum(case when c.waived_reason is not null then c.sign else 0 end) as waived,
             sum(case when c.meeting_id is null and c.waived_reason is null then c.sign else 0 end) as unmet
      from changed c join organizations b on b.id = c.organization_id
      group by 1, 2, 3, 4),
    presence as (
      select pb.*, (a.n > 0)::int - ((a.n - pb.net) > 0)::int as branch_delta
      from per_branch pb
      cross join lateral (select count(*) as n from life_obligations l
                          where l.organization_id = pb.organization_id and l.period = pb.period and l.due_on = pb.due_on) a)
    insert into life_tallies as t (period, unit_id, due_on, branches, held, late, waived, unmet)
    select period, unit_id, due_on, sum(branch_delta), sum(held), sum(late), sum(waived), sum(unmet)
    from presence group by 1, 2, 3 order by 1, 2, 3
    on conflict (period, unit_id, due_on) do update set
      branches = t.branches + excluded.branches, held = t.held + excluded.held, late = t.late + excluded.late,
      waived = t.waived + excluded.waived, unmet = t.unmet + excluded.unmet$q$, changed);
  return null;
end $$;
create trigger life_tallies_insert after insert on life_obligations
  referencing new table as new_rows for each statement execute function life_tallies_follow();
create trigger life_tallies_update after update on life_obligations
  referencing old table as old_rows new table as new_rows for each statement execute function life_tallies_follow();
create trigger life_tallies_delete after delete on life_obligations
  referencing old table as old_rows for each statement execute function life_tallies_follow();

-- An organization moved under another committee: its obligations' counts leave the old committee's tallies for the
-- new one's.
create function life_tallies_move() returns trigger language plpgsql as $$
begin
  insert into life_tallies as t (period, unit_id, due_on, branches, held, late, waived, unmet)
  select l.period, u.unit_id, l.due_on, u.sign, u.sign * count(*) filter (where l.late = false), u.sign * count(*) filter (where l.late),
         u.sign * count(*) filter (where l.waived_reason is not null), u.sign * count(*) filter (where l.meeting_id is null and l.waived_reason is null)
  from life_obligations l
  cross join (values (coalesce(old.parent_id, old.id), -1), (coalesce(new.parent_id, new.id), 1)) as u(unit_id, sign)
  where l.organization_id = new.id
  group by l.period, u.unit_id, l.due_on, u.sign
  order by 1, 2, 3
  on conflict (period, unit_id, due_on) do update set
    branches = t.branches + excluded.branches, held = t.held + excluded.held, late = t.late + excluded.late,
    waived = t.waived + excluded.waived, unmet = t.unmet + excluded.unmet;
  return null;
end $$;
create trigger life_tallies_move after update of parent_id on organizations
  for each row when (old.parent_id is distinct from new.parent_id) execute function life_tallies_move();

insert into life_tallies (period, unit_id, due_on, branches, held, late, waived, unmet)
select l.period, coalesce(b.parent_id, b.id), l.due_on, count(distinct l.organization_id),
       count(*) filter (where l.late = false), count(*) filter (where l.late), count(*) filter (where l.waived_reason is not null),
       count(*) filter (where l.meeting_id is null and l.waived_reason is null)
from life_obligations l join organizations b on b.id = l.organization_id
group by 1, 2, 3;

-- The missing records a table lists beside it: a period's obligations not met and not waived, by due day. A partial
-- index holds only those (a tenth of a past period's), so a province's list reads its 30,000, not the period's
-- 300,000 or the table's millions.
create index life_obligations_unmet on life_obligations (period, due_on) where meeting_id is null and waived_reason is null;
