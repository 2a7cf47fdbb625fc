-- The completeness table reads a period's obligations of a whole subtree (a province's is 300,000 rows a month):
-- with what it counts carried in the index, the read is an index-only scan wherever the table is vacuumed, instead
-- of a heap fetch per obligation (docs/benchmarks.md, "Completeness reads").
drop index life_obligations_period;
create index life_obligations_period on life_obligations (period, organization_id) include (meeting_id, late, waived_reason, due_on);
