// The one place the UI talks to the API. Each endpoint is one function; endpoints other engineers are still
// building are here too, under their names, so a page works once the route lands. Until then they fail with
// `ApiError.notAvailable` (the API's own 404 "no route"), and pages show a "not available yet" notice instead
// of made-up data.

export interface FieldError {
  field?: string;
  row?: number;
  column?: string;
  message: string;
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
  /** The route does not exist on this server (yet): fastify's not-found handler answered. */
  get notAvailable(): boolean {
    return this.status === 404 && this.code === 'not_found' && this.message.startsWith('no route');
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

async function request<T>(method: string, path: string, body?: unknown, init: { contentType?: string; raw?: BodyInit } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
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
  let json: unknown = undefined;
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

// ---- types (mirroring src/api/routes/*) ----

export type Role = 'admin' | 'organizer' | 'supervisor' | 'liaison_officer' | 'secretary';
export interface Me {
  username: string;
  roles: { role: Role; org: string | null }[];
}
export type TaskState = 'open' | 'claimed' | 'done' | 'cancelled' | 'escalated';
export interface Task {
  id: number;
  workflowId: string;
  process: string;
  step: string;
  organization: string;
  organizationName: string;
  assigneeRole: string | null;
  state: TaskState;
  openedAt: string;
  dueAt: string;
  overdue: boolean;
  escalationLevel: number;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface Organization {
  code: string;
  parentCode: string | null;
  name: string;
  type: string;
  sector: string;
  termYears: number | null;
  termStartedOn: string | null;
  termEndsOn: string | null;
  secretaryName: string | null;
  fullMembers: number;
  probationaryMembers: number;
}
export interface ProcessState {
  id: string;
  kind: string;
  organization: string;
  status: string;
  currentStep: string;
  nextDeadline: string | null;
  openTasks: { id: number; step: string; state: string; dueAt: string; assigneeRole: string | null }[];
  history: { at: string; step: string; event: string; detail: Record<string, unknown> }[];
}
export interface TaskQuery {
  state?: TaskState;
  process?: string;
  org?: string;
  overdue?: boolean;
  dueBefore?: string;
  cursor?: string;
  limit?: number;
}

// ---- available today ----

export const login = (username: string, password: string) => request<{ token: string }>('POST', '/api/v1/auth/login', { username, password });
export const getMe = () => request<Me>('GET', '/api/v1/me');
export const listTasks = (q: TaskQuery = {}) => request<Page<Task>>('GET', `/api/v1/tasks${qs({ ...q })}`);
export const completeTask = (id: number, outcome: Record<string, unknown>) =>
  request<{ id: number; state: string }>('POST', `/api/v1/tasks/${id}/complete`, { outcome });
export const getProcess = (id: string) => request<ProcessState>('GET', `/api/v1/processes/${encodeURIComponent(id)}`);
export const startProcess = (kind: string, organization: string) => request<{ id: string }>('POST', `/api/v1/processes/${kind}`, { organization });
export const getOrganization = (code: string) => request<Organization>('GET', `/api/v1/organizations/${encodeURIComponent(code)}`);
export const getChildren = (code: string) => request<{ items: Organization[] }>('GET', `/api/v1/organizations/${encodeURIComponent(code)}/children`);
export const createApiToken = (name: string) => request<{ id: number; token: string }>('POST', '/api/v1/tokens', { name });

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

// ---- coming from the task-mechanism work (contract.md "task actions"; bodies are our best reading of domain.md §3) ----

export const claimTask = (id: number) => request<{ id: number; state: string }>('POST', `/api/v1/tasks/${id}/claim`, {});
// The API names a person (username) or a role as the new assignee, and a new due date (YYYY-MM-DD).
export const reassignTask = (id: number, body: { assignee: string; reason: string }) =>
  request<{ id: number; state: string }>('POST', `/api/v1/tasks/${id}/reassign`, { assigneePerson: body.assignee, reason: body.reason });
export const extendTask = (id: number, body: { dueAt: string; reason: string }) =>
  request<{ id: number; state: string }>('POST', `/api/v1/tasks/${id}/extend`, { dueOn: body.dueAt.slice(0, 10), reason: body.reason });
export const cancelTask = (id: number, body: { reason: string }) => request<{ id: number; state: string }>('POST', `/api/v1/tasks/${id}/cancel`, body);

export type EscalationAction = 'acknowledge' | 'reassign' | 'extend' | 'close';
export const actOnEscalation = (id: number, action: EscalationAction, body: Record<string, unknown> = {}) =>
  request<unknown>('POST', `/api/v1/escalations/${id}/${action}`, body);

export interface OverdueGroup {
  organization: string;
  organizationName: string;
  escalationLevel: number;
  items: Task[];
}

/** GET /api/v1/overdue (grouped by organization and escalation level). */
export const getOverdue = () => request<{ groups: OverdueGroup[] }>('GET', '/api/v1/overdue');

/** Grouping done in the browser from GET /tasks?overdue=true, the same shape /overdue answers with. */
export function groupOverdue(tasks: Task[]): OverdueGroup[] {
  const groups = new Map<string, OverdueGroup>();
  for (const t of tasks) {
    const key = `${t.organization}|${t.escalationLevel}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { organization: t.organization, organizationName: t.organizationName, escalationLevel: t.escalationLevel, items: [] }));
    g.items.push(t);
  }
  return [...groups.values()].sort((a, b) => b.escalationLevel - a.escalationLevel || a.organization.localeCompare(b.organization));
}

/** Overdue work in the caller's subtree: /overdue when the server has it, else today's task filter. */
export async function loadOverdue(): Promise<{ groups: OverdueGroup[]; source: 'overdue' | 'tasks'; truncated: boolean }> {
  try {
    const r = await getOverdue();
    if (Array.isArray(r?.groups)) return { groups: r.groups, source: 'overdue', truncated: false };
  } catch (err) {
    if (!(err instanceof ApiError && err.notAvailable)) throw err;
  }
  const { items, truncated } = await listAllTasks({ overdue: true });
  return { groups: groupOverdue(items), source: 'tasks', truncated };
}

// ---- coming from the organization-import work ----

/** GET /api/v1/organizations?q= */
export const searchOrganizations = (q: string) => request<{ items: Organization[] }>('GET', `/api/v1/organizations${qs({ q })}`);

export interface TermEntry {
  organization: string;
  organizationName: string;
  termEndsOn: string;
}
/** GET /api/v1/terms: the term register, e.g. terms ending before a date in a subtree. */
export const listTerms = (q: { org?: string; endsBefore?: string }) => request<{ items: TermEntry[] }>('GET', `/api/v1/terms${qs(q)}`);

export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
}
export interface ImportJob {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  processed: number;
  total: number;
  result?: ImportSummary;
  errors?: FieldError[];
}
/** POST /api/v1/organizations/import: CSV or XLSX body. 200 summary, or 202 with a job to poll. */
export function importOrganizations(file: File): Promise<ImportSummary | { job: ImportJob }> {
  const xlsx = /\.xlsx$/i.test(file.name);
  const contentType = xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
  return request('POST', '/api/v1/organizations/import', undefined, { raw: file, contentType });
}
/** GET /api/v1/organizations/import/{job}: progress of an asynchronous import. */
export const getImportJob = (id: string) => request<ImportJob>('GET', `/api/v1/organizations/import/${encodeURIComponent(id)}`);

// ---- coming: calendar feed ----

/** The iCalendar feed of the caller's deadlines, authenticated by an API token in the query (for calendar apps). */
export const calendarFeedUrl = (token: string) => `${location.origin}/api/v1/calendar.ics${qs({ token })}`;
/** Whether the server has the feed: its route answers something other than "no route". */
export async function calendarFeedAvailable(): Promise<boolean> {
  const res = await fetch('/api/v1/calendar.ics', { method: 'GET' });
  if (res.status !== 404) return true;
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  return !body.error?.message?.startsWith('no route');
}
