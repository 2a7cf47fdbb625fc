-- A county's figures (statusCounts: the members of a subtree by status and category) read every member of the
-- subtree's organizations. With the status and category in an index beside the organization they are counted from
-- the index alone (an index-only scan, a few hundred pages for a county of 40,000 members) instead of one heap page
-- for every member or two (the rows are wide: sealed personal data): at a province's 4,000,000 members the heap
-- reads put a county's p99 at 384 ms, against a target of 50 ms (docs/benchmarks.md, figure members).
create index members_organization_status on members (organization_id, status, category);
