import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir, withLock } from './cache.js';

/** Newest CLI that `go install` accepts: from v1.6.0 the module carries a `replace` directive. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** Temporal's own server (the cluster topology and docker-compose), built from its Go module like the CLI. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
/** Java time-skipping test server from Maven Central. */
export const TEST_SERVER_VERSION = '1.38.0';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a build command; on failure, logs the tail of its output. Also builds the bench's Flowable peer. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }, log: (m: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else {
        log(tail);
        reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`));
      }
    });
  });
}

/**
 * The `temporal` CLI (dev server) built from its Go module into the per-user cache, once per version.
 * Returns null where Go is absent; the caller then falls back to the SDK's own download.
 */
export async function ensureTemporalCli(log: (m: string) => void): Promise<string | null> {
  const dir = cacheDir(`temporal-cli-${TEMPORAL_CLI_VERSION}`);
  const binary = join(dir, 'temporal');
  if (existsSync(binary)) return binary;
  if (!onPath('go')) return null;
  return withLock(dir, async () => {
    if (existsSync(binary)) return binary;
    log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first run only; several minutes) ...`);
    const started = Date.now();
    const out = mkdtempSync(join(dir, 'build-'));
    await run(
      'go',
      ['install', '-ldflags', '-s -w', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
      { env: { ...process.env, CGO_ENABLED: '0', GOBIN: out, GOFLAGS: '-mod=mod' } },
      log,
    );
    renameSync(join(out, 'temporal'), binary);
    rmSync(out, { recursive: true, force: true });
    log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
    return binary;
  });
}

export interface TemporalServerBinaries {
  /** `temporal-server`: all services in one process, `--config-file` / `start`. */
  server: string;
  /** `temporal-sql-tool`: creates the databases and applies the versioned schema. */
  sqlTool: string;
  /** The module's schema directory (`schema/postgresql/v12/{temporal,visibility}/versioned`). */
  schemaDir: string;
}

/**
 * Temporal server and its SQL schema tool, built once per version with `go install` into the per-user cache
 * (`go.temporal.io/server/cmd/server` and `…/cmd/tools/sql`; v1.29.1's go.mod has no `replace`, so `go install`
 * takes it). The PostgreSQL schema files ship in the same module: copied next to the binaries, so the cache
 * holds all the cluster needs even if the Go module cache is cleaned. Needs Go: unlike the dev server, the
 * SDK has no download of it.
 */
export async function ensureTemporalServer(log: (m: string) => void): Promise<TemporalServerBinaries> {
  const dir = cacheDir(`temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const result: TemporalServerBinaries = {
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema', 'postgresql', 'v12'),
  };
  const complete = () => existsSync(result.server) && existsSync(result.sqlTool) && existsSync(join(result.schemaDir, '.complete'));
  if (complete()) return result;
  if (!onPath('go')) throw new Error('the cluster topology builds Temporal server with Go: put go (1.25 or newer) on PATH');
  return withLock(dir, async () => {
    if (complete()) return result;
    log(`building Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with go install (first run only; minutes) ...`);
    const started = Date.now();
    const out = mkdtempSync(join(dir, 'build-'));
    const env = { ...process.env, CGO_ENABLED: '0', GOBIN: out, GOFLAGS: '-mod=mod' };
    await run(
      'go',
      [
        'install',
        '-ldflags',
        '-s -w',
        `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`,
        `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
      ],
      { env },
      log,
    );
    // `go install` names binaries after their package directories: server, sql.
    renameSync(join(out, 'server'), result.server);
    renameSync(join(out, 'sql'), result.sqlTool);
    rmSync(out, { recursive: true, force: true });
    // The schema files from the module just downloaded (`go env GOMODCACHE`).
    const modCache = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).stdout.trim();
    const source = join(modCache, `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
    rmSync(result.schemaDir, { recursive: true, force: true });
    mkdirSync(dirname(result.schemaDir), { recursive: true });
    cpSync(source, result.schemaDir, { recursive: true });
    // Files in the module cache are read-only; the copy need not be.
    spawnSync('chmod', ['-R', 'u+w', result.schemaDir]);
    writeFileSync(join(result.schemaDir, '.complete'), `${TEMPORAL_SERVER_VERSION}\n`);
    log(`built Temporal server ${TEMPORAL_SERVER_VERSION} in ${Math.round((Date.now() - started) / 1000)} s: ${dir}`);
    return result;
  });
}

/**
 * A wrapper that `exec`s the Java test server, so the SDK's SIGKILL on the pid it started reaches the JVM.
 * The classpath comes from Maven (the published jar is thin), resolved once into the per-user cache.
 */
export async function ensureTestServer(log: (m: string) => void): Promise<string> {
  const dir = cacheDir(`temporal-test-server-${TEST_SERVER_VERSION}`);
  const wrapper = join(dir, 'test-server.sh');
  if (existsSync(wrapper)) return wrapper;
  if (!onPath('java') || !onPath('mvn')) {
    throw new Error('the time-skipping test server needs a JDK (java) and Maven (mvn) on PATH');
  }
  return withLock(dir, async () => {
    if (existsSync(wrapper)) return wrapper;
    log(`resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven (first run only) ...`);
    writeFileSync(
      join(dir, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>orglife</groupId><artifactId>temporal-test-server-classpath</artifactId><version>1</version>
<dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId>
<version>${TEST_SERVER_VERSION}</version></dependency></dependencies></project>\n`,
    );
    await run('mvn', ['-q', '-B', 'dependency:build-classpath', '-Dmdep.includeScope=runtime', '-Dmdep.outputFile=classpath.txt'], { cwd: dir }, log);
    const jar = join(
      process.env.MAVEN_REPO ?? join(process.env.HOME ?? '', '.m2', 'repository'),
      'io/temporal/temporal-test-server',
      TEST_SERVER_VERSION,
      `temporal-test-server-${TEST_SERVER_VERSION}.jar`,
    );
    const classpath = [jar, readFileSync(join(dir, 'classpath.txt'), 'utf8').trim()].join(':');
    // C1 only and the serial collector: the SDK gives the server 5 s to answer, a cold JVM on 2 busy cores
    // needs every second of it.
    const script = `#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp '${classpath}' io.temporal.testserver.TestServer "$@"\n`;
    writeFileSync(`${wrapper}.tmp`, script);
    chmodSync(`${wrapper}.tmp`, 0o755);
    renameSync(`${wrapper}.tmp`, wrapper);
    return wrapper;
  });
}
