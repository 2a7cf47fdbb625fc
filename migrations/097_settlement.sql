-- Villages and communities by structure (domain.md §2): the Party organization of an administrative village or
-- community is the rural / community organization directly under a township or street committee. A county is the
-- tree's third level (province → prefecture → county, as the ranking counts counties), so a township or street is
-- its fourth and a village's or community's own organization its fifth. Branches under a village's 总支 or 党委 sit
-- deeper and belong to that village; a township whose import calls it 农村 sits higher and stays a township. The
-- sector word only tells a village (rural) from a community (community) at that level: it never moves an
-- organization into or out of the count. Every reader (assessment, ratings, pairing coverage and starts, yearly
-- returns, 两推一选) reads this one column; `settlementOf` in src/domain/assessment.ts states the same rule for rows
-- not yet written. Generated from the row's own path, so a move (which rewrites the subtree's paths) recomputes it.
alter table organizations add column settlement text generated always as (
  case when type <> 'unit' and nlevel(path) = 5 and sector in ('rural', 'community')
       then case sector when 'rural' then 'village' else 'community' end end
) stored;
create index organizations_settlement on organizations (settlement) where settlement is not null;
