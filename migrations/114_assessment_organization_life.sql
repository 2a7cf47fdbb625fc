-- The yearly assessment reads 三会一课 from the organization-life process: of a branch's meetings due by the day
-- assessed, the share met by a record (on time or late), and the share met on time. Shown, not weighed; null for an
-- organization that owes none (not a branch, or its year not planned).
alter table assessment_scores
  add column meetings_met numeric(4, 1),
  add column meetings_on_time numeric(4, 1);
