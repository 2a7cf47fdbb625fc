import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../src/api/app.js';
import { createSql } from '../../src/db/client.js';
import { loadConfig } from '../../src/config.js';
import { quietLog } from '../helpers/context.js';
import { freePort } from '../../src/runtime/ports.js';

describe('/readyz', () => {
  it('answers 503 naming PostgreSQL or Temporal when one does not answer', async () => {
    const deadPort = await freePort();
    const config = loadConfig({ LOG_LEVEL: 'silent', ORGLIFE_JWT_SECRET: 'a test signing key of some length' });
    const goodSql = createSql(inject('databaseUrl'), { max: 1 });
    const badSql = createSql(`postgres://x:y@127.0.0.1:${deadPort}/none`, { max: 1 });
    const good = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    const bad = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${deadPort}` }) });
    try {
      const noPg = await buildApp({ sql: badSql, temporal: good, config, log: quietLog });
      const r1 = await noPg.inject({ url: '/readyz' });
      expect(r1.statusCode).toBe(503);
      expect(r1.json().error.message).toBe('PostgreSQL not answering');
      expect((await noPg.inject({ url: '/healthz' })).statusCode).toBe(200);
      await noPg.close();

      const noTemporal = await buildApp({ sql: goodSql, temporal: bad, config, log: quietLog });
      const r2 = await noTemporal.inject({ url: '/readyz' });
      expect(r2.statusCode).toBe(503);
      expect(r2.json().error.message).toBe('Temporal not answering');
      await noTemporal.close();
    } finally {
      await goodSql.end();
      await badSql.end({ timeout: 0 });
      await good.connection.close();
    }
  });
});
