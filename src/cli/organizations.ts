// CLI commands for the organization tree: import FILE, generate --orgs N, user add.
import { createReadStream, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { userInfo } from 'node:os';
import { stringify } from 'csv-stringify';
import { csvStringCast } from '../api/spreadsheet-safe.js';
import { createLogger } from '../runtime/logger.js';
import { loadConfig } from '../config.js';
import { createSql, type Sql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../runtime/postgres.js';
import { shanghaiDate } from '../domain/dates.js';
import { generateRows } from '../demo/province.js';
import { columns } from '../organizations/import/columns.js';
import { importOrganizations, ImportRejected, type ImportProgress } from '../organizations/import/import.js';
import { createUser } from '../auth/users.js';
import { passwordProblem } from '../auth/password-policy.js';
import { roles, type Role } from '../auth/principal.js';

/** Exit status and message of a command that refuses its input. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

async function withDatabase<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const cfg = loadConfig();
  const log = createLogger({ level: cfg.LOG_LEVEL }, 2);
  const pg = cfg.DATABASE_URL
    ? { url: cfg.DATABASE_URL, stop: async () => {} }
    : await startEmbeddedPostgres(join(cfg.dataDir, 'postgres'), cfg.ORGLIFE_PG_PORT, (m) => log.info(m));
  const sql = createSql(pg.url, { max: 2 });
  try {
    await migrate(sql);
    return await fn(sql);
  } finally {
    await sql.end();
    await pg.stop();
  }
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** One progress line on stderr, rewritten in place on a terminal and printed every few seconds otherwise. */
function progressLine(total: number): (p: ImportProgress) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (!tty && now - last < 2000 && p.phase === 'reading') return;
    last = now;
    const pct = total ? Math.min(100, Math.floor((p.bytes / total) * 100)) : 0;
    const width = 30;
    const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.');
    const line = `[${bar}] ${String(pct).padStart(3)}% ${p.rows.toLocaleString('en')} rows ${p.phase}`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
}

export const organizationCommands: Record<string, { help: string; run: (args: string[]) => Promise<void> }> = {
  import: {
    help: 'import FILE: organizations from CSV (UTF-8 or GBK) or XLSX; all or nothing',
    async run(args) {
      const file = args.find((a) => !a.startsWith('--'));
      if (!file) throw new CliFailure('usage: npm run orglife -- import FILE', 2);
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        throw new CliFailure(`cannot read ${file}`, 2);
      }
      const started = Date.now();
      await withDatabase(async (sql) => {
        const show = progressLine(size);
        try {
          const r = await importOrganizations(sql, createReadStream(file), {
            principal: null,
            actor: `cli:${userInfo().username}`,
            source: `cli:${basename(file)}`,
            onProgress: show,
          });
          if (process.stderr.isTTY) process.stderr.write('\n');
          console.log(JSON.stringify(r));
          console.error(
            `imported ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged`,
          );
          // Fields a running process owns were not written (docs/processes.md: the organization import).
          for (const e of r.refused) console.error(`  row ${e.row}, column ${e.column} not written: ${e.message}`);
          console.error(`  villages ${r.inferred.villages}, communities ${r.inferred.communities} (by their place in the tree)`);
          for (const e of r.inferred.warnings) console.error(`  row ${e.row}, column ${e.column}: ${e.message}`);
          for (const e of r.routed)
            console.error(`  row ${e.row} (${e.columns.join(', ')}) for ${e.workflowId}: ${e.status}${e.message ? `: ${e.message}` : ''}`);
        } catch (err) {
          if (process.stderr.isTTY) process.stderr.write('\n');
          if (!(err instanceof ImportRejected)) throw err;
          const lines = err.errors.map((e) => `  row ${e.row}, column ${e.column}: ${e.message}`);
          throw new CliFailure(`${file}: ${err.message}\n${lines.join('\n')}`, 1);
        }
      });
    },
  },
  generate: {
    help: 'generate --orgs N [--seed S] > FILE: a synthetic province as import CSV on stdout',
    async run(args) {
      const n = Number(flag(args, 'orgs') ?? NaN);
      if (!Number.isInteger(n) || n < 1) throw new CliFailure('usage: npm run orglife -- generate --orgs N [--seed S] > FILE', 2);
      const seed = Number(flag(args, 'seed') ?? 42);
      // A file people open in a spreadsheet: text is written by the exports' rule (src/api/spreadsheet-safe.ts).
      const out = stringify({ header: true, columns: [...columns], cast: csvStringCast });
      out.pipe(process.stdout);
      for (const row of generateRows(n, shanghaiDate(Date.now()), seed)) {
        if (!out.write(row)) await new Promise((r) => out.once('drain', r));
      }
      out.end();
      await new Promise((r) => process.stdout.once('finish', r).end());
    },
  },
  user: {
    help: 'user add USERNAME --role ROLE --org CODE [--password P]: password from --password or ORGLIFE_NEW_PASSWORD',
    async run(args) {
      const [sub, username] = args;
      const role = flag(args, 'role') as Role | undefined;
      const org = flag(args, 'org');
      const password = flag(args, 'password') ?? process.env.ORGLIFE_NEW_PASSWORD;
      if (sub !== 'add' || !username || !role) {
        throw new CliFailure('usage: npm run orglife -- user add USERNAME --role ROLE --org CODE [--password P]', 2);
      }
      if (!roles.includes(role)) throw new CliFailure(`--role: expected one of ${roles.join(', ')}`, 2);
      if (!password) throw new CliFailure('a password: --password or ORGLIFE_NEW_PASSWORD', 2);
      const problem = await passwordProblem(password, username);
      if (problem) throw new CliFailure(`the password ${problem.message} (src/auth/password-policy.ts)`, 2);
      if (!org && role !== 'admin') throw new CliFailure('--org CODE: only an admin may be granted the whole tree', 2);
      await withDatabase(async (sql) => {
        let organizationId: number | null = null;
        if (org) {
          const [o] = await sql<{ id: number }[]>`select id from organizations where code = ${org}`;
          if (!o) throw new CliFailure(`--org: no organization ${org}`, 1);
          organizationId = o.id;
        }
        try {
          const id = await createUser(sql, { username, password, roles: [{ role, organizationId }] });
          console.log(JSON.stringify({ id, username, role, org: org ?? null }));
        } catch (err) {
          if ((err as { code?: string }).code === '23505') throw new CliFailure(`user ${username} exists`, 1);
          if ((err as { code?: string }).code === '23514') throw new CliFailure(`username ${username}: letters, digits and _.@- only, 2 to 64 characters`, 1);
          throw err;
        }
      });
    },
  },
};
