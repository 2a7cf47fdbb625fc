// Profiles the inbox route in-process: `node --cpu-prof --import tsx bench/profile-inbox.ts`.
import { startBenchServers } from './servers.js';
import { startBenchStack } from './stack.js';
import { insertOrganizations } from '../src/organizations/store.js';
import { createUser } from '../src/auth/users.js';

const s = await startBenchServers();
const st = await startBenchStack(s, { worker: false });
await insertOrganizations(s.sql, [
  { code: 'PR', parent_code: '', name: 'x', type: 'committee', sector: 'regional', term_years: 5, term_started_on: '2024-01-01', secretary_name: '', secretary_phone: '', full_members: 10, probationary_members: 0 },
  { code: 'PRV', parent_code: 'PR', name: 'y', type: 'branch', sector: 'rural', term_years: 5, term_started_on: '2024-01-01', secretary_name: '', secretary_phone: '', full_members: 10, probationary_members: 0 },
]);
await s.sql`insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at)
  select 'p', 't' || g, 'term-election', 'election-request', o.id, 'secretary', 'open', now(), now() + g * interval '1 hour'
  from generate_series(1, 2000) g, organizations o where o.code = 'PRV'`;
const [org] = await s.sql<{ id: number }[]>`select id from organizations where code = 'PRV'`;
await createUser(s.sql, { username: 'p-officer', password: 'bench password', roles: [{ role: 'secretary', organizationId: org!.id }] });
const login = await st.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'p-officer', password: 'bench password' } });
const headers = { authorization: `Bearer ${login.json().token}` };
const n = Number(process.argv[2] ?? 1000);
for (let i = 0; i < 100; i++) await st.app.inject({ url: '/api/v1/tasks?state=open&limit=50', headers });
const t0 = performance.now();
for (let i = 0; i < n; i++) await st.app.inject({ url: '/api/v1/tasks?state=open&limit=50', headers });
console.log(`${(n / ((performance.now() - t0) / 1000)).toFixed(0)} req/s sequential in-process`);
const q0 = performance.now();
for (let i = 0; i < n; i++) await s.sql`select t.id from tasks t join organizations o on o.id = t.organization_id where o.path <@ ${s.sql.array(['1.2'])}::ltree[] and t.state = 'open' order by t.due_at, t.id limit 51`;
console.log(`${(n / ((performance.now() - q0) / 1000)).toFixed(0)} list queries/s alone`);
await st.close();
await s.stop();
