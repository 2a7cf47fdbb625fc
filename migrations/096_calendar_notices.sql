-- A year whose holiday arrangement is still missing when the year before is nearly over: from 1 November (Shanghai)
-- the daily calendar notice (workflows/calendar.ts) records the year here once and tells every admin through the
-- notifications (in-app, e-mail digest, work apps). The web UI shows a banner to admins while a noticed year still
-- has no holiday data (neither in chinese-days nor loaded into calendar_years).
create table calendar_notices (
  year int primary key check (year between 2000 and 2100),
  -- The Shanghai day of the first notice, and how many admins were told then (later admins are told on later days).
  noticed_on date not null,
  admins int not null default 0,
  created_at timestamptz not null default now()
);
