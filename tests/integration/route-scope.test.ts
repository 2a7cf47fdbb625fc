import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { escalationActions, taskActions } from '../../src/domain/task-rights.js';
import { ratingActivities } from '../../activities/ratings.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { personalDataKey, sealPersonalData } from '../../src/members/personal-data.js';

// Generated from the route table: every /api/v1 route needs a caller (but the few public ones named here),
// and every route has a probe showing that a caller scoped to county A cannot read or write county B through
// it. A new route without a probe fails this test.
// Public routes and what an anonymous call answers: login, and the calendar feed (its own per-user token in
// the query, since calendar clients cannot send headers), and a message's task link (the link is its credential;
// a wrong one is refused with 403, src/auth/task-links.ts).
const PUBLIC: Record<string, number[]> = {
  'POST /api/v1/auth/login': [400, 401],
  'GET /api/v1/calendar.ics': [400, 401],
  'POST /api/v1/auth/task-link': [400, 403],
};

interface Fixture {
  outsideVillage: string;
  outsideCounty: string;
  outsideTaskId: number;
  outsideProcessId: string;
  outsideEscalationId: number;
  /** A training session held by county B. */
  outsideSession: string;
  /** An import job started by an admin of the whole tree. */
  othersImportJob: string;
  /** A notification of another user. */
  othersNotificationId: number;
  /** An evidence file of the pairing of county B's village. */
  outsideEvidenceId: string;
  /** An urban unit's organization in county B (the partner of its village's pairing). */
  outsidePartner: string;
  /** County A's village. */
  insideVillage: string;
  /** A secretary of county B's village. */
  outsideUser: string;
  /** A substitution between two users of county B. */
  outsideSubstitutionId: number;
  /** A saved view of a user of county B's village, shared with it. */
  outsideViewId: number;
  othersUsername: string;
  /** A failed channel delivery of county B's village. */
  outsideDeliveryId: number;
  /** A member on the register of county B's village. */
  outsideMemberId: number;
  /** A 党小组 of county B's village. */
  outsideGroupId: number;
  /** An applicant (发展党员) of county B's village. */
  outsideApplicantId: number;
}

type Probe = (f: Fixture) => {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: Record<string, unknown> | string;
  headers?: Record<string, string>;
  /** The answer must be one of these; for lists, `leaks` finds an item of county B in the body. */
  expect: number[];
  leaks?: (body: ProbedBody) => boolean;
};
/** The fields of the answers the probes look into (each route's answer has some of them). */
type ProbedBody = { done?: unknown; items: { id: number }[]; results: { status: number }[]; counts: Record<'red' | 'yellow' | 'green', number> };

const IMPORT_HEADER = 'code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members';
/** A 身份证号 a probe may try to register. */
const PROBE_ID = withCheckDigit('42010619700101123');
const mentionsB = (f: Fixture, body: unknown) => {
  const text = JSON.stringify(body);
  return text.includes(`"${f.outsideVillage}"`) || text.includes(`"${f.outsideCounty}"`);
};

const PROBES: Record<string, Probe | 'self'> = {
  'GET /api/v1/me': 'self',
  'POST /api/v1/tokens': 'self',
  // Signing out and changing one's password act on the caller's own credentials only.
  'POST /api/v1/auth/logout': 'self',
  'POST /api/v1/auth/password': 'self',
  // A user of county B does not exist for county A's admin.
  'POST /api/v1/users/:username/disable': (f) => ({ method: 'POST', url: `/api/v1/users/${f.outsideUser}/disable`, expect: [404] }),
  'POST /api/v1/users/:username/enable': (f) => ({ method: 'POST', url: `/api/v1/users/${f.outsideUser}/enable`, expect: [404] }),
  'POST /api/v1/users': (f) => ({
    method: 'POST',
    url: '/api/v1/users',
    payload: { username: `probe-${f.outsideTaskId}`, password: 'long enough pw', roles: [{ role: 'secretary', org: f.outsideVillage }] },
    expect: [400, 404],
  }),
  'GET /api/v1/organizations': (f) => ({ method: 'GET', url: '/api/v1/organizations?limit=500', expect: [200], leaks: (b) => mentionsB(f, b) }),
  'POST /api/v1/organizations/import': (f) => ({
    method: 'POST',
    url: '/api/v1/organizations/import',
    headers: { 'content-type': 'text/csv' },
    payload: `${IMPORT_HEADER}\nPROBE${f.outsideTaskId},${f.outsideVillage},探针支部,branch,rural,5,2024-01-01,王伟,13800000000,5,0\n`,
    expect: [403, 404, 422],
  }),
  'GET /api/v1/organizations/import/:jobId': (f) => ({ method: 'GET', url: `/api/v1/organizations/import/${f.othersImportJob}`, expect: [404] }),
  'GET /api/v1/terms': (f) => ({ method: 'GET', url: '/api/v1/terms?limit=500', expect: [200], leaks: (b) => mentionsB(f, b) }),
  // County B's village ends its term four months from now (started 56 months ago, five years).
  'GET /api/v1/term-election/plan': (f) => ({
    method: 'GET',
    url: `/api/v1/term-election/plan?year=${addMonths(shanghaiDate(Date.now()), 4).slice(0, 4)}`,
    expect: [200],
    leaks: (b) => mentionsB(f, b),
  }),
  'GET /api/v1/term-election/overdue-report': (f) => ({
    method: 'GET',
    url: '/api/v1/term-election/overdue-report',
    expect: [200],
    leaks: (b) => mentionsB(f, b),
  }),
  'GET /api/v1/units': (f) => ({ method: 'GET', url: '/api/v1/units?limit=500', expect: [200], leaks: (b) => mentionsB(f, b) }),
  'GET /api/v1/people': (f) => ({ method: 'GET', url: '/api/v1/people?limit=500', expect: [200], leaks: (b) => mentionsB(f, b) }),
  'GET /api/v1/users': (f) => ({ method: 'GET', url: '/api/v1/users?limit=100', expect: [200], leaks: (b) => mentionsB(f, b) }),
  'GET /api/v1/training-sessions': (f) => ({
    method: 'GET',
    url: '/api/v1/training-sessions?limit=100',
    expect: [200],
    leaks: (b) => mentionsB(f, b) || JSON.stringify(b).includes(`"${f.outsideSession}"`),
  }),
  'GET /api/v1/organizations/:code/appointments': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/appointments`, expect: [404] }),
  'POST /api/v1/processes/:id/cancel': (f) => ({
    method: 'POST',
    url: `/api/v1/processes/${f.outsideProcessId}/cancel`,
    payload: { reason: 'probe' },
    expect: [404],
  }),
  'POST /api/v1/training-sessions': (f) => ({
    method: 'POST',
    url: '/api/v1/training-sessions',
    payload: { code: `PROBE-${f.outsideTaskId}`, organization: f.outsideCounty, title: '探针', startsOn: '2030-01-01', endsOn: '2030-01-02' },
    expect: [403, 404],
  }),
  'POST /api/v1/training-sessions/:code/enrolments': (f) => ({
    method: 'POST',
    url: `/api/v1/training-sessions/${f.outsideSession}/enrolments`,
    payload: { organizations: [f.outsideVillage] },
    // A bulk route answers per organization: B's village must be refused, nothing done.
    expect: [200, 404],
    leaks: (b) => Array.isArray(b.done) && b.done.length > 0,
  }),
  'POST /api/v1/training-sessions/:code/attendance': (f) => ({
    method: 'POST',
    url: `/api/v1/training-sessions/${f.outsideSession}/attendance`,
    payload: { organizations: [f.outsideVillage] },
    // A bulk route answers per organization: B's village must be refused, nothing done.
    expect: [200, 404],
    leaks: (b) => Array.isArray(b.done) && b.done.length > 0,
  }),
  'POST /api/v1/training/secretary-changes': (f) => ({
    method: 'POST',
    url: '/api/v1/training/secretary-changes',
    payload: { organization: f.outsideVillage, secretary: '李四' },
    expect: [404],
  }),
  'GET /api/v1/training/coverage': (f) => ({ method: 'GET', url: '/api/v1/training/coverage', expect: [200], leaks: (b) => mentionsB(f, b) }),
  'POST /api/v1/liaison/officer-left': (f) => ({
    method: 'POST',
    url: '/api/v1/liaison/officer-left',
    payload: { organization: f.outsideVillage, reason: 'probe' },
    expect: [404],
  }),
  // Only an admin of the whole tree runs a year; the rankings list only counties of the caller's subtree.
  'POST /api/v1/assessments/:year/run': () => ({ method: 'POST', url: '/api/v1/assessments/2020/run', expect: [403] }),
  'GET /api/v1/assessments/:year/counties': (f) => ({
    method: 'GET',
    url: `/api/v1/assessments/${new Date().getFullYear()}/counties`,
    expect: [200, 404],
    leaks: (b) => mentionsB(f, b),
  }),
  'GET /api/v1/assessments/:year/organizations': (f) => ({
    method: 'GET',
    url: `/api/v1/assessments/${new Date().getFullYear()}/organizations?under=${f.outsideCounty}`,
    expect: [404],
  }),
  // Ratings: county B's organizations appear in no list, matrix or trend of county A; its village's history is 404.
  'GET /api/v1/ratings': (f) => ({
    method: 'GET',
    url: '/api/v1/ratings?color=red',
    expect: [200],
    leaks: (b) => mentionsB(f, b) || b.counts.red + b.counts.yellow + b.counts.green > 3,
  }), // county A, its township and village
  'GET /api/v1/ratings/matrix': (f) => ({ method: 'GET', url: '/api/v1/ratings/matrix', expect: [200], leaks: (b) => mentionsB(f, b) }),
  'GET /api/v1/ratings/overdue-trend': (f) => ({ method: 'GET', url: `/api/v1/ratings/overdue-trend?under=${f.outsideCounty}`, expect: [404] }),
  'GET /api/v1/organizations/:code/ratings': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/ratings`, expect: [404] }),
  'GET /api/v1/organizations/:code/members.xlsx': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/members.xlsx`, expect: [404] }),
  // The yearly return: county B's village does not exist for county A, to read or to file, alone or in a file.
  'GET /api/v1/organizations/:code/returns/:year': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/returns/2025`, expect: [404] }),
  'PUT /api/v1/organizations/:code/returns/:year': (f) => ({
    method: 'PUT',
    url: `/api/v1/organizations/${f.outsideVillage}/returns/2025`,
    payload: { activistsTrained: 3, reserveCadres: 3, funding: 20000 },
    expect: [404],
  }),
  'GET /api/v1/returns/:year/missing': (f) => ({ method: 'GET', url: `/api/v1/returns/2025/missing?org=${f.outsideVillage}`, expect: [404] }),
  'POST /api/v1/returns/:year/nudges': (f) => ({ method: 'POST', url: '/api/v1/returns/2025/nudges', payload: { org: f.outsideVillage }, expect: [404] }),
  'POST /api/v1/returns/:year/import': (f) => ({
    method: 'POST',
    url: '/api/v1/returns/2025/import',
    headers: { 'content-type': 'text/csv' },
    payload: `code,activists_trained,reserve_cadres,funding\n${f.outsideVillage},3,3,20000\n`,
    expect: [404],
  }),
  'GET /api/v1/liaison/coverage': (f) => ({ method: 'GET', url: '/api/v1/liaison/coverage', expect: [200], leaks: (b) => mentionsB(f, b) }),
  'POST /api/v1/pairing/evidence': (f) => ({
    method: 'POST',
    url: `/api/v1/pairing/evidence?organization=${f.outsideVillage}&deliverable=plan&filename=probe.pdf`,
    headers: { 'content-type': 'application/pdf' },
    payload: 'probe',
    expect: [404],
  }),
  'GET /api/v1/pairing/evidence/:id': (f) => ({ method: 'GET', url: `/api/v1/pairing/evidence/${f.outsideEvidenceId}`, expect: [404] }),
  'POST /api/v1/pairing/milestones': (f) => ({
    method: 'POST',
    url: '/api/v1/pairing/milestones',
    payload: { organization: f.outsideVillage, deliverable: 'plan', milestone: 'survey', achievedOn: '2026-01-01', evidence: [f.outsideEvidenceId] },
    expect: [404],
  }),
  'GET /api/v1/pairing/coverage': (f) => ({ method: 'GET', url: '/api/v1/pairing/coverage', expect: [200], leaks: (b) => mentionsB(f, b) }),
  'GET /api/v1/organizations/:code': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}`, expect: [404] }),
  'GET /api/v1/organizations/:code/children': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideCounty}/children`, expect: [404] }),
  'POST /api/v1/processes/:kind': (f) => ({
    method: 'POST',
    url: '/api/v1/processes/term-election',
    payload: { organization: f.outsideVillage },
    expect: [404],
  }),
  // Every kind refuses county B's village; a pairing also refuses county B's partner for A's own village.
  'POST /api/v1/processes/two-recommendations-one-election': (f) => ({
    method: 'POST',
    url: '/api/v1/processes/two-recommendations-one-election',
    payload: { organization: f.outsideVillage },
    expect: [404],
  }),
  'POST /api/v1/processes/pairing': (f) => ({
    method: 'POST',
    url: '/api/v1/processes/pairing',
    payload: { organization: f.outsideVillage, partner: f.outsidePartner },
    expect: [404],
  }),
  'POST /api/v1/processes/pairing (partner in B)': (f) => ({
    method: 'POST',
    url: '/api/v1/processes/pairing',
    payload: { organization: f.insideVillage, partner: f.outsidePartner },
    expect: [404],
  }),
  'GET /api/v1/processes/:id': (f) => ({ method: 'GET', url: `/api/v1/processes/${f.outsideProcessId}`, expect: [404] }),
  'GET /api/v1/tasks/:id': (f) => ({ method: 'GET', url: `/api/v1/tasks/${f.outsideTaskId}`, expect: [404] }),
  'GET /api/v1/tasks/:id/comments': (f) => ({ method: 'GET', url: `/api/v1/tasks/${f.outsideTaskId}/comments`, expect: [404] }),
  'POST /api/v1/tasks/:id/comments': (f) => ({ method: 'POST', url: `/api/v1/tasks/${f.outsideTaskId}/comments`, payload: { text: '探针' }, expect: [404] }),
  'GET /api/v1/processes/:id/comments': (f) => ({ method: 'GET', url: `/api/v1/processes/${f.outsideProcessId}/comments`, expect: [404] }),
  'POST /api/v1/processes/:id/comments': (f) => ({
    method: 'POST',
    url: `/api/v1/processes/${f.outsideProcessId}/comments`,
    payload: { text: '探针' },
    expect: [404],
  }),
  'GET /api/v1/organizations/:code/life': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/life`, expect: [404] }),
  'GET /api/v1/substitutions': (f) => ({ method: 'GET', url: '/api/v1/substitutions', expect: [200], leaks: (b) => JSON.stringify(b).includes(f.outsideUser) }),
  'POST /api/v1/substitutions': (f) => ({
    method: 'POST',
    url: '/api/v1/substitutions',
    payload: { user: f.outsideUser, substitute: f.outsideUser, startsOn: '2030-01-01', endsOn: '2030-01-05' },
    expect: [404],
  }),
  'POST /api/v1/substitutions/:id/revoke': (f) => ({ method: 'POST', url: `/api/v1/substitutions/${f.outsideSubstitutionId}/revoke`, expect: [404] }),
  'GET /api/v1/tasks': (f) => ({
    method: 'GET',
    url: '/api/v1/tasks?limit=500',
    expect: [200],
    leaks: (b) => b.items.some((t: { id: number }) => t.id === f.outsideTaskId),
  }),
  ...Object.fromEntries(
    taskActions.map((a) => [
      `POST /api/v1/tasks/:id/${a}`,
      ((f: Fixture) => ({
        method: 'POST',
        url: `/api/v1/tasks/${f.outsideTaskId}/${a}`,
        payload: { reason: 'probe', to: { role: 'secretary' }, dueOn: '2030-01-01' },
        expect: [400, 404],
      })) as Probe,
    ]),
  ),
  ...Object.fromEntries(
    escalationActions.map((a) => [
      `POST /api/v1/escalations/:id/${a}`,
      ((f: Fixture) => ({
        method: 'POST',
        url: `/api/v1/escalations/${f.outsideEscalationId}/${a}`,
        payload: { reason: 'probe', to: { role: 'secretary' }, dueOn: '2030-01-01' },
        expect: [400, 404],
      })) as Probe,
    ]),
  ),
  'GET /api/v1/escalations': (f) => ({ method: 'GET', url: '/api/v1/escalations', expect: [200], leaks: (b) => JSON.stringify(b).includes(f.outsideVillage) }),
  // A batch answers per item: an item of county B is refused as not found, exactly as the single action.
  ...Object.fromEntries(
    (['claim', 'reassign', 'extend'] as const).map((a) => [
      `POST /api/v1/tasks/bulk/${a}`,
      ((f: Fixture) => ({
        method: 'POST',
        url: `/api/v1/tasks/bulk/${a}`,
        payload: { ids: [f.outsideTaskId], input: { reason: 'probe', assigneeRole: 'secretary', dueOn: '2030-01-01' } },
        expect: [200],
        leaks: (b) => b.results[0]?.status !== 404,
      })) as Probe,
    ]),
  ),
  ...Object.fromEntries(
    (['acknowledge', 'close'] as const).map((a) => [
      `POST /api/v1/escalations/bulk/${a}`,
      ((f: Fixture) => ({
        method: 'POST',
        url: `/api/v1/escalations/bulk/${a}`,
        payload: { ids: [f.outsideEscalationId], input: { reason: 'probe' } },
        expect: [200],
        leaks: (b) => b.results[0]?.status !== 404,
      })) as Probe,
    ]),
  ),
  'POST /api/v1/nudges': (f) => ({ method: 'POST', url: '/api/v1/nudges', payload: { filter: { org: f.outsideVillage } }, expect: [404] }),
  'GET /api/v1/views': (f) => ({
    method: 'GET',
    url: '/api/v1/views',
    expect: [200],
    leaks: (b) => b.items.some((v: { id: number }) => v.id === f.outsideViewId),
  }),
  'GET /api/v1/views/:id': (f) => ({ method: 'GET', url: `/api/v1/views/${f.outsideViewId}`, expect: [404] }),
  'PUT /api/v1/views/:id': (f) => ({ method: 'PUT', url: `/api/v1/views/${f.outsideViewId}`, payload: { name: 'probe', filter: {} }, expect: [404] }),
  'DELETE /api/v1/views/:id': (f) => ({ method: 'DELETE', url: `/api/v1/views/${f.outsideViewId}`, expect: [404] }),
  'POST /api/v1/views': (f) => ({ method: 'POST', url: '/api/v1/views', payload: { name: 'probe', filter: { org: f.outsideVillage } }, expect: [422] }), // a field of the body naming no organization of theirs
  'POST /api/v1/views (shared with B)': (f) => ({
    method: 'POST',
    url: '/api/v1/views',
    payload: { name: 'probe-b', filter: {}, sharedWith: f.outsideVillage },
    expect: [422],
  }),
  'GET /api/v1/overdue': (f) => ({ method: 'GET', url: '/api/v1/overdue', expect: [200], leaks: (b) => JSON.stringify(b).includes(f.outsideVillage) }),
  'GET /api/v1/users/:username/contacts': (f) => ({ method: 'GET', url: `/api/v1/users/${f.othersUsername}/contacts`, expect: [404] }),
  'PUT /api/v1/users/:username/contacts': (f) => ({
    method: 'PUT',
    url: `/api/v1/users/${f.othersUsername}/contacts`,
    payload: { mobile: '13900000000' },
    expect: [404],
  }),
  // A user outside the caller's subtree is "not a user you organize", named by row: nothing is written.
  'POST /api/v1/users/contacts/import': (f) => ({
    method: 'POST',
    url: '/api/v1/users/contacts/import',
    headers: { 'content-type': 'text/csv' },
    payload: `username,mobile,wecom_userid,dingtalk_userid\n${f.othersUsername},13900000000,,\n`,
    expect: [422],
  }),
  'GET /api/v1/me/channel-preferences': 'self',
  'PUT /api/v1/me/channel-preferences': 'self',
  'PUT /api/v1/organizations/:code/election': (f) => ({
    method: 'PUT',
    url: `/api/v1/organizations/${f.outsideVillage}/election`,
    payload: { termOrdinal: 3 },
    expect: [404],
  }),
  'PUT /api/v1/organizations/:code/robot': (f) => ({
    method: 'PUT',
    url: `/api/v1/organizations/${f.outsideVillage}/robot`,
    payload: { vendor: 'wecom', key: 'probe-key-123' },
    expect: [404],
  }),
  'GET /api/v1/channel-deliveries': (f) => ({
    method: 'GET',
    url: '/api/v1/channel-deliveries?limit=500',
    expect: [200],
    leaks: (b) => JSON.stringify(b).includes(`"${f.outsideVillage}"`),
  }),
  'POST /api/v1/channel-deliveries/:id/resend': (f) => ({ method: 'POST', url: `/api/v1/channel-deliveries/${f.outsideDeliveryId}/resend`, expect: [404] }),
  'GET /api/v1/notifications': (f) => ({
    method: 'GET',
    url: '/api/v1/notifications',
    expect: [200],
    leaks: (b) => JSON.stringify(b).includes(`"id":${f.othersNotificationId},`),
  }),
  'GET /api/v1/notifications/unread-count': 'self',
  'POST /api/v1/notifications/read-all': 'self',
  'POST /api/v1/notifications/:id/read': (f) => ({ method: 'POST', url: `/api/v1/notifications/${f.othersNotificationId}/read`, payload: {}, expect: [404] }),
  'POST /api/v1/calendar/token': 'self',
  // The working-day calendar is one for the province: everyone reads it, only an admin of the whole tree edits.
  'GET /api/v1/calendar/days': 'self',
  'PUT /api/v1/calendar/days/:day': () => ({ method: 'PUT', url: '/api/v1/calendar/days/2030-01-01', payload: { isWorkday: false }, expect: [403, 404] }),
  // The member register: county B's members, registers, figures and transfers do not exist for county A.
  'POST /api/v1/members/import': (f) => ({
    method: 'POST',
    url: '/api/v1/members/import',
    headers: { 'content-type': 'text/csv' },
    payload: `姓名,性别,身份证号,入党日期,转正日期,人员类别,党组织编码\n探针,男,${PROBE_ID},2010-07-01,2011-07-01,正式党员,${f.outsideVillage}\n`,
    expect: [404],
  }),
  'GET /api/v1/organizations/:code/members': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/members`, expect: [404] }),
  'GET /api/v1/organizations/:code/members/counts': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideCounty}/members/counts`, expect: [404] }),
  'GET /api/v1/members/:id': (f) => ({ method: 'GET', url: `/api/v1/members/${f.outsideMemberId}?reveal=idNumber`, expect: [404] }),
  'GET /api/v1/members/:id/history': (f) => ({ method: 'GET', url: `/api/v1/members/${f.outsideMemberId}/history`, expect: [404] }),
  'POST /api/v1/members/:id/status': (f) => ({
    method: 'POST',
    url: `/api/v1/members/${f.outsideMemberId}/status`,
    payload: { status: 'lost', reason: '探针' },
    expect: [404],
  }),
  'PUT /api/v1/members/:id/user': (f) => ({ method: 'PUT', url: `/api/v1/members/${f.outsideMemberId}/user`, payload: { username: null }, expect: [404] }),
  'GET /api/v1/organizations/:code/party-groups': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/party-groups`, expect: [404] }),
  'POST /api/v1/organizations/:code/party-groups': (f) => ({
    method: 'POST',
    url: `/api/v1/organizations/${f.outsideVillage}/party-groups`,
    payload: { name: '甲县的党小组' },
    expect: [404],
  }),
  'PATCH /api/v1/party-groups/:id': (f) => ({ method: 'PATCH', url: `/api/v1/party-groups/${f.outsideGroupId}`, payload: { name: '改名' }, expect: [404] }),
  'DELETE /api/v1/party-groups/:id': (f) => ({ method: 'DELETE', url: `/api/v1/party-groups/${f.outsideGroupId}`, expect: [404] }),
  'POST /api/v1/party-groups/:id/dissolve': (f) => ({
    method: 'POST',
    url: `/api/v1/party-groups/${f.outsideGroupId}/dissolve`,
    payload: { on: '2026-01-01' },
    expect: [404],
  }),
  'PUT /api/v1/members/:id/party-group': (f) => ({
    method: 'PUT',
    url: `/api/v1/members/${f.outsideMemberId}/party-group`,
    payload: { groupId: null },
    expect: [404],
  }),
  'POST /api/v1/members/:id/away': (f) => ({
    method: 'POST',
    url: `/api/v1/members/${f.outsideMemberId}/away`,
    payload: { kind: 'away', place: '广东省' },
    expect: [404],
  }),
  // One's own record, through the user one signed in as.
  'GET /api/v1/me/member': 'self',
  'POST /api/v1/members/:id/transfers': (f) => ({
    method: 'POST',
    url: `/api/v1/members/${f.outsideMemberId}/transfers`,
    payload: { to: f.insideVillage },
    expect: [404],
  }),
  'POST /api/v1/members/transfers/incoming': (f) => ({
    method: 'POST',
    url: '/api/v1/members/transfers/incoming',
    payload: {
      to: f.outsideVillage,
      outside: '外省',
      member: { name: '探针', gender: 'male', idNumber: PROBE_ID, joinedOn: '2010-07-01', fullOn: '2011-07-01', category: 'full' },
    },
    expect: [404],
  }),
  'GET /api/v1/organizations/:code/transfers': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/transfers`, expect: [404] }),
  // 发展党员: county B's applicants and their branches do not exist for county A.
  'POST /api/v1/organizations/:code/applicants': (f) => ({
    method: 'POST',
    url: `/api/v1/organizations/${f.outsideVillage}/applicants`,
    payload: { name: '探针', gender: 'male', idNumber: PROBE_ID },
    expect: [404],
  }),
  'GET /api/v1/organizations/:code/applicants': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/applicants`, expect: [404] }),
  'PUT /api/v1/applicants/:id/user': (f) => ({
    method: 'PUT',
    url: `/api/v1/applicants/${f.outsideApplicantId}/user`,
    payload: { username: null },
    expect: [404],
  }),
  // 发展党员计划 and the seed's targets: county B's plan, villages and nudges do not exist for county A.
  'GET /api/v1/organizations/:code/recruitment-plan/:year': (f) => ({
    method: 'GET',
    url: `/api/v1/organizations/${f.outsideCounty}/recruitment-plan/2026`,
    expect: [404],
  }),
  'PUT /api/v1/organizations/:code/recruitment-plan/:year': (f) => ({
    method: 'PUT',
    url: `/api/v1/organizations/${f.outsideCounty}/recruitment-plan/2026`,
    payload: { allocations: [{ organization: f.outsideVillage, admissions: 1 }] },
    expect: [404],
  }),
  'GET /api/v1/organizations/:code/recruitment-targets': (f) => ({
    method: 'GET',
    url: `/api/v1/organizations/${f.outsideCounty}/recruitment-targets`,
    expect: [404],
  }),
  'POST /api/v1/organizations/:code/recruitment-nudges': (f) => ({
    method: 'POST',
    url: `/api/v1/organizations/${f.outsideCounty}/recruitment-nudges`,
    payload: { year: 2026, list: 'targets' },
    expect: [404],
  }),
  // 三会一课: county B's branches are neither started, read nor ranked by county A.
  'POST /api/v1/organization-life/years': (f) => ({
    method: 'POST',
    url: '/api/v1/organization-life/years',
    payload: { under: f.outsideCounty, year: 2026 },
    expect: [404],
  }),
  'POST /api/v1/organizations/:code/meeting-spot-checks': (f) => ({
    method: 'POST',
    url: `/api/v1/organizations/${f.outsideVillage}/meeting-spot-checks`,
    payload: { period: '2026-11' },
    expect: [404],
  }),
  // 民主评议党员: county B's plan is not issued, nor its members' grades read, by county A.
  'POST /api/v1/organizations/:code/member-appraisals': (f) => ({
    method: 'POST',
    url: `/api/v1/organizations/${f.outsideCounty}/member-appraisals`,
    payload: { year: 2030, reportBy: '2030-12-31' },
    expect: [404],
  }),
  'GET /api/v1/members/:id/appraisals': (f) => ({ method: 'GET', url: `/api/v1/members/${f.outsideMemberId}/appraisals`, expect: [404] }),
  'GET /api/v1/organizations/:code/meetings': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}/meetings`, expect: [404] }),
  'GET /api/v1/organizations/:code/meeting-completeness': (f) => ({
    method: 'GET',
    url: `/api/v1/organizations/${f.outsideCounty}/meeting-completeness?period=2026-11`,
    expect: [404],
  }),
  // One's own case, through the user one signed in as.
  'GET /api/v1/me/application': 'self',
  // Which years have holiday data, with counts of provisional tasks (no organization named); loading one is the root admin's.
  'GET /api/v1/calendar/years': 'self',
  'PUT /api/v1/calendar/years/:year': () => ({
    method: 'PUT',
    url: '/api/v1/calendar/years/2030',
    payload: { days: [{ day: '2030-10-01', isWorkday: false }] },
    expect: [403, 404],
  }),
  'POST /api/v1/calendar/years/:year/import': () => ({
    method: 'POST',
    url: '/api/v1/calendar/years/2030/import',
    headers: { 'content-type': 'text/csv' },
    payload: 'day,type\n2030-10-01,休\n',
    expect: [403, 404],
  }),
};

describe('route table: authentication and scope on every route', () => {
  let s: Stack;
  let f: Fixture;
  let insider: { authorization: string };

  beforeAll(async () => {
    s = await startStack();
    const root = uniqueCode('R');
    const city = uniqueCode('RC');
    const [ta, tb] = [uniqueCode('TA'), uniqueCode('TB')];
    const a = uniqueCode('A');
    const b = uniqueCode('B');
    const va = uniqueCode('VA');
    const vb = uniqueCode('VB');
    const soon = addMonths(shanghaiDate(Date.now()), -56);
    await addOrganizations(s.sql, [
      // Counties A and B at the tree's third level, each village under its township (domain.md §2).
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(city, root, { type: 'committee', sector: 'regional' }),
      orgRow(a, city, { type: 'committee', sector: 'regional' }),
      orgRow(b, city, { type: 'committee', sector: 'regional' }),
      orgRow(ta, a, { type: 'committee', sector: 'regional' }),
      orgRow(tb, b, { type: 'committee', sector: 'regional' }),
      orgRow(va, ta, { term_started_on: soon }),
      orgRow(vb, tb, { term_started_on: soon }),
    ]);
    const started = await s.app.inject({ method: 'POST', url: '/api/v1/processes/term-election', headers: s.admin, payload: { organization: vb } });
    const processId = started.json().id as string;
    const [task] = await eventually('the task in county B', async () => {
      const rows = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${processId}`;
      return rows.length ? rows : null;
    });
    // Projection rows of county B that no action has produced yet: an escalation and another user's notice.
    const [bOrg] = await s.sql<{ id: number }[]>`select id from organizations where code = ${b}`;
    const [esc] = await s.sql<{ id: number }[]>`
      insert into escalations (task_id, event_key, level, organization_id, role, opened_at, updated_at)
      values (${task!.id}, 'probe', 1, ${bOrg!.id}, 'supervisor', now(), now()) returning id`;
    const other = await s.userWith([{ role: 'secretary', org: vb }]);
    const [otherUser] = await s.sql<{ id: number }[]>`select id from users where username = ${other.username}`;
    const otherSub = await s.userWith([{ role: 'secretary', org: vb }]);
    const [substitution] = await s.sql<{ id: number }[]>`
      insert into substitutions (user_id, substitute_id, starts_on, ends_on, named_by)
      select ${otherUser!.id}, id, '2030-01-01', '2030-01-05', 'probe' from users where username = ${otherSub.username} returning id`;
    const [note] = await s.sql<{ id: number }[]>`
      insert into notifications (user_id, event_key, kind, task_id, title, created_at)
      values (${otherUser!.id}, 'probe', 'task-opened', ${task!.id}, 'probe', now()) returning id`;
    const [view] = await s.sql<{ id: number }[]>`
      insert into saved_views (owner_id, organization_id, name, filter)
      select ${otherUser!.id}, id, 'B 的逾期', '{"overdue": true}'::jsonb from organizations where code = ${vb} returning id`;
    const [vbOrg] = await s.sql<{ id: number }[]>`select id from organizations where code = ${vb}`;
    const [delivery] = await s.sql<{ id: number }[]>`
      insert into channel_deliveries (event_key, channel, recipient, user_id, organization_id, message_kind, message, status)
      values ('probe', 'wecom', 'probe', ${otherUser!.id}, ${vbOrg!.id}, 'reminder', ${s.sql.json({ title: 'probe', lines: [], taskId: null })}, 'failed') returning id`;
    const job = await s.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/import?async=true',
      headers: { ...s.admin, 'content-type': 'text/csv' },
      payload: `${IMPORT_HEADER}\n${b},${city},中共探针县委员会,committee,regional,5,2022-01-01,,,10,0\n`,
    });
    expect(job.statusCode, job.body).toBe(202);
    const session = await s.app.inject({
      method: 'POST',
      url: '/api/v1/training-sessions',
      headers: s.admin,
      payload: { code: `S${b}`, organization: b, title: '县委轮训班', startsOn: '2030-03-01', endsOn: '2030-03-05' },
    });
    expect(session.statusCode, session.body).toBe(201);
    // County B's village is paired with a county organ of B, with one evidence file.
    const gb = uniqueCode('GB');
    await addOrganizations(s.sql, [orgRow(gb, b, { type: 'branch', sector: 'government', term_years: 3 })]);
    const paired = await s.app.inject({ method: 'POST', url: '/api/v1/processes/pairing', headers: s.admin, payload: { organization: vb, partner: gb } });
    expect(paired.statusCode, paired.body).toBe(201);
    const evidence = await eventually('the evidence of county B', async () => {
      const r = await s.app.inject({
        method: 'POST',
        url: `/api/v1/pairing/evidence?organization=${vb}&deliverable=plan&filename=b.pdf`,
        headers: { ...s.admin, 'content-type': 'application/pdf' },
        payload: Buffer.from('county B'),
      });
      return r.statusCode === 201 ? (r.json().id as string) : null;
    });
    // A member on the register of county B's village.
    const [member] = await s.sql<{ id: number }[]>`
      insert into members ${s.sql({
        organization_id: vbOrg!.id,
        name: '乙村党员',
        gender: 'female',
        birth_date: '1980-01-01',
        joined_on: '2005-07-01',
        full_on: '2006-07-01',
        category: 'full',
        ...sealPersonalData(personalDataKey('a probe key of thirty-two characters or more'), withCheckDigit('42010619800101555'), null),
      })} returning id`;
    const [group] = await s.sql<{ id: number }[]>`
      insert into party_groups (organization_id, name, created_on, created_by) values (${vbOrg!.id}, '乙村第一党小组', '2026-01-01', 'probe') returning id`;
    // An applicant of county B's village (the row alone: no case needs to run for the probe).
    const [applicant] = await s.sql<{ id: number }[]>`
      insert into applicants ${s.sql({
        workflow_id: `recruitment:probe-${randomUUID()}`,
        organization_id: vbOrg!.id,
        name: '乙村申请人',
        gender: 'male',
        birth_date: '2000-02-02',
        ...sealPersonalData(personalDataKey('a probe key of thirty-two characters or more'), withCheckDigit('42010620000202555'), null),
        applied_on: '2026-01-05',
        stage_since: '2026-01-05',
        recorded_by: 'probe',
      })} returning id`;
    // Both counties rated (the recompute the Schedule runs), so the ratings' lists have county B's rows to leak.
    await ratingActivities(s.sql).recomputeRatings({ at: new Date().toISOString(), under: root });
    f = {
      outsideEvidenceId: evidence,
      outsidePartner: gb,
      insideVillage: va,
      outsideSession: `S${b}`,
      othersImportJob: job.json().jobId,
      outsideVillage: vb,
      outsideCounty: b,
      outsideTaskId: task!.id,
      outsideProcessId: processId,
      outsideEscalationId: esc!.id,
      othersNotificationId: note!.id,
      outsideUser: other.username,
      outsideSubstitutionId: substitution!.id,
      outsideViewId: view!.id,
      othersUsername: other.username,
      outsideDeliveryId: delivery!.id,
      outsideMemberId: member!.id,
      outsideGroupId: group!.id,
      outsideApplicantId: applicant!.id,
    };
    // Every role there is, at county A.
    insider = await s.userWith(['admin', 'organizer', 'supervisor', 'secretary', 'liaison_officer'].map((role) => ({ role: role as never, org: a })));
  });
  afterAll(async () => s?.close());

  const apiRoutes = () => s.app.routeTable.filter((r) => r.url.startsWith('/api/v1'));

  it('refuses every non-public route without a token', async () => {
    expect(apiRoutes().length).toBeGreaterThan(5);
    for (const r of apiRoutes()) {
      const url = r.url.replace(/:(\w+)/g, '1');
      const res = await s.app.inject({ method: r.method as 'GET', url, payload: r.method === 'GET' ? undefined : {} });
      expect(PUBLIC[`${r.method} ${r.url}`] ?? [401], `${r.method} ${r.url} answered ${res.statusCode}`).toContain(res.statusCode);
    }
  });

  it('has a scope probe for every route, and no probe reaches county B', async () => {
    const missing = apiRoutes()
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => !(k in PUBLIC) && !(k in PROBES));
    expect(missing, 'routes without a scope probe in tests/integration/route-scope.test.ts').toEqual([]);
    for (const [key, probe] of Object.entries(PROBES)) {
      if (probe === 'self') continue;
      const p = probe(f);
      const res = await s.app.inject({ method: p.method, url: p.url, payload: p.payload, headers: { ...insider, ...p.headers } });
      expect(p.expect, `${key} answered ${res.statusCode}: ${res.body.slice(0, 200)}`).toContain(res.statusCode);
      if (p.leaks && res.statusCode === 200) expect(p.leaks(res.json()), `${key} shows or changes county B`).toBe(false);
    }
    // Nothing of county B changed through any probe.
    const [t] = await s.sql`select state from tasks where id = ${f.outsideTaskId}`;
    expect(t!.state).toBe('open');
  });
});
