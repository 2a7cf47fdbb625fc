// The one place the UI talks to the API: one function per endpoint, checked against src/api/routes/*.ts.
// Response types come from the server's own zod schemas (src/<resource>/schemas.ts, imported as types only: nothing of
// the server enters the bundle) and request bodies from the workflows' message schemas, so a route that changes
// its shape breaks `tsc -p web` instead of the page.
import type { z } from 'zod';
import type * as AssessmentsSchemas from '../../src/assessments/schemas.js';
import type * as AuthSchemas from '../../src/auth/schemas.js';
import type * as MemberSchemas from '../../src/members/schemas.js';
import type * as MemberAppraisalSchemas from '../../src/member-appraisal/schemas.js';
import type * as CalendarSchemas from '../../src/calendar/schemas.js';
import type * as CommentsSchemas from '../../src/comments/schemas.js';
import type * as EscalationsSchemas from '../../src/escalations/schemas.js';
import type * as LiaisonDispatchSchemas from '../../src/liaison-dispatch/schemas.js';
import type * as OrganizationsSchemas from '../../src/organizations/schemas.js';
import type * as PairingSchemas from '../../src/pairing/schemas.js';
import type * as ProcessesSchemas from '../../src/processes/schemas.js';
import type * as RatingsSchemas from '../../src/ratings/schemas.js';
import type * as RecruitmentSchemas from '../../src/recruitment/schemas.js';
import type * as RecruitmentPlanSchemas from '../../src/recruitment/plan-schemas.js';
import type * as LifeSchemas from '../../src/organization-life/schemas.js';
import type * as SubstitutesSchemas from '../../src/substitutes/schemas.js';
import type * as TasksSchemas from '../../src/tasks/schemas.js';
import type * as TermsSchemas from '../../src/organizations/term-schemas.js';
import type * as TrainingSchemas from '../../src/training/schemas.js';
import type * as YearlyReturnsSchemas from '../../src/yearly-returns/schemas.js';
import type * as C from '../../src/channels/schemas.js';
import type { escalationActionBodies, taskActionBodies } from '../../workflows/messages.js';
import type { Sector } from '../../src/organizations/import/columns.js';
import type { StartedByHand } from '../../src/domain/process-starts.js';
import type { memberCategories } from '../../src/domain/members.js';
import type { RecruitmentStage } from '../../src/domain/recruitment/rules.js';

export interface FieldError {
  field?: string;
  row?: number;
  column?: string;
  message: string;
  /** Why, as a word the UI has words for (a password refused by the policy: `too-short`, `common`…). */
  reason?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
    readonly raw?: unknown,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'orglife.token';
let onUnauthorized: () => void = () => {};

export const session = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  set(token: string) {
    localStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
  },
  /** Called when the API answers 401 on an authenticated call (expired or revoked token). */
  onUnauthorized(fn: () => void) {
    onUnauthorized = fn;
  },
};

type Query = Record<string, string | number | boolean | undefined | null>;

function qs(q: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  init: { contentType?: string; raw?: BodyInit; headers?: Record<string, string> } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  const token = session.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (init.raw !== undefined) {
    payload = init.raw;
    headers['content-type'] = init.contentType ?? 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload });
  } catch (err) {
    throw new ApiError(0, 'network', (err as Error).message);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text for the message */
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    const details = Array.isArray(e?.details) ? (e.details as FieldError[]) : [];
    if (res.status === 401 && token) onUnauthorized();
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? (text || res.statusText), details, json);
  }
  return json as T;
}

// ---- types: the server's schemas ----

export type { Role } from '../../src/domain/roles.js';
import type { Role } from '../../src/domain/roles.js';
/** GET /me. The server types a role as a string; the UI knows the five of principal.ts. */
export type Me = Omit<z.infer<typeof AuthSchemas.meSchema>, 'roles'> & { roles: { role: Role; org: string | null }[] };
export type TaskState = z.infer<typeof TasksSchemas.taskStateSchema>;
/** A task as GET /tasks lists it, with the actions the caller may take on it now. */
export type Task = z.infer<typeof TasksSchemas.taskListItemSchema>;
export type TaskAction = z.infer<typeof TasksSchemas.taskActionSchema>;
/** GET /tasks/{id}: the task, its catalog step, its context, the caller's actions, escalations, history. */
export type TaskDetail = z.infer<typeof TasksSchemas.taskDetailSchema>;
export type HistoryEntry = TaskDetail['history'][number];
export type TaskView = z.infer<typeof TasksSchemas.taskViewSchema>;
export type Organization = z.infer<typeof OrganizationsSchemas.organizationSchema>;
export type ProcessState = z.infer<typeof ProcessesSchemas.processSchema>;
/** POST /processes/{kind}'s answer: the process where its run settled, with its first tasks. */
export type ProcessStarted = z.infer<typeof ProcessesSchemas.processStartedSchema>;
export type Term = z.infer<typeof TermsSchemas.termSchema>;
export type Overdue = z.infer<typeof EscalationsSchemas.overdueSchema>;
export type Escalation = z.infer<typeof EscalationsSchemas.escalationSchema>;
export type ImportSummary = z.infer<typeof OrganizationsSchemas.importResultSchema>;
export type ImportJob = z.infer<typeof OrganizationsSchemas.importJobSchema>;
export type BulkResult = z.infer<typeof ProcessesSchemas.bulkResultSchema>;
export type TrainingCoverage = z.infer<typeof TrainingSchemas.trainingCoverageSchema>['items'][number];
export type LiaisonCoverage = z.infer<typeof LiaisonDispatchSchemas.liaisonCoverageSchema>['items'][number];
export type PairingCoverage = z.infer<typeof PairingSchemas.pairingCoverageSchema>['items'][number];
export type Unit = z.infer<typeof OrganizationsSchemas.unitSchema>;
export type AssessmentRun = z.infer<typeof AssessmentsSchemas.assessmentRunSchema>;
export type RatingList = z.infer<typeof RatingsSchemas.ratingListSchema>;
export type RatingColor = RatingList['items'][number]['color'];
export type RatingMatrix = z.infer<typeof RatingsSchemas.ratingMatrixSchema>;
export type OverdueTrend = z.infer<typeof RatingsSchemas.overdueTrendSchema>;
export type RatingHistory = z.infer<typeof RatingsSchemas.ratingHistorySchema>;
export type AssessmentCounties = z.infer<typeof AssessmentsSchemas.assessmentCountiesSchema>;
export type TermPlan = z.infer<typeof TermsSchemas.termPlanSchema>;
export type OverdueReport = z.infer<typeof TermsSchemas.overdueReportSchema>;
export type AssessmentCounty = z.infer<typeof AssessmentsSchemas.assessmentCountySchema>;
export type AssessmentOrganizations = z.infer<typeof AssessmentsSchemas.assessmentOrganizationsSchema>;
export type AssessmentOrganization = z.infer<typeof AssessmentsSchemas.assessmentOrganizationSchema>;
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// ---- auth and the caller ----

/** POST /auth/login */
export const login = (username: string, password: string) =>
  request<{ token: string; expiresIn: number }>('POST', '/api/v1/auth/login', { username, password });
/** POST /auth/task-link: a message's link spent for a session held to its one task. */
export const redeemTaskLink = (token: string) => request<{ token: string; expiresIn: number; taskId: number }>('POST', '/api/v1/auth/task-link', { token });
/** GET /me */
export const getMe = () => request<Me>('GET', '/api/v1/me');
/** POST /auth/logout: the server ends this session, so no copy of the token outlives the sign-out. */
export const endSession = () => request<{ ended: string }>('POST', '/api/v1/auth/logout');
/** POST /auth/password: every session of the user ends; the answer is a new one for this browser. */
export const changePassword = (currentPassword: string, newPassword: string) =>
  request<{ token: string; expiresIn: number }>('POST', '/api/v1/auth/password', { currentPassword, newPassword });

// ---- tasks ----

/** GET /tasks: query as in tasks.ts listQuery (booleans travel as 'true' / 'false'). */
export interface TaskQuery {
  state?: TaskState;
  process?: string;
  /** organization code: tasks in its subtree */
  org?: string;
  overdue?: boolean;
  /** ISO date or date-time */
  dueBefore?: string;
  /** only tasks the caller holds (claimed, delegated, or assigned to a role the caller holds there) */
  mine?: boolean;
  dueAfter?: string;
  step?: string;
  /** at least this escalation level */
  escalationLevel?: number;
  rating?: TaskFilter['rating'];
  cursor?: string;
  limit?: number;
}
export const listTasks = (q: TaskQuery = {}) => request<Page<Task>>('GET', `/api/v1/tasks${qs({ ...q })}`);

/** Every page of a task query (bounded: dashboards show counts, not 150,000 rows). */
export async function listAllTasks(q: TaskQuery, maxPages = 10): Promise<{ items: Task[]; truncated: boolean }> {
  const items: Task[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await listTasks({ ...q, limit: 500, cursor });
    items.push(...page.items);
    if (!page.nextCursor) return { items, truncated: false };
    cursor = page.nextCursor;
  }
  return { items, truncated: true };
}

/** GET /tasks/{id}: 404 outside the caller's organizations. */
export const getTask = (id: number) => request<TaskDetail>('GET', `/api/v1/tasks/${id}`);

type TaskBody<A extends keyof typeof taskActionBodies> = z.input<(typeof taskActionBodies)[A]>;
/** POST /tasks/{id}/{action}: each answers the task as the workflow now sees it. */
const taskAction = <A extends keyof typeof taskActionBodies>(id: number, action: A, body: TaskBody<A>) =>
  request<TaskView>('POST', `/api/v1/tasks/${id}/${action}`, body);
export const completeTask = (id: number, outcome: Record<string, unknown>) => taskAction(id, 'complete', { outcome });
export const claimTask = (id: number) => taskAction(id, 'claim', {});
export const unclaimTask = (id: number) => taskAction(id, 'unclaim', {});
/** A person (username) or a role at the task's organization becomes the assignee. */
export const reassignTask = (id: number, body: TaskBody<'reassign'>) => taskAction(id, 'reassign', body);
/** A new due date (YYYY-MM-DD, the deadline closes at the end of that office day). */
export const extendTask = (id: number, body: TaskBody<'extend'>) => taskAction(id, 'extend', body);
export const cancelTask = (id: number, body: TaskBody<'cancel'>) => taskAction(id, 'cancel', body);

// ---- 一键催办, batches, saved views ----

export type TaskFilter = z.infer<typeof TasksSchemas.taskFilterSchema>;
export type BatchResult = z.infer<typeof TasksSchemas.batchResultSchema>;
export type SavedView = z.infer<typeof TasksSchemas.savedViewSchema>;
export type NudgeResult = z.infer<typeof TasksSchemas.nudgeResultSchema>;
/** A key per user action: a retry of the same click (network) acts once. */
const idem = () => ({ 'idempotency-key': crypto.randomUUID() });
export type MissingReturns = z.infer<typeof YearlyReturnsSchemas.missingReturnsSchema>;
export type ReturnNudgeResult = z.infer<typeof YearlyReturnsSchemas.returnNudgeResultSchema>;
/** GET /returns/{year}/missing: the organizations whose yearly return of the year is missing. */
export const getMissingReturns = (year: number, org?: string) =>
  request<MissingReturns>('GET', `/api/v1/returns/${year}/missing${org ? `?org=${encodeURIComponent(org)}` : ''}`);
/** POST /returns/{year}/nudges: 催报 to the secretaries of every missing filer (under `org`). */
export const nudgeReturns = (year: number, body: { org?: string; message?: string }) =>
  request<ReturnNudgeResult>('POST', `/api/v1/returns/${year}/nudges`, body, { headers: idem() });
/** POST /nudges: everyone holding a live task under the filter gets one message. */
export const nudge = (filter: TaskFilter, message?: string) =>
  request<NudgeResult>('POST', '/api/v1/nudges', { filter, ...(message ? { message } : {}) }, { headers: idem() });
/** POST /tasks/bulk/{action}: each item done or refused by itself. */
export const bulkTasks = <A extends 'claim' | 'reassign' | 'extend'>(action: A, ids: number[], input: TaskBody<A>) =>
  request<BatchResult>('POST', `/api/v1/tasks/bulk/${action}`, { ids, input }, { headers: idem() });
export const bulkEscalations = <A extends 'acknowledge' | 'close'>(action: A, ids: number[], input: z.input<(typeof escalationActionBodies)[A]>) =>
  request<BatchResult>('POST', `/api/v1/escalations/bulk/${action}`, { ids, input }, { headers: idem() });
export const listViews = () => request<{ items: SavedView[] }>('GET', '/api/v1/views');
export const saveView = (body: { name: string; filter: TaskFilter; sharedWith: string | null }) => request<SavedView>('POST', '/api/v1/views', body);
export const deleteView = (id: number) => request<SavedView>('DELETE', `/api/v1/views/${id}`);

// ---- escalations and the overdue dashboard ----

export type EscalationAction = keyof typeof escalationActionBodies;
/** GET /escalations: escalations that went to a committee in the caller's subtree, newest first. */
export const listEscalations = (q: { state?: Escalation['state']; limit?: number } = {}) =>
  request<{ items: Escalation[] }>('GET', `/api/v1/escalations${qs(q)}`);
/** POST /escalations/{id}/{action}: acknowledge (reason optional), close (reason), reassign, extend. */
export const actOnEscalation = <A extends EscalationAction>(id: number, action: A, body: z.input<(typeof escalationActionBodies)[A]>) =>
  request<TaskView>('POST', `/api/v1/escalations/${id}/${action}`, body);
/** GET /overdue: overdue counts per organization and escalation level in the caller's subtree (or under `org`). */
export const getOverdue = (q: { org?: string; limit?: number } = {}) => request<Overdue>('GET', `/api/v1/overdue${qs(q)}`);

// ---- processes ----

/** The kinds a person starts (src/domain/process-starts.ts, read by POST /processes/{kind} too). */
export type ProcessKind = StartedByHand;
/** POST /processes/{kind}: 201 with the process once its run settled (its first task); 409 names the running process in error.details.id. */
export const startProcess = (
  kind: ProcessKind,
  organization: string,
  extra: { ruleSet?: string; secretary?: string; partner?: string; startsOn?: string } = {},
) => request<ProcessStarted>('POST', `/api/v1/processes/${kind}`, { organization, ...extra });
/** POST /training/secretary-changes: a new secretary closes the current training cycle and opens a new one (409: none running). */
export const recordSecretaryChange = (organization: string, secretary: string, reason?: string) =>
  request<{ closedCycle: number }>('POST', '/api/v1/training/secretary-changes', { organization, secretary, ...(reason ? { reason } : {}) });
/** GET /processes/{id} */
export const getProcess = (id: string) => request<ProcessState>('GET', `/api/v1/processes/${encodeURIComponent(id)}`);

// ---- organizations, terms, units ----

export const getOrganization = (code: string) => request<Organization>('GET', `/api/v1/organizations/${encodeURIComponent(code)}`);
export const getChildren = (code: string) => request<{ items: Organization[] }>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/children`);
/** GET /organizations: search the caller's subtree by name (q), type, sector, or `under` a code. */
export const searchOrganizations = (q: { q?: string; under?: string; type?: string; sector?: string; cursor?: string; limit?: number }) =>
  request<Page<Organization>>('GET', `/api/v1/organizations${qs(q)}`);
/** GET /terms: the term register by end date, in the caller's subtree (or `under` a code). */
export const listTerms = (q: { under?: string; endsFrom?: string; endsTo?: string; overdue?: boolean; cursor?: string; limit?: number }) =>
  request<Page<Term>>('GET', `/api/v1/terms${qs(q)}`);

/** GET /units: units without a Party organization (liaison dispatch targets), with their current officer. */
export const listUnits = (q: { under?: string; cursor?: string; limit?: number } = {}) => request<Page<Unit>>('GET', `/api/v1/units${qs(q)}`);

// ---- training, liaison and pairing ----

/** GET /training/coverage: per county, the share of secretaries trained in their current cycle. */
export const getTrainingCoverage = (q: { org?: string } = {}) =>
  request<z.infer<typeof TrainingSchemas.trainingCoverageSchema>>('GET', `/api/v1/training/coverage${qs(q)}`);
/** GET /liaison/coverage: per county, units with an officer (应派尽派) and eligible units established (应建尽建). */
export const getLiaisonCoverage = (q: { org?: string } = {}) =>
  request<z.infer<typeof LiaisonDispatchSchemas.liaisonCoverageSchema>>('GET', `/api/v1/liaison/coverage${qs(q)}`);
/** GET /pairing/coverage: per county, villages with an active urban–rural pairing and the deliverables of their cycles. */
export const getPairingCoverage = (q: { org?: string } = {}) =>
  request<z.infer<typeof PairingSchemas.pairingCoverageSchema>>('GET', `/api/v1/pairing/coverage${qs(q)}`);
/** POST /training-sessions: 201 { code } */
export const createTrainingSession = (body: { code: string; organization: string; title: string; startsOn: string; endsOn: string; capacity?: number }) =>
  request<{ code: string }>('POST', '/api/v1/training-sessions', body);
/** POST /training-sessions/{code}/enrolments: enrol the secretaries of many organizations; each done or refused on its own. */
export const enrolInSession = (session: string, organizations: string[]) =>
  request<BulkResult>('POST', `/api/v1/training-sessions/${encodeURIComponent(session)}/enrolments`, { organizations });

// ---- organization import ----

/**
 * POST /organizations/import: CSV or XLSX body. Synchronous: 200 with the summary. With `async`, 202 { jobId }
 * and the job is polled (a progress bar for big files). Refusals carry row errors in error.details.
 */
export function importOrganizations(file: File, opts: { async?: boolean } = {}): Promise<ImportSummary | { jobId: string }> {
  return request('POST', `/api/v1/organizations/import${qs({ async: opts.async ? 'true' : undefined })}`, undefined, {
    raw: file,
    contentType: sheetType(file),
  });
}
/** An uploaded spreadsheet's content type, by its name: XLSX, else CSV (the server tells UTF-8 from GBK itself). */
const sheetType = (file: File) => (/\.xlsx$/i.test(file.name) ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv');
/** GET /organizations/import/{jobId}: progress and outcome of an asynchronous import. */
export const getImportJob = (jobId: string) => request<ImportJob>('GET', `/api/v1/organizations/import/${encodeURIComponent(jobId)}`);

// ---- calendar feed ----

/** POST /calendar/token: issues (or rotates) the caller's feed token; `url` is the feed's path. */
export const issueCalendarToken = () => request<{ token: string; url: string }>('POST', '/api/v1/calendar/token');
/** The feed's absolute address, for calendar apps. */
export const calendarFeedUrl = (path: string) => `${location.origin}${path}`;
export type CalendarYears = z.infer<typeof CalendarSchemas.calendarYearsSchema>;
export type HolidayLoad = z.infer<typeof CalendarSchemas.holidayLoadSchema>;
/** GET /calendar/years: which years have holiday data, and the open tasks planned provisionally for each. */
export const getCalendarYears = () => request<CalendarYears>('GET', '/api/v1/calendar/years');
/** POST /calendar/years/{year}/import: the State Council's notice as ICS, CSV or XLSX (admins); re-plans provisional tasks. */
export function loadHolidayYear(year: number, file: File, note?: string): Promise<HolidayLoad> {
  const contentType = /\.ics$/i.test(file.name) ? 'text/calendar' : sheetType(file);
  return request('POST', `/api/v1/calendar/years/${year}/import${qs({ note })}`, undefined, { raw: file, contentType });
}

// ---- ratings 三色管理 ----

/** GET /ratings: the organizations of one colour (表扬 / 提醒 / 预警) in the caller's subtree, and the counts. */
export const getRatings = (color: RatingColor, under?: string) => request<RatingList>('GET', `/api/v1/ratings${qs({ color, under })}`);
/** GET /ratings/matrix: per county, its organizations by colour. */
export const getRatingMatrix = () => request<RatingMatrix>('GET', '/api/v1/ratings/matrix');
/** GET /ratings/overdue-trend: overdue work at the end of each of the last weeks. */
export const getOverdueTrend = (weeks = 12) => request<OverdueTrend>('GET', `/api/v1/ratings/overdue-trend${qs({ weeks })}`);
/** GET /organizations/{code}/ratings: an organization's rating over time. */
export const getRatingHistory = (code: string) => request<RatingHistory>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/ratings`);

// ---- yearly assessment and ranking ----

/** POST /assessments/{year}/run (admin): 202 { id }; 409 while that year's run is going. */
export const runAssessment = (year: number) => request<{ id: string }>('POST', `/api/v1/assessments/${year}/run`);
/** GET /assessments/{year}/counties: the caller's counties with their province-wide rank; 404 when the year has no run. */
/** 年度换届计划: the terms of the caller's subtree ending in `year`; `termPlanPath` is its download. */
export const getTermPlan = (year: number) => request<TermPlan>('GET', `/api/v1/term-election/plan${qs({ year })}`);
export const termPlanPath = (year: number, format: 'csv' | 'xlsx') => `/api/v1/term-election/plan${qs({ year, format })}`;
/** 未按期换届: terms past their end without a renewal or a running postponement. */
export const getOverdueReport = () => request<OverdueReport>('GET', '/api/v1/term-election/overdue-report');
export const overdueReportPath = (format: 'csv' | 'xlsx') => `/api/v1/term-election/overdue-report${qs({ format })}`;
export const getAssessmentCounties = (year: number) => request<AssessmentCounties>('GET', `/api/v1/assessments/${year}/counties`);
export interface AssessmentOrgQuery {
  /** organization code (a county): its organizations */
  under?: string;
  sector?: Sector;
  limit?: number;
  offset?: number;
}
/** GET /assessments/{year}/organizations: the drill-down, organizations with their indicators and sector rank. */
export const getAssessmentOrganizations = (year: number, q: AssessmentOrgQuery = {}) =>
  request<AssessmentOrganizations>('GET', `/api/v1/assessments/${year}/organizations${qs({ ...q })}`);
/** The address of a ranking download (format=csv|xlsx); fetched with the caller's token by `download`. */
export const assessmentExportPath = (year: number, view: 'counties' | 'organizations', format: 'csv' | 'xlsx', q: AssessmentOrgQuery = {}) =>
  `/api/v1/assessments/${year}/${view}${qs({ ...(view === 'organizations' ? { under: q.under, sector: q.sector } : {}), format })}`;

/**
 * Saves an API answer as a file. A plain link cannot carry the Bearer header, so the file is fetched with it and
 * handed to the browser as an object URL on a temporary <a download>; the name is the server's (content-disposition).
 */
export async function download(path: string, fallbackName: string): Promise<string> {
  const headers: Record<string, string> = {};
  const token = session.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { headers });
  } catch (err) {
    throw new ApiError(0, 'network', (err as Error).message);
  }
  if (!res.ok) {
    const text = await res.text();
    let e: { code?: string; message?: string } | undefined;
    try {
      e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      /* not JSON */
    }
    if (res.status === 401 && token) onUnauthorized();
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? (text || res.statusText));
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked once the browser has taken the file.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

// ---- the pickers' searches (web/src/picker.tsx) ----

export type UserPick = z.infer<typeof AuthSchemas.userPickSchema>;
export type SessionPick = z.infer<typeof TrainingSchemas.sessionPickSchema>;
/** GET /users: people holding a role in the caller's subtree, by name, username or pinyin initials. */
export const searchUsers = (q: { q?: string; role?: string; under?: string; task?: number; process?: string; holderOf?: number; limit?: number }) =>
  request<{ items: UserPick[] }>('GET', `/api/v1/users${qs(q)}`);
/** GET /training-sessions: sessions held in the caller's subtree or with its enrolments, by title or pinyin initials. */
export const searchSessions = (q: { q?: string; limit?: number }) => request<{ items: SessionPick[] }>('GET', `/api/v1/training-sessions${qs(q)}`);

// ---- urban–rural pairing: evidence files and milestones (src/api/routes/pairing.ts) ----

export interface EvidenceUploaded {
  id: string;
  sha256: string;
  size: number;
  filename: string;
  deliverable: string;
}
/**
 * POST /pairing/evidence: the file itself as the body. Through XMLHttpRequest, not fetch, for the upload's
 * progress (fetch reports none); errors as `request` throws them (413 too large, 400 naming the field).
 */
export function uploadEvidence(
  q: { organization: string; deliverable: string },
  file: File,
  onProgress: (sent: number, total: number) => void,
): Promise<EvidenceUploaded> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/pairing/evidence${qs({ ...q, filename: file.name })}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    const token = session.token;
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload did not reach the server'));
    xhr.onload = () => {
      let json: unknown;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as EvidenceUploaded);
      const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      if (xhr.status === 401 && token) onUnauthorized();
      reject(
        new ApiError(
          xhr.status,
          e?.code ?? `http_${xhr.status}`,
          e?.message ?? (xhr.responseText || xhr.statusText),
          Array.isArray(e?.details) ? (e.details as FieldError[]) : [],
          json,
        ),
      );
    };
    xhr.send(file);
  });
}
/** POST /pairing/milestones: a milestone of a deliverable, with the evidence files (ids from the upload) it rests on. */
export const recordMilestone = (body: {
  organization: string;
  deliverable: string;
  milestone: string;
  achievedOn: string;
  note?: string;
  evidence: string[];
}) => request<{ cycle: number; milestones: number }>('POST', '/api/v1/pairing/milestones', body);

// Comments, substitutes, an organization's life.
export type Comment = z.infer<typeof CommentsSchemas.commentSchema>;
export const listTaskComments = (id: number) => request<{ items: Comment[] }>('GET', `/api/v1/tasks/${id}/comments`);
export const commentOnTask = (id: number, body: { text: string; mentions: string[] }) => request<Comment>('POST', `/api/v1/tasks/${id}/comments`, body);
export const commentOnProcess = (id: string, body: { text: string; mentions: string[] }) =>
  request<Comment>('POST', `/api/v1/processes/${encodeURIComponent(id)}/comments`, body);
/** GET /processes/{id}/comments: the comments on the whole process (not its tasks'), oldest first. */
export const processComments = (id: string) => request<{ items: Comment[] }>('GET', `/api/v1/processes/${encodeURIComponent(id)}/comments`);
export type Substitution = z.infer<typeof SubstitutesSchemas.substitutionSchema>;
export const listSubstitutions = () => request<{ items: Substitution[] }>('GET', '/api/v1/substitutions');
export const nameSubstitute = (body: { user?: string; substitute: string; startsOn: string; endsOn: string; reason?: string }) =>
  request<Substitution>('POST', '/api/v1/substitutions', body);
export const revokeSubstitution = (id: number) => request<Substitution>('POST', `/api/v1/substitutions/${id}/revoke`);
export type OrganizationLife = z.infer<typeof OrganizationsSchemas.organizationLifeSchema>;
export const getOrganizationLife = (code: string) => request<OrganizationLife>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/life`);
// ---- channels: the delivery log, resend, the caller's channel choice, contact points ----
export type Delivery = z.infer<typeof C.deliverySchema>;
export type ChannelPreferences = z.infer<typeof C.prefsSchema>;
export type Contacts = z.infer<typeof C.contactOut>;
export const getDeliveries = (q: { status?: string; limit?: number } = {}) =>
  request<{ items: Delivery[]; nextCursor: number | null }>('GET', `/api/v1/channel-deliveries${qs(q)}`);
export const resendDelivery = (id: number) => request<{ id: number; resentFrom: number }>('POST', `/api/v1/channel-deliveries/${id}/resend`);
export const getChannelPreferences = () => request<ChannelPreferences>('GET', '/api/v1/me/channel-preferences');
export const putChannelPreferences = (p: ChannelPreferences) => request<ChannelPreferences>('PUT', '/api/v1/me/channel-preferences', p);
/** POST /users/contacts/import: the roster's contact points as CSV; all rows or none (errors by row and column). */
export const importContacts = (file: File) =>
  request<{ updated: number }>('POST', '/api/v1/users/contacts/import', undefined, { raw: file, contentType: sheetType(file) });
export const getContacts = (username: string) => request<Contacts>('GET', `/api/v1/users/${encodeURIComponent(username)}/contacts`);
export const putContacts = (username: string, c: Partial<Omit<Contacts, 'username'>>) =>
  request<Contacts>('PUT', `/api/v1/users/${encodeURIComponent(username)}/contacts`, c);

// ---- the member register (src/api/routes/members.ts, member-export.ts) ----

// The register's answers as src/members/schemas.ts declares them.
type MemberCategory = (typeof memberCategories)[number];
/** A member as a register lists them: phone and 身份证号 masked unless revealed. */
export type MemberSummary = z.infer<typeof MemberSchemas.memberSummarySchema>;
/** GET /members/{id}: the record, and which fields this answer unmasked. */
export type Member = z.infer<typeof MemberSchemas.memberSchema>;
export type MemberList = z.infer<typeof MemberSchemas.memberListSchema>;
/** A line of a member's history: registered, updated (by an import), status-changed, moved, linked. */
export type MemberEvent = z.infer<typeof MemberSchemas.memberEventSchema>;
export type MemberImportResult = z.infer<typeof MemberSchemas.memberImportResultSchema>;
export type MemberCounts = z.infer<typeof MemberSchemas.memberCountsSchema>;
/** The personal fields a caller may ask unmasked (`reveal`): each read is audited server-side. */
export type PersonalField = 'idNumber' | 'phone';
export interface MemberQuery {
  /** a part of the name, or pinyin initials */
  q?: string;
  status?: Member['status'];
  category?: Member['category'];
  /** only the members of this 党小组 today */
  group?: number;
  reveal?: PersonalField;
  cursor?: string;
  limit?: number;
}
/** GET /organizations/{code}/members: a branch's register by name; masked unless `reveal` (and the role allows). */
export const listMembers = (code: string, q: MemberQuery = {}) =>
  request<MemberList>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/members${qs({ ...q })}`);
/** GET /organizations/{code}/members/counts: the subtree's members by status and category. */
export const getMemberCounts = (code: string) => request<MemberCounts>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/members/counts`);
/** The address of the register's XLSX (the same search, filters and `reveal` as the page); fetched by `download`. */
export const memberExportPath = (code: string, q: Omit<MemberQuery, 'cursor' | 'limit'>) =>
  `/api/v1/organizations/${encodeURIComponent(code)}/members.xlsx${qs({ ...q })}`;
/** GET /members/{id}: a member's record (masked but the fields of `reveal`). */
export const getMember = (id: number, reveal: PersonalField[] = []) => request<Member>('GET', `/api/v1/members/${id}${qs({ reveal: reveal.join(',') })}`);
/** GET /members/{id}/history */
export const getMemberHistory = (id: number) => request<{ items: MemberEvent[] }>('GET', `/api/v1/members/${id}/history`);
/** GET /members/{id}/appraisals: the member's 民主评议 grades, newest year first. */
export type MemberAppraisal = z.output<typeof MemberAppraisalSchemas.memberAppraisalSchema>;
export const getMemberAppraisals = (id: number) => request<{ items: MemberAppraisal[] }>('GET', `/api/v1/members/${id}/appraisals`);
/** POST /members/{id}/status: register keepers; 409 when the member has that status already. */
export const recordMemberStatus = (id: number, body: { status: Member['status']; since?: string; reason: string }) =>
  request<Member>('POST', `/api/v1/members/${id}/status`, body);
/** POST /members/{id}/away: a member registered as away (流动) or abroad, with where; their period away runs as a process. */
export const registerMemberAway = (
  id: number,
  body: { kind: 'away' | 'abroad'; place: string; since?: string; contactName?: string; contactPhone?: string; reason?: string },
) => request<{ workflowId: string }>('POST', `/api/v1/members/${id}/away`, body);
/** PUT /members/{id}/user: links the member to the user they sign in as (null unlinks). */
export const linkMemberUser = (id: number, username: string | null) => request<Member>('PUT', `/api/v1/members/${id}/user`, { username });
/** A branch's 党小组 with its leader and members (src/api/routes/party-groups.ts). */
export type PartyGroup = z.infer<typeof MemberSchemas.partyGroupSchema>;
export const listPartyGroups = (code: string) => request<{ items: PartyGroup[] }>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/party-groups`);
export const createPartyGroup = (code: string, body: { name: string; leaderId?: number | null }) =>
  request<PartyGroup>('POST', `/api/v1/organizations/${encodeURIComponent(code)}/party-groups`, body);
export const updatePartyGroup = (id: number, body: { name?: string; leaderId?: number | null }) =>
  request<PartyGroup>('PATCH', `/api/v1/party-groups/${id}`, body);
export const deletePartyGroup = (id: number) => request<{ id: number; name: string }>('DELETE', `/api/v1/party-groups/${id}`);
export const dissolvePartyGroup = (id: number, on: string) =>
  request<{ id: number; dissolvedOn: string }>('POST', `/api/v1/party-groups/${id}/dissolve`, { on });
/** PUT /members/{id}/party-group: the member placed in a group of their branch (null: out of theirs). */
export const setMemberPartyGroup = (id: number, groupId: number | null) => request<Member>('PUT', `/api/v1/members/${id}/party-group`, { groupId });
/** GET /me/member: the caller's own record, unmasked (404 when no member is linked to them). */
export const getMyMember = () => request<Member>('GET', '/api/v1/me/member');
/** POST /members/import: a member-system export (CSV UTF-8 or GBK, or XLSX); refusals carry row and column. */
export const importMembers = (file: File) =>
  request<MemberImportResult>('POST', '/api/v1/members/import', undefined, { raw: file, contentType: sheetType(file) });

// ---- 组织关系转接 (src/api/routes/member-transfers.ts) ----

export type MemberTransfer = z.infer<typeof MemberSchemas.transferSchema>;
export type TransferStarted = z.infer<typeof MemberSchemas.transferStartedSchema>;
interface Letter {
  letterNumber?: string;
  validUntil?: string;
  reason?: string;
}
/** POST /members/{id}/transfers: the sending side issues the transfer, to an organization (`to`) or outside the province. */
export const issueTransfer = (id: number, body: Letter & ({ to: string } | { outside: string })) =>
  request<TransferStarted>('POST', `/api/v1/members/${id}/transfers`, body);
/** POST /members/transfers/incoming: the receiving side records a member who came with a letter from outside. */
export const recordIncoming = (
  body: Letter & {
    to: string;
    outside: string;
    member: {
      name: string;
      gender: 'male' | 'female';
      idNumber: string;
      joinedOn: string;
      fullOn?: string;
      category: MemberCategory;
      phone?: string;
    };
  },
) => request<TransferStarted>('POST', '/api/v1/members/transfers/incoming', body);
/** GET /organizations/{code}/transfers: the register's transfers both ways, newest first. */
export const listTransfers = (code: string) => request<{ items: MemberTransfer[] }>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/transfers`);

// ---- 发展党员 (src/api/routes/recruitment.ts) ----

/** An applicant as GET /organizations/{code}/applicants lists them: stage, since when, what the case waits for. */
export type Applicant = z.infer<typeof RecruitmentSchemas.applicantSchema>;
/** GET /me/application: the caller's own case with its history. */
export type ApplicationCase = z.infer<typeof RecruitmentSchemas.caseSchema>;
export type NewApplication = z.input<typeof RecruitmentSchemas.applicationBody>;
/** POST /organizations/{code}/applicants: records the application and starts the case; 422 by field. */
export const recordApplication = (code: string, body: NewApplication) =>
  request<{ id: number; workflowId: string }>('POST', `/api/v1/organizations/${encodeURIComponent(code)}/applicants`, body);
/** GET /organizations/{code}/applicants: the subtree's applicants, open cases first. */
export const listApplicants = (code: string, stage?: RecruitmentStage) =>
  request<{ items: Applicant[] }>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/applicants${qs({ stage })}`);
/** PUT /applicants/{id}/user: the user the applicant signs in as (null unlinks); 422 for no such user. */
export const linkApplicantUser = (id: number, username: string | null) => request<Applicant>('PUT', `/api/v1/applicants/${id}/user`, { username });
/** GET /me/application: 404 when the caller has no application. */
export const getMyApplication = () => request<ApplicationCase>('GET', '/api/v1/me/application');

// ---- 发展党员计划 and the seed's targets (src/api/routes/recruitment-plan.ts) ----

export type RecruitmentPlan = z.infer<typeof RecruitmentPlanSchemas.planSchema>;
export type VillageTargets = z.infer<typeof RecruitmentPlanSchemas.villageTargetsSchema>;
export type RecruitmentNudgeResult = z.infer<typeof RecruitmentPlanSchemas.recruitmentNudgeResult>;
/** GET /organizations/{code}/recruitment-plan/{year}: its allocation and each organization's directly under it. */
export const getRecruitmentPlan = (code: string, year: number) =>
  request<RecruitmentPlan>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/recruitment-plan/${year}`);
/** PUT /organizations/{code}/recruitment-plan/{year}: enters (a county) or allocates the plan; 422 by field when over. */
export const allocateRecruitmentPlan = (code: string, year: number, allocations: { organization: string; admissions: number }[]) =>
  request<RecruitmentPlan>('PUT', `/api/v1/organizations/${encodeURIComponent(code)}/recruitment-plan/${year}`, { allocations });
/** GET /organizations/{code}/recruitment-targets: each village against the seed's targets, from the cases. */
export const getVillageTargets = (code: string, year?: number, after?: string) =>
  request<VillageTargets>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/recruitment-targets${qs({ year, after })}`);
/** POST /organizations/{code}/recruitment-nudges: 一键催办 of the villages missing a target, or of those behind their plan. */
export const nudgeRecruitment = (code: string, body: { year: number; list: 'targets' | 'plan'; message?: string }) =>
  request<RecruitmentNudgeResult>('POST', `/api/v1/organizations/${encodeURIComponent(code)}/recruitment-nudges`, body, { headers: idem() });

// ---- 三会一课 (src/api/routes/meetings.ts) ----

export type Meeting = z.infer<typeof LifeSchemas.meetingSchema>;
export type MeetingCompleteness = z.infer<typeof LifeSchemas.completenessSchema>;
/** GET /organizations/{code}/meetings: a branch's meetings of a year, newest first. */
export const getMeetings = (code: string, year?: number) =>
  request<{ meetings: Meeting[] }>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/meetings${qs({ year })}`);
/** POST /organizations/{code}/meeting-spot-checks: a spot-check of a branch's records of a period, a task for the committee above. */
export const spotCheckMeetings = (code: string, period: string) =>
  request<{ taskKey: string }>('POST', `/api/v1/organizations/${encodeURIComponent(code)}/meeting-spot-checks`, { period });
/** GET /organizations/{code}/meeting-completeness: a period's held, late, missing and open under it (steering roles only). */
export const getMeetingCompleteness = (code: string, period: string) =>
  request<MeetingCompleteness>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/meeting-completeness${qs({ period })}`);
