// Builds the production topology's Temporal server into the per-user cache and exits (src/runtime/temporal-binaries.ts):
// started in the background by `npm test -- --cluster-next`, so that the cluster run after it finds the server built.
import { ensureTemporalServer } from '../src/runtime/temporal-binaries.js';

const log = (m: string) => console.log(`[cluster-build] ${m}`);
log(`Temporal server: ${(await ensureTemporalServer(log)).server}`);
