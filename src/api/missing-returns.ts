// The yearly return's missing filers (年报未报): the organizations of the caller's subtree that file a return
// (returnKindOf, the one definition the PUT and the assessment use) and have none for the year, with the
// secretaries a 催报 reaches and how often they were nudged. Read by the list (routes/yearly-returns.ts) and by the
// nudge (routes/nudges.ts), so both act on the same list.
import type { Queryable } from '../db/client.js';
import { HttpError } from './errors.js';
import { returnKindOf, type ReturnKind } from '../domain/assessment.js';
import { ratingRulesFor } from '../domain/ratings.js';
import { shanghaiDate } from '../domain/dates.js';

export interface MissingReturn {
  id: number;
  code: string;
  name: string;
  kind: ReturnKind;
  /** Users holding the secretary role there: who a 催报 reaches (usernames, and the same users' ids). */
  secretaries: string[];
  secretaryIds: number[];
  nudges: number;
  lastNudgedAt: string | null;
}

/** A return is filed, listed or chased for a year that has begun: else a 400 naming `params.year`. */
export function requireYearBegun(year: number): void {
  if (year > Number(shanghaiDate(Date.now()).slice(0, 4))) {
    throw new HttpError(400, 'invalid_request', `params.year: ${year} has not begun`, [{ field: 'params.year', message: 'a year that has not begun' }]);
  }
}

/** The day the year's return is due (the rating rule set's `returnDue` of the following year). */
export const returnDueOn = (year: number): string => `${year + 1}-${ratingRulesFor(shanghaiDate(Date.now())).returnDue}`;

/** `roots`: the subtrees the caller steers ('' for the whole tree); `under`: a path to narrow to. */
export async function missingReturns(sql: Queryable, roots: string[], year: number, under?: string): Promise<MissingReturn[]> {
  const steered = roots.includes('') ? sql`true` : sql`o.path <@ ${sql.array(roots)}::ltree[]`;
  const rows = await sql<
    {
      id: string;
      code: string;
      name: string;
      type: string;
      sector: string;
      settlement: 'village' | 'community' | null;
      secretaries: string[];
      secretaryIds: number[];
      nudges: number;
      last: Date | null;
    }[]
  >`
    select o.id, o.code, o.name, o.type, o.sector, o.settlement,
           coalesce(sec.usernames, '{}') as secretaries, coalesce(sec.ids, '{}') as "secretaryIds",
           (select count(*) from return_nudges n where n.organization_id = o.id and n.year = ${year})::int as nudges,
           (select max(x.created_at) from return_nudges n join nudges x on x.id = n.nudge_id where n.organization_id = o.id and n.year = ${year}) as last
    from organizations o
    left join lateral (
      select array_agg(u.username order by u.username) as usernames, array_agg(u.id order by u.username) as ids
      from user_roles r join users u on u.id = r.user_id and not u.disabled where r.organization_id = o.id and r.role = 'secretary'
    ) sec on true
    where o.type <> 'unit' and (o.settlement is not null or o.sector = 'university') and ${steered}
      ${under ? sql`and o.path <@ ${under}::ltree` : sql``}
      and not exists (select 1 from yearly_returns y where y.organization_id = o.id and y.year = ${year})
    order by o.path`;
  return rows.flatMap((r) => {
    const kind = returnKindOf(r);
    return kind
      ? [
          {
            id: Number(r.id),
            code: r.code,
            name: r.name,
            kind,
            secretaries: r.secretaries,
            secretaryIds: r.secretaryIds.map(Number),
            nudges: r.nudges,
            lastNudgedAt: r.last ? new Date(r.last).toISOString() : null,
          },
        ]
      : [];
  });
}
