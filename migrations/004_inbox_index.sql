-- The inbox: a caller's open tasks by due date, a page at a time. Ordered by (due_at, id) per organization,
-- an officer's page is the first rows of an index range instead of a sort of all their tasks.
create index tasks_inbox on tasks (organization_id, due_at, id) where state in ('open', 'claimed', 'escalated');
