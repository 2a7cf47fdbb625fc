// The yearly assessment's one activity: score every Party organization of the province on its indicators
// (in SQL, one statement over the whole tree), then rate and rank the counties. Replaces the year's rows in one
// transaction: a retry or a re-run leaves one consistent set.
import { electsHere } from '../src/organizations/term-late.js';
import type postgres from 'postgres';
import type { Sql } from '../src/db/client.js';
import { assessedOn, assessmentRulesFor, countyScore, indicatorWeights, type AssessmentRules } from '../src/domain/assessment.js';
import type { IsoDate } from '../src/domain/dates.js';
import { candidateWindowStart, recruitmentTargetsFor } from '../src/domain/recruitment/targets.js';
import { stageDays } from '../src/recruitment/plan-store.js';

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

/**
 * The yearly return's indicators of `o` from its return `y` (left-joined), as `returnIndicators` in
 * src/domain/assessment.ts states them: null where an indicator does not apply or the rule set does not assess
 * the returns; a missing return (or figure) is false, not null — it scores zero, as inspectors count it.
 */
function returnIndicatorsSql(tx: postgres.TransactionSql<{ int8: number }>, rules: AssessmentRules) {
  const r = rules.yearlyReturn;
  if (!r) {
    return tx`select null::boolean as return_filed, null::boolean as activists_trained, null::boolean as reserve_cadres, null::boolean as funding_floor,
                     null::boolean as member_funding, null::boolean as venue, null::boolean as young_committee_member`;
  }
  const communityFloor = r.communityFunding.reduce(
    (acc, b) => tx`${acc} when y.households <= ${b.upToHouseholds ?? 2_147_483_647}::int then ${b.yuan}::bigint`,
    tx``,
  );
  // A figure the rule set reads from the processes is not on the return: its indicator does not apply (null).
  const activistsFiled = !r.readFromProcesses?.includes('activistsTrained');
  return tx`
    select case when k.kind is not null then y.organization_id is not null end as return_filed,
           case when k.kind = 'village' and ${activistsFiled}::boolean
                then coalesce(y.activists_trained >= ${r.activistsPerVillage}::int, false) end as activists_trained,
           case when k.kind = 'village' then coalesce(y.reserve_cadres >= ${r.reserveCadresPerVillage}::int, false) end as reserve_cadres,
           case when k.kind = 'village' then coalesce(y.funding_yuan >= ${r.villageFunding}::bigint, false)
                when k.kind = 'community' then coalesce(y.funding_yuan >= (case ${communityFloor} end), false) end as funding_floor,
           case when k.kind = 'community' then coalesce(y.member_funding_yuan >= ${r.fundingPerMember}::bigint * (o.full_members + o.probationary_members), false)
                -- A university branch that reports no student members is a staff branch: the student floor does not apply.
                when k.kind = 'university-branch' and y.student_members is distinct from 0
                  then coalesce(y.member_funding_yuan >= ${r.fundingPerStudentMember}::bigint * y.student_members, false) end as member_funding,
           case when k.kind = 'community'
                then coalesce(y.venue_sqm >= case when y.central_district then ${r.centralDistrictVenueSqm}::numeric else ${r.venueSqm}::numeric end
                              and y.central_district is not null, false) end as venue,
           case when k.kind = 'community' then coalesce(y.committee_members_under_35 >= ${r.committeeMembersUnder35}::int, false) end as young_committee_member`;
}

/**
 * 发展党员 as the cases recorded it: `recruitment_targets` for a village (recruitmentTargetsMet in
 * src/domain/recruitment/targets.ts: activists made in the year up to `day`, 发展对象 in the window), weighed where the
 * rule set weighs it (from 2027); `recruitment_plan_met` for an organization the year's plan gave a figure (预备党员
 * admitted in its subtree by `day`), shown, not weighed.
 * The cases are counted once, by village (the tree's fifth level, as organizations.settlement reads it).
 */
function recruitmentSql(tx: postgres.TransactionSql<{ int8: number }>, year: number, day: IsoDate) {
  const r = recruitmentTargetsFor(day);
  return tx`
    select case when g.settlement = 'village' then coalesce(rc.activists, 0) >= ${r.activistsPerYear}::int and coalesce(rc.candidates, 0) >= ${r.candidatesInWindow}::int end
             as recruitment_targets,
           case when rp.admissions is not null then
             (select count(*) from applicants a join members m on m.id = a.member_id join organizations ao on ao.id = a.organization_id
              where ao.path <@ o.path and m.joined_on between make_date(${year}::int, 1, 1) and ${day}::date) >= rp.admissions end as recruitment_plan_met
    from (select 1) one
    left join recruitment_cases rc on rc.village = o.path
    left join recruitment_plans rp on rp.organization_id = o.id and rp.year = ${year}`;
}

/**
 * 三会一课 as the organization-life process recorded it: of the branch's meetings due by `day` (life_obligations, a
 * waived one not owed), the share met by a record, and the share met on time; null where none was due. Shown, not
 * weighed.
 */
function organizationLifeSql(tx: postgres.TransactionSql<{ int8: number }>, year: number, day: IsoDate) {
  return tx`
    select round(100.0 * count(*) filter (where l.meeting_id is not null) / nullif(count(*), 0), 1) as meetings_met,
           round(100.0 * count(*) filter (where l.late = false) / nullif(count(*), 0), 1) as meetings_on_time
    from life_obligations l
    where l.organization_id = o.id and l.year = ${year} and l.due_on <= ${day}::date and l.waived_reason is null`;
}

/** The cases counted by village, for recruitmentSql: a `with` of the scoring statement. */
function recruitmentCasesSql(tx: postgres.TransactionSql<{ int8: number }>, year: number, day: IsoDate) {
  const r = recruitmentTargetsFor(day);
  return tx`
    select subpath(d.path, 0, 5) as village,
           count(*) filter (where d.activist_on between make_date(${year}::int, 1, 1) and ${day}::date) as activists,
           count(*) filter (where d.candidate_on between ${candidateWindowStart(r, year)}::date and ${day}::date) as candidates
    from (${stageDays(tx)}) d where nlevel(d.path) >= 5 group by 1`;
}

/**
 * 按期换届 of `o` for the year, as `termOnTimeIn` in src/domain/assessment.ts states it: each term election of the
 * organization — every run's members' meeting as the term election recorded it (the day due, the last round's day,
 * heldOnTime), and the register's term while no meeting is recorded for it — that was due before `day` and still
 * unrenewed in the year was held by the day it was due. Meetings recorded before the run wrote the day due take it
 * from the run's own record of the term's end (registered or corrected) and its approved postponement.
 */
function termOnTimeSql(tx: postgres.TransactionSql<{ int8: number }>, year: number, day: IsoDate) {
  const yearStarts = `${year}-01-01`;
  return tx`
    not exists (
      with meetings as (
        select distinct on (e.workflow_id, e.run)
               coalesce((e.detail->>'dueOn')::date,
                        ((select (r.detail->>'termEndsOn')::date from process_events r
                           where r.workflow_id = e.workflow_id and r.run is not distinct from e.run and r.detail ? 'termEndsOn' and r.step <> 'term-renewed'
                           order by r.at desc limit 1)
                         + make_interval(months => coalesce((select (r.detail->>'postponeMonths')::int from process_events r
                             where r.workflow_id = e.workflow_id and r.run is not distinct from e.run and r.verb = 'postpone' order by r.at desc limit 1), 0)))::date) as due_on,
               (e.detail->>'meetingDate')::date as held_on,
               (e.detail->>'heldOnTime')::boolean as held_on_time
        from processes pr join process_events e on e.workflow_id = pr.workflow_id
        where pr.kind = 'term-election' and pr.organization_id = o.id and e.step = 'members-meeting-held' and e.detail ? 'meetingDate'
        order by e.workflow_id, e.run, (e.detail->>'meetingDate')::date desc, e.at desc
      ),
      register as (
        select coalesce(o.term_postponed_until, o.term_ends_on) as due_on
      )
      select 1 from (
        select due_on, held_on, held_on_time from meetings
        union all
        select g.due_on, null, null from register g where g.due_on is not null and not exists (select 1 from meetings m where m.due_on = g.due_on)
      ) x
      where x.due_on < ${day}::date
        and not coalesce(x.held_on_time, x.held_on <= x.due_on, false)
        and not coalesce(x.held_on < ${yearStarts}::date, false)
    )`;
}

export function assessmentActivities(sql: Sql) {
  return {
    async assessYear(input: AssessYearInput): Promise<AssessYearResult> {
      const day = assessedOn(input.year, input.today);
      const rules = assessmentRulesFor(day);
      // 一肩挑 counts for these sectors (villages; from 2026 communities too), in the county's rate and per organization.
      const headSectors = rules.concurrentHead.sectors as readonly string[];
      const w = indicatorWeights(rules);
      return sql.begin(async (tx) => {
        // Each indicator met adds its weight; one that does not apply (null) leaves the denominator too.
        const indicators = [
          [w.termOnTime, tx`i.term_on_time`],
          [w.secretaryTrained, tx`i.trained`],
          [w.noOverdueTasks, tx`i.no_overdue`],
          [w.activistsTrained, tx`r.activists_trained`],
          [w.reserveCadres, tx`r.reserve_cadres`],
          [w.fundingFloor, tx`r.funding_floor`],
          [w.memberFunding, tx`r.member_funding`],
          [w.venue, tx`r.venue`],
          [w.youngCommitteeMember, tx`r.young_committee_member`],
          [w.recruitmentTargets, tx`rec.recruitment_targets`],
        ] as const;
        const met = indicators.reduce((acc, [weight, x]) => tx`${acc} + ${weight}::int * coalesce(${x}::int, 0)`, tx`0`);
        const applies = indicators.reduce((acc, [weight, x]) => tx`${acc} + case when ${x} is null then 0 else ${weight}::int end`, tx`0`);
        // A county is the third level of the tree (province → prefecture → county).
        await tx`delete from assessment_counties where year = ${input.year}`;
        await tx`delete from assessment_scores where year = ${input.year}`;
        const scored = await tx`
          insert into assessment_scores (year, organization_id, county_id, sector, term_on_time, secretary_trained, no_overdue_tasks,
                                         return_filed, activists_trained, reserve_cadres, funding_floor, member_funding, venue, young_committee_member,
                                         concurrent_head, red_periods, score, recruitment_targets, recruitment_plan_met,
                                         meetings_met, meetings_on_time)
          with recruitment_cases as (${recruitmentCasesSql(tx, input.year, day)})
          select ${input.year}, o.id,
                 case when nlevel(o.path) >= 3 then ltree2text(subpath(o.path, 2, 1))::bigint end,
                 o.sector, i.term_on_time, i.trained, i.no_overdue,
                 r.return_filed, r.activists_trained, r.reserve_cadres, r.funding_floor, r.member_funding, r.venue, r.young_committee_member,
                 -- Shown per organization (concurrentHeadIndicator), not weighed: the county's rate carries the target.
                 case when o.sector in ${tx(headSectors as string[])} and g.settlement is not null then o.concurrent_head end,
                 -- The ratings' history (三色管理): the periods of the year up to the day whose last rating was red.
                 (select count(*)::int from rating_periods rp where rp.organization_id = o.id and rp.color = 'red'
                    and rp.period >= make_date(${input.year}::int, 1, 1) and rp.period <= ${day}::date),
                 round(100.0 * (${met}) / (${applies}), 1),
                 rec.recruitment_targets, rec.recruitment_plan_met, life.meetings_met, life.meetings_on_time
          from organizations o
          -- A village's or community's own organization: the stored column (settlementOf), by the tree's shape.
          cross join lateral (select o.settlement) g
          cross join lateral (
            -- On time: every election due in the year (or still owed from before) was held by its due day (termOnTimeIn).
            -- Not applicable to a committee not elected here (an appointed 工委, a county committee: electsHere).
            select case when ${electsHere(tx)} then ${termOnTimeSql(tx, input.year, day)} end as term_on_time,
                   -- The latest cycle begun by that day: completed, or still running, counts as trained in cycle. None on
                   -- record is untrained where the secretary owes rotation training (owesRotationTraining), else n/a.
                   coalesce((select c.state = 'completed' or (c.state = 'open' and c.ends_on >= ${day}::date)
                      from training_cycles c where c.organization_id = o.id and c.starts_on <= ${day}::date
                      order by c.starts_on desc, c.cycle desc limit 1),
                     case when o.sector in ('soe', 'university') or g.settlement is not null then false end) as trained,
                   not exists (select 1 from tasks t where t.organization_id = o.id and t.state in ('open', 'claimed', 'escalated')
                                 and t.due_at < (${day}::date + 1)::timestamp at time zone 'Asia/Shanghai') as no_overdue
          ) i
          -- Who files a yearly return (returnKindOf): villages, communities, university branches.
          cross join lateral (
            select coalesce(g.settlement, case when o.sector = 'university' and o.type = 'branch' then 'university-branch' end) as kind
          ) k
          left join yearly_returns y on y.organization_id = o.id and y.year = ${input.year}
          cross join lateral (${returnIndicatorsSql(tx, rules)}) r
          cross join lateral (${recruitmentSql(tx, input.year, day)}) rec
          cross join lateral (${organizationLifeSql(tx, input.year, day)}) life
          where o.type <> 'unit'`;
        await tx`
          update assessment_scores s set sector_rank = r.rank
          from (select organization_id, rank() over (partition by sector order by score desc) as rank
                from assessment_scores where year = ${input.year} and sector in ${tx(rules.rankedBySector as string[])}) r
          where s.year = ${input.year} and s.organization_id = r.organization_id`;

        // County rates: the mean of the scores that count towards the county, 一肩挑 among the organizations of the
        // rule set's sectors (villages; from 2026 villages and communities), units with an
        // acknowledged officer among units without an organization (as /liaison/coverage counts), villages in an
        // active pairing begun by the day (as /pairing/coverage counts), and the deliverables of those pairings.
        // /pairing/coverage counts every deliverable of the cycle; here only those due by the day (or delivered
        // early) count, so that a pairing begun this year is not marked down for deliverables due in its third.
        const rates = await tx<
          {
            county_id: number;
            organizations: number;
            mean_score: number | null;
            villages: number;
            head_organizations: number;
            heads: number;
            units: number;
            dispatched: number;
            paired: number;
            deliverables: number;
            delivered: number;
          }[]
        >`
          select k.id as county_id,
                 count(s.*)::int as organizations,
                 avg(s.score)::float8 as mean_score,
                 count(*) filter (where o.settlement = 'village')::int as villages,
                 count(*) filter (where o.settlement is not null and o.sector in ${tx(headSectors as string[])})::int as head_organizations,
                 count(*) filter (where o.settlement is not null and o.sector in ${tx(headSectors as string[])} and o.concurrent_head)::int as heads,
                 count(*) filter (where o.type = 'unit' or d.state = 'established')::int as units,
                 count(*) filter (where (o.type = 'unit' or d.state = 'established') and d.state in ('acknowledged', 'establishing', 'established'))::int as dispatched,
                 count(p.workflow_id)::int as paired,
                 coalesce(sum(p.deliverables), 0)::int as deliverables,
                 coalesce(sum(p.delivered), 0)::int as delivered
          from organizations k
          join organizations o on o.path <@ k.path and o.id <> k.id
          -- Villages and communities are their own organizations (organizations.settlement), not the branches under them.
          left join assessment_scores s on s.year = ${input.year} and s.organization_id = o.id and not (s.sector in ${tx(rules.rankedBySector as string[])})
          left join liaison_dispatches d on d.organization_id = o.id
          left join lateral (
            select x.workflow_id,
                   (select count(*) from pairing_deliverables pd where pd.workflow_id = x.workflow_id and pd.cycle = x.cycle
                      and pd.state <> 'cancelled' and (pd.due_on <= ${day}::date or pd.state = 'delivered')) as deliverables,
                   (select count(*) from pairing_deliverables pd where pd.workflow_id = x.workflow_id and pd.cycle = x.cycle and pd.state = 'delivered') as delivered
            from pairings x
            where o.settlement = 'village' and x.organization_id = o.id and x.state = 'active' and x.starts_on <= ${day}::date
            order by x.cycle desc limit 1
          ) p on true
          where nlevel(k.path) = 3 and k.type = 'committee'
          group by k.id`;
        const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
        const rows = rates.map((r) => {
          const concurrentHeadRate = r.head_organizations ? r.heads / r.head_organizations : null;
          const liaisonCoverage = r.units ? r.dispatched / r.units : null;
          const pairingCoverage = r.villages ? r.paired / r.villages : null;
          const deliveredRate = r.deliverables ? r.delivered / r.deliverables : null;
          return {
            year: input.year,
            county_id: r.county_id,
            organizations: r.organizations,
            mean_score: r.mean_score === null ? null : Math.round(r.mean_score * 10) / 10,
            villages: r.villages,
            concurrent_head_organizations: r.head_organizations,
            concurrent_head_rate: pct(concurrentHeadRate),
            units: r.units,
            liaison_coverage: pct(liaisonCoverage),
            paired: r.paired,
            pairing_coverage: pct(pairingCoverage),
            deliverables: r.deliverables,
            delivered: r.delivered,
            delivered_rate: pct(deliveredRate),
            score: countyScore(rules, { meanScore: r.mean_score, concurrentHeadRate, liaisonCoverage, pairingCoverage, deliveredRate }),
          };
        });
        // Ranked in SQL over all of them at once: ties share a rank (1, 2, 2, 4).
        if (rows.length) {
          const columns = Object.keys(rows[0]!);
          await tx`
            insert into assessment_counties (${tx(columns)}, rank)
            select ${tx(columns)}, rank() over (order by score desc)
            from jsonb_populate_recordset(null::assessment_counties, ${tx.json(rows as never)})`;
        }

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
