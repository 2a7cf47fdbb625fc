-- How an organization's committee comes to office (domain.md §4.1 "Who elects how"; the values and the rules they
-- carry: electionBodies in src/domain/rules.ts). `election_body_declared` is what the county entered; without it the
-- body is inferred here, once, from what every register holds — the term election's start, the term-date chase, the
-- yearly term plan and the assessment's 按期换届 all read `election_body`:
--   a unit has no committee; a 总支 or 支部 elects at a members' meeting; a 工委 (党工委, 机关工委 — named 工作委员会 or
--   工委) and a street's committee (街道) are appointed bodies; a township committee (…乡/镇委员会, …乡/镇党委) holds a
--   delegates' conference (中国共产党基层组织选举工作条例 2020 art. 4: organizations scattered across the township);
--   any other regional committee is a county or higher one, elected by a Party congress; the rest elect at a
--   members' meeting.
-- `delegates`: the delegates elected to the conference (代表), the entitled of its ballot. `term_ordinal`: the
-- organization's own numbering of its current term (第n届), as its files have it; unknown is null, never guessed.
alter table organizations
  add column election_body_declared text
    check (election_body_declared in ('members_meeting', 'delegates_conference', 'appointed', 'congress')),
  add column delegates int check (delegates between 1 and 100000),
  add column term_ordinal int check (term_ordinal between 1 and 1000);

alter table organizations add column election_body text generated always as (
  case
    when election_body_declared is not null then election_body_declared
    when type = 'unit' then null
    when type <> 'committee' then 'members_meeting'
    when name ~ '(工作委员会|工委)' then 'appointed'
    when sector = 'regional' and name ~ '街道' then 'appointed'
    when sector = 'regional' and name ~ '[乡镇](党委|委员会|委)$' then 'delegates_conference'
    when sector = 'regional' then 'congress'
    else 'members_meeting'
  end) stored;
create index organizations_election_body on organizations (election_body) where election_body in ('appointed', 'congress');

-- 按期换届 does not apply to a committee not elected here: the assessment scores it as not applicable (null).
alter table assessment_scores alter column term_on_time drop not null;
