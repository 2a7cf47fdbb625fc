-- The tasks that name a person: the steps a person does themselves (a member's yearly report while away) are found
-- by that person's name, whatever organization the task is at (src/api/scope.ts ownTasks).
create index tasks_person on tasks (assignee_person) where assignee_person is not null;
