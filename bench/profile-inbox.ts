// Profiles the inbox route in-process, sequentially: `node --cpu-prof --import tsx bench/profile-inbox.ts [N]`.
import { startBenchServers } from './servers.js';
import { seedBusyOfficer, startBenchStack } from './stack.js';

const s = await startBenchServers();
const st = await startBenchStack(s, { worker: false });
const headers = await seedBusyOfficer(s, st);
const n = Number(process.argv[2] ?? 1000);
const inbox = () => st.app.inject({ url: '/api/v1/tasks?state=open&limit=50', headers });
for (let i = 0; i < 100; i++) await inbox();
const t0 = performance.now();
for (let i = 0; i < n; i++) await inbox();
console.log(`${(n / ((performance.now() - t0) / 1000)).toFixed(0)} inbox requests/s, sequential, in-process`);
await st.close();
await s.stop();
