-- The inbox's first page over a large subtree (a county organizer's tasks, all states, by due date): walking
-- the tasks in (due_at, id) order and stopping after a page takes about a millisecond at 1,000,000 task rows;
-- without this index PostgreSQL read the whole table and sorted the county's share (210 ms; bench/overdue.ts).
-- Small subtrees keep using tasks_organization / tasks_inbox: the planner sees how few rows they hold.
create index tasks_due_order on tasks (due_at, id);
