-- An approved postponement of a term election (换届延期, domain.md §4.1 step 4) on the term register: the day the
-- election is now due. Written only by the term election's workflow (activities/term-election.ts) when the
-- supervisor approves a postponement, cleared when the new term is renewed; the register, the 未按期换届 report and
-- the assessment read it (a term past its end but within its approved postponement is not late).
alter table organizations add column term_postponed_until date;
