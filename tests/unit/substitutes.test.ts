import { describe, expect, it } from 'vitest';
import { absentees, actingPrincipal } from '../../src/api/substitutes.js';
import type { Principal } from '../../src/auth/principal.js';

// Whom a substitute acts as (src/api/substitutes.ts): themself where their own roles suffice, the absent user
// where only the lent roles do or the thing is the absent user's; nobody where neither allows it.
describe('actingPrincipal', () => {
  const village = '1.2.3';
  const liaison: Principal = {
    userId: 2,
    username: 'liaison',
    grants: [
      { role: 'liaison_officer', organizationId: 3, code: 'V', path: village },
      { role: 'secretary', organizationId: 3, code: 'V', path: village, onBehalfOf: 'sec' },
    ],
  };

  it('acts for the absent secretary on a secretary’s step, with her roles and his own', () => {
    const p = actingPrincipal(liaison, village, ['secretary', 'organizer'])!;
    expect(p.onBehalfOf).toBe('sec');
    expect(p.grants.map((g) => g.role).sort()).toEqual(['liaison_officer', 'secretary']);
    expect(p.grants.every((g) => !('onBehalfOf' in g))).toBe(true);
  });

  it('acts as himself where his own role suffices, unless the task is the absent user’s', () => {
    expect(actingPrincipal(liaison, village, ['liaison_officer'])!.onBehalfOf).toBeUndefined();
    expect(actingPrincipal(liaison, village, ['liaison_officer'], 'sec')!.onBehalfOf).toBe('sec');
  });

  it('refuses what neither his roles nor the lent ones allow, and outside the lent subtree', () => {
    expect(actingPrincipal(liaison, village, ['supervisor'])).toBeNull();
    expect(actingPrincipal(liaison, '1.2.4', ['secretary'])).toBeNull();
    expect(absentees(liaison)).toEqual(['sec']);
  });
});
