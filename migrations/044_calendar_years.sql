-- Holiday data by year (domain.md §3: due dates count working days on the Chinese calendar). chinese-days holds the
-- State Council's arrangement up to its last release (1.5.7: 2026); a later year is loaded by an admin from the
-- notice (rows, CSV or ICS: POST /calendar/years/{year}), which writes its days to calendar_days and the year here.
-- A year in neither has no holiday data: every Monday to Friday counts as a workday there.
create table calendar_years (
  year int primary key check (year between 2000 and 2100),
  -- Where the days came from ('rows', 'csv', 'ics') and a free note (the notice's number, 国办发明电〔…〕).
  source text not null,
  note text,
  days int not null,
  loaded_by text not null,
  loaded_at timestamptz not null default now()
);

-- A task whose plan reaches into a year without holiday data is provisional: the years, and what the plan was
-- computed from (due date or working days, the start, the reminder and escalation offsets), so that loading a year
-- re-plans it. Empty / null for a final plan or one whose instants the caller fixed.
alter table tasks
  add column provisional_years int[] not null default '{}',
  add column plan_input jsonb;
create index tasks_provisional on tasks (id) where provisional_years <> '{}' and state in ('open', 'claimed', 'escalated');
