// CLI commands `backup DIR` and `restore DIR --data-dir NEW` (src/runtime/backup.ts; docs/operations.md, "Backup and restore").
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { BackupRefused, restoreBackup, takeBackup } from '../runtime/backup.js';
import { CliFailure } from './organizations.js';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const say = (m: string) => console.error(m);

export const backupCommands: Record<string, { help: string; run: (args: string[]) => Promise<void> }> = {
  backup: {
    help: "backup DIR: orglife's and Temporal's PostgreSQL databases at one instant, while they serve",
    async run(args) {
      const dir = args.find((a) => !a.startsWith('--'));
      if (!dir) throw new CliFailure('usage: npm run orglife -- backup DIR', 2);
      const cfg = loadConfig();
      // Without DATABASE_URL: the embedded server of `npm run cluster`, which must be running.
      const databaseUrl = cfg.DATABASE_URL ?? `postgres://orglife:orglife@127.0.0.1:${cfg.ORGLIFE_PG_PORT}/orglife`;
      const t0 = Date.now();
      const m = await takeBackup({ databaseUrl, dir, log: say }).catch((err: NodeJS.ErrnoException) => {
        if (err instanceof BackupRefused) throw new CliFailure(err.message);
        if (err.code !== 'ECONNREFUSED') throw err;
        throw new CliFailure(`nothing answers at ${new URL(databaseUrl).host}: start the cluster (\`npm run cluster\`) or set DATABASE_URL to its PostgreSQL`);
      });
      const bytes = m.files.reduce((n, f) => n + f.bytes, 0);
      console.log(
        `backup of PostgreSQL ${m.serverVersion} in ${resolve(dir)}: ${m.files.length} files, ${mb(bytes)}, in ${((Date.now() - t0) / 1000).toFixed(1)} s\n` +
          `  instant: WAL ${m.stopLsn} (pg_backup_stop at ${m.stoppedAt}; started ${m.startedAt} at ${m.startLsn})\n` +
          `  databases: ${m.databases.map((d) => `${d.name} ${mb(d.bytes)}`).join(', ')}\n` +
          `  orglife schema ${m.orglifeSchemaVersion ?? '?'}, Temporal schema ${m.temporalSchemaVersion ?? '?'}`,
      );
    },
  },
  restore: {
    help: 'restore DIR --data-dir NEW: a backup into a new data directory (then ORGLIFE_DATA_DIR=NEW npm run cluster)',
    async run(args) {
      const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--data-dir');
      const dataDir = flag(args, 'data-dir');
      if (!dir || !dataDir) throw new CliFailure('usage: npm run orglife -- restore DIR --data-dir NEW', 2);
      const t0 = Date.now();
      const r = await restoreBackup({ backup: dir, dataDir, log: say }).catch((err: Error) => {
        throw err instanceof BackupRefused ? new CliFailure(err.message) : err;
      });
      console.log(
        `restored the backup of ${r.manifest.stoppedAt} (WAL ${r.manifest.stopLsn}) into ${r.pgdata} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` +
          `${r.openTasks} open tasks in ${r.manifest.database}, ${r.openWorkflows} open workflow executions in Temporal; ` +
          `${r.membershipRows} membership rows of the old Temporal hosts removed\n` +
          (r.manifest.database === 'orglife'
            ? `  start it: ORGLIFE_DATA_DIR=${resolve(dataDir)} npm run cluster`
            : `  start it: ORGLIFE_DATA_DIR=${resolve(dataDir)} npm run cluster, with DATABASE_URL naming database ${r.manifest.database} on the restored server`),
      );
    },
  },
};
