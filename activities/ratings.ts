// I/O of the ratings (三色管理, src/domain/ratings.ts): the recompute over the tree, run by the ratings workflow
// from a Temporal Schedule, and the 约谈 it opens after enough red periods in a row.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { shanghaiDate, type IsoDate } from '../src/domain/dates.js';
import { interviewWindowStart, lastReturnYearDue, periodOf, rate, ratingRulesFor, type RatingFacts, type RatingReason } from '../src/domain/ratings.js';
import { termLate } from '../src/organizations/term-late.js';
import { rootPath, supervised, type SupervisedOrganization } from './term-date-missing.js';

export interface RecomputeInput {
  /** The instant rated (the workflow's clock): "overdue" and "late" are judged at it. */
  at: string;
  /** Only this subtree (a code): tests and a county's own run; the Schedule rates the whole tree. */
  under?: string;
}

export interface RecomputeResult {
  ruleSet: string;
  period: IsoDate;
  rated: number;
  changed: number;
  /** Organizations red in enough periods in a row since their last 约谈: a 约谈 is due for this period. */
  interviews: { organization: string; period: IsoDate }[];
}

export interface InterviewContext extends SupervisedOrganization {
  ruleSet: string;
  reasons: RatingReason[];
  redPeriods: number;
}

interface FactsRow {
  id: string;
  overdue: number;
  level: number;
  term_late: boolean;
  return_missing: boolean;
  untrained: boolean;
  unpaired: boolean;
}

export function ratingActivities(sql: Sql) {
  return {
    /**
     * Rates every Party organization (not a unit, not the root) of the tree or of `under` at `at`: the facts in one
     * statement, the rule set's verdict (src/domain/ratings.ts), then in one transaction a history row for each
     * organization whose colour or reasons changed, the current ratings, and the period's colour. Idempotent: a
     * retry at the same instant changes nothing more.
     */
    async recomputeRatings(i: RecomputeInput): Promise<RecomputeResult> {
      const day = shanghaiDate(new Date(i.at));
      const rules = ratingRulesFor(day);
      const period = periodOf(day, rules);
      const root = await rootPath(sql, i.under);
      const within = root === null ? sql`true` : sql`o.path <@ ${root}::ltree`;
      const returnYear = lastReturnYearDue(day, rules);
      const facts = await sql<FactsRow[]>`
        select o.id,
               coalesce(t.overdue, 0)::int as overdue, coalesce(t.level, 0)::int as level,
               ${termLate(sql, day)} as term_late,
               -- Who files a yearly return (returnKindOf): villages, communities, university branches.
               (g.settlement is not null or (o.sector = 'university' and o.type = 'branch'))
                 and not exists (select 1 from yearly_returns y where y.organization_id = o.id and y.year = ${returnYear}::int) as return_missing,
               coalesce((select c.state = 'open' and c.ends_on < ${day}::date from training_cycles c
                         where c.organization_id = o.id and c.starts_on <= ${day}::date order by c.starts_on desc, c.cycle desc limit 1), false) as untrained,
               g.settlement = 'village'
                 and not exists (select 1 from pairings x where x.organization_id = o.id and x.state = 'active' and x.starts_on <= ${day}::date) as unpaired
        from organizations o
        -- A village's or community's own organization: the stored column (settlementOf in src/domain/assessment.ts).
        cross join lateral (select o.settlement) g
        left join lateral (
          select count(*) as overdue, max(x.escalation_level) as level from tasks x
          where x.organization_id = o.id and x.state in ('open', 'claimed', 'escalated') and x.due_at < ${i.at}::timestamptz
        ) t on true
        where o.type <> 'unit' and o.parent_id is not null and ${within}`;
      const rated = facts.map((r) => {
        const f: RatingFacts = {
          overdueTasks: r.overdue,
          escalationLevel: r.level,
          termLate: r.term_late,
          returnMissing: r.return_missing,
          secretaryUntrained: r.untrained,
          villageUnpaired: r.unpaired,
        };
        return { id: Number(r.id), ...rate(f, rules) };
      });
      const json = JSON.stringify(rated);
      return sql.begin(async (tx) => {
        const rows = tx`select x.id, x.color, x.reasons from jsonb_to_recordset((${json}::text)::jsonb) as x(id bigint, color text, reasons jsonb)`;
        const changed = await tx`
          insert into rating_changes (organization_id, at, color, previous, reasons, rule_set)
          select x.id, ${i.at}::timestamptz, x.color, r.color, x.reasons, ${rules.id}
          from (${rows}) x left join ratings r on r.organization_id = x.id
          where r.organization_id is null or r.color <> x.color or r.reasons <> x.reasons`;
        await tx`
          insert into ratings (organization_id, color, reasons, rule_set, since, computed_at)
          select x.id, x.color, x.reasons, ${rules.id}, ${i.at}::timestamptz, ${i.at}::timestamptz from (${rows}) x
          on conflict (organization_id) do update
            set since = case when ratings.color <> excluded.color then excluded.since else ratings.since end,
                color = excluded.color, reasons = excluded.reasons, rule_set = excluded.rule_set, computed_at = excluded.computed_at`;
        await tx`
          insert into rating_periods (organization_id, period, color)
          select x.id, ${period}::date, x.color from (${rows}) x
          on conflict (organization_id, period) do update set color = excluded.color where rating_periods.color <> excluded.color`;
        // Red in each of the last N periods (this one too), none of them at or before the last 约谈's period.
        const windowStart = interviewWindowStart(day, rules);
        const due = await tx<{ code: string }[]>`
          select o.code from ratings r join organizations o on o.id = r.organization_id
          where r.color = 'red' and r.organization_id in (select x.id from (${rows}) x)
            and (r.interview_period is null or r.interview_period < ${windowStart}::date)
            and (select count(*) from rating_periods p where p.organization_id = r.organization_id and p.color = 'red'
                   and p.period between ${windowStart}::date and ${period}::date) >= ${rules.redPeriodsForInterview}::int
          order by o.code`;
        return { ruleSet: rules.id, period, rated: rated.length, changed: changed.count, interviews: due.map((d) => ({ organization: d.code, period })) };
      });
    },

    /**
     * What the 约谈 shows and who holds it; marks the period so that the next 约谈 needs another N red periods.
     * Idempotent (the mark is a value, not a counter).
     */
    async openRatingInterview(i: { organization: string; period: IsoDate }): Promise<InterviewContext> {
      const [o] = await sql<
        { id: string; path: string; code: string; name: string; parent_id: string | null; rule_set: string | null; reasons: RatingReason[] | null }[]
      >`
        select o.id, o.path::text as path, o.code, o.name, o.parent_id, r.rule_set, r.reasons
        from organizations o left join ratings r on r.organization_id = o.id where o.code = ${i.organization}`;
      if (!o || o.parent_id === null) throw ApplicationFailure.nonRetryable(`organization ${i.organization} has no supervising committee`, 'NotFound');
      const rules = ratingRulesFor(i.period, o.rule_set ?? undefined);
      await sql`update ratings set interview_period = ${i.period}::date
                where organization_id = ${o.id} and (interview_period is null or interview_period < ${i.period}::date)`;
      return {
        ...supervised({ ...o, parent_id: o.parent_id }),
        ruleSet: rules.id,
        reasons: o.reasons ?? [],
        redPeriods: rules.redPeriodsForInterview,
      };
    },
  };
}
