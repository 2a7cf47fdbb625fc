-- The yearly assessment reads the ratings' history (三色管理, 080): the months of the year an organization ended red,
-- shown beside its indicators (not weighed: the rule sets of past years did not know ratings).
alter table assessment_scores add column red_periods int;
