-- The village targets of 发展党员 (villageTargets in src/recruitment/plan-store.ts) read the last 入党时间 of every
-- member of a subtree, to flag the villages that recruited no one for years. Carried in the index the county's figures
-- already read by organization, the day is read from the index alone, as the status and category are, instead of a
-- heap page for every member (the rows are wide: sealed personal data) — and without an index more for the import to
-- write.
drop index members_organization_status;
create index members_organization_status on members (organization_id, status, category) include (joined_on);
