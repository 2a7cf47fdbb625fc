-- What sets a task apart from the other tasks of its step (src/domain/step.ts TaskTitle): what it is about (a
-- member, a deliverable, an organization) and which part of its process it is (a quarter, a year). The inbox and the
-- task's page name a task by its step's words and these, in the language shown. Null for tasks opened before it was
-- kept, and for tasks whose step needs nothing more.
alter table tasks add column title_parts jsonb;
