-- 一肩挑 (domain.md §1, §4.6) per organization and over what a county's rate counts. From the 2026 rule set a
-- community's secretary heading the residents' committee counts as a village's does (src/domain/assessment.ts
-- `concurrentHead.sectors`), so a county's rate may be over more than its villages: the base of the rate is kept
-- beside it. Rows already scored when the column is added were rated over villages, so their base is `villages`.
alter table assessment_counties add column concurrent_head_organizations int;
update assessment_counties set concurrent_head_organizations = villages;
alter table assessment_counties alter column concurrent_head_organizations set not null;

-- Whether the organization's secretary headed the committee when the year was scored (null: the rule set does not
-- count it for the organization's sector, or the year was scored without this column). Shown, not weighed
-- in the organization's score: the target is the county's rate.
alter table assessment_scores add column concurrent_head boolean;
