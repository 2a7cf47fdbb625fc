// `npm run orglife -- <command>` and `npm run migrate`.
import { createLogger } from '../runtime/logger.js';
import { ConfigError, loadConfig } from '../config.js';
import { createSql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../runtime/postgres.js';
import { join } from 'node:path';
import { CliFailure, organizationCommands } from './organizations.js';
import { backupCommands } from './backup.js';

const commands: Record<string, { help: string; run: (args: string[]) => Promise<void> }> = {
  migrate: {
    help: 'apply pending migrations, then exit',
    async run() {
      const cfg = loadConfig();
      const log = createLogger({ level: cfg.LOG_LEVEL });
      const pg = cfg.DATABASE_URL
        ? { url: cfg.DATABASE_URL, stop: async () => {} }
        : await startEmbeddedPostgres(join(cfg.dataDir, 'postgres'), cfg.ORGLIFE_PG_PORT, (m) => log.info(m));
      const sql = createSql(pg.url, { max: 1 });
      try {
        const applied = await migrate(sql, (m) => log.info(m));
        console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'nothing to apply: the schema is current');
      } finally {
        await sql.end();
        await pg.stop();
      }
    },
  },
  ...organizationCommands,
  ...backupCommands,
};

const [name, ...args] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  console.error(
    `usage: npm run orglife -- <command>\n${Object.entries(commands)
      .map(([n, c]) => `  ${n.padEnd(10)} ${c.help}`)
      .join('\n')}`,
  );
  process.exit(2);
}
try {
  await command.run(args);
} catch (err) {
  if (err instanceof CliFailure) {
    console.error(err.message);
    process.exit(err.exitCode);
  }
  console.error(`orglife ${name}: ${err instanceof ConfigError ? err.message : ((err as Error).stack ?? err)}`);
  process.exit(1);
}
