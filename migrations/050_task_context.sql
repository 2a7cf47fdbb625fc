-- What a step's rule needs and what the person decides on (the step catalog, src/domain/steps.ts), written by
-- the workflow when it opens the task: the form checks the same rule with it, and the task page shows it.
alter table tasks add column context jsonb;

-- A history line's words: the step it belongs to, the verb, and the round, term or cycle it was in, stored as
-- fields instead of being read back out of the event key.
alter table process_events add column verb text, add column round int, add column run int;
