// The yearly assessment's one activity: score every Party organization of the province on its indicators
// (in SQL, one statement over the whole tree), then rate and rank the counties. Replaces the year's rows in one
// transaction: a retry or a re-run leaves one consistent set.
import type { Sql } from '../src/db/client.js';
import { assessedOn, assessmentRulesFor, countyScore } from '../src/domain/assessment.js';
import type { IsoDate } from '../src/domain/dates.js';

export interface AssessYearInput {
  year: number;
  /** The Shanghai date the run started: a run during the year assesses the state of that day. */
  today: IsoDate;
  workflowId: string;
}

export interface AssessYearResult {
  year: number;
  assessedOn: IsoDate;
  ruleSet: string;
  organizations: number;
  counties: number;
}

export function assessmentActivities(sql: Sql) {
  return {
    async assessYear(input: AssessYearInput): Promise<AssessYearResult> {
      const day = assessedOn(input.year, input.today);
      const rules = assessmentRulesFor(day);
      const w = rules.weights;
      return sql.begin(async (tx) => {
        // A county is the third level of the tree (province → prefecture → county).
        await tx`delete from assessment_counties where year = ${input.year}`;
        await tx`delete from assessment_scores where year = ${input.year}`;
        const scored = await tx`
          insert into assessment_scores (year, organization_id, county_id, sector, term_on_time, secretary_trained, no_overdue_tasks, score)
          select ${input.year}, o.id,
                 case when nlevel(o.path) >= 3 then ltree2text(subpath(o.path, 2, 1))::bigint end,
                 o.sector, i.term_on_time, i.trained, i.no_overdue,
                 round(100.0 * (${w.termOnTime} * i.term_on_time::int + ${w.secretaryTrained} * coalesce(i.trained::int, 0) + ${w.noOverdueTasks} * i.no_overdue::int)
                       / (${w.termOnTime} + case when i.trained is null then 0 else ${w.secretaryTrained} end + ${w.noOverdueTasks}), 1)
          from organizations o
          cross join lateral (
            select (o.term_ends_on is null or o.term_ends_on >= ${day}::date) as term_on_time,
                   -- The latest cycle begun by that day: completed, or still running, counts as trained in cycle.
                   (select c.state = 'completed' or (c.state = 'open' and c.ends_on >= ${day}::date)
                      from training_cycles c where c.organization_id = o.id and c.starts_on <= ${day}::date
                      order by c.starts_on desc, c.cycle desc limit 1) as trained,
                   not exists (select 1 from tasks t where t.organization_id = o.id and t.state in ('open', 'claimed', 'escalated')
                                 and t.due_at < (${day}::date + 1)::timestamp at time zone 'Asia/Shanghai') as no_overdue
          ) i
          where o.type <> 'unit'`;
        await tx`
          update assessment_scores s set sector_rank = r.rank
          from (select organization_id, rank() over (partition by sector order by score desc) as rank
                from assessment_scores where year = ${input.year} and sector in ${tx(rules.rankedBySector as string[])}) r
          where s.year = ${input.year} and s.organization_id = r.organization_id`;

        // County rates: the mean of the scores that count towards the county, 一肩挑 among villages, and
        // units with an acknowledged officer among units without an organization (as /liaison/coverage counts).
        const rates = await tx<{ county_id: number; organizations: number; mean_score: number | null; villages: number; heads: number; units: number; dispatched: number }[]>`
          select k.id as county_id,
                 count(s.*)::int as organizations,
                 avg(s.score)::float8 as mean_score,
                 count(*) filter (where o.sector = 'rural' and o.type <> 'unit')::int as villages,
                 count(*) filter (where o.sector = 'rural' and o.type <> 'unit' and o.concurrent_head)::int as heads,
                 count(*) filter (where o.type = 'unit' or d.state = 'established')::int as units,
                 count(*) filter (where (o.type = 'unit' or d.state = 'established') and d.state in ('acknowledged', 'establishing', 'established'))::int as dispatched
          from organizations k
          join organizations o on o.path <@ k.path and o.id <> k.id
          left join assessment_scores s on s.year = ${input.year} and s.organization_id = o.id and not (s.sector in ${tx(rules.rankedBySector as string[])})
          left join liaison_dispatches d on d.organization_id = o.id
          where nlevel(k.path) = 3 and k.type = 'committee'
          group by k.id`;
        const counties = rates
          .map((r) => {
            const concurrentHeadRate = r.villages ? r.heads / r.villages : null;
            const liaisonCoverage = r.units ? r.dispatched / r.units : null;
            return { ...r, concurrentHeadRate, liaisonCoverage, score: countyScore(rules, { meanScore: r.mean_score, concurrentHeadRate, liaisonCoverage }) };
          })
          .sort((a, b) => b.score - a.score);
        const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
        const rows = counties.map((c, i) => ({
          year: input.year,
          county_id: c.county_id,
          organizations: c.organizations,
          mean_score: c.mean_score === null ? null : Math.round(c.mean_score * 10) / 10,
          villages: c.villages,
          concurrent_head_rate: pct(c.concurrentHeadRate),
          units: c.units,
          liaison_coverage: pct(c.liaisonCoverage),
          score: c.score,
          // Ties share a rank (1, 2, 2, 4).
          rank: i > 0 && counties[i - 1]!.score === c.score ? -1 : i + 1,
        }));
        for (let i = 1; i < rows.length; i++) if (rows[i]!.rank === -1) rows[i]!.rank = rows[i - 1]!.rank;
        for (let i = 0; i < rows.length; i += 1000) await tx`insert into assessment_counties ${tx(rows.slice(i, i + 1000))}`;

        await tx`
          insert into assessment_runs (year, assessed_on, rule_set, workflow_id, organizations, counties, finished_at)
          values (${input.year}, ${day}, ${rules.id}, ${input.workflowId}, ${scored.count}, ${rows.length}, now())
          on conflict (year) do update set assessed_on = excluded.assessed_on, rule_set = excluded.rule_set, workflow_id = excluded.workflow_id,
            organizations = excluded.organizations, counties = excluded.counties, finished_at = excluded.finished_at`;
        return { year: input.year, assessedOn: day, ruleSet: rules.id, organizations: scored.count, counties: rows.length };
      });
    },
  };
}
