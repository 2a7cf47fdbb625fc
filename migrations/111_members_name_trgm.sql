-- The trigram index on members' names is read by no query: the one search by name (listMembers, a part of the name
-- or pinyin initials) is within one register, which the index on (organization_id, name) narrows to its tens of
-- members before the name is compared (EXPLAIN: an index scan of members_organization with the name as a filter).
-- Every write of a member paid for it: an import of a province's 1,000,000 members spent more time in this GIN index
-- than in the table and its other indexes together (docs/benchmarks.md, figure members).
drop index members_name_trgm;
