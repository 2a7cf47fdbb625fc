// docker-compose.yml deploys what tests/cluster tests: the same Temporal server release, the same config file,
// schema and namespace scripts. Docker does not run here, so this checks it by construction: the file's images and
// mounts, and the server rendering and validating deploy/temporal/orglife.yaml with compose's environment.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureTemporalServer, TEMPORAL_SERVER_VERSION } from '../../src/runtime/temporal-binaries.js';
import { deployDir } from '../../src/runtime/temporal-server.js';

const compose = readFileSync('docker-compose.yml', 'utf8');
const version = TEMPORAL_SERVER_VERSION.replace(/^v/, '');

describe('docker-compose.yml and the cluster topology', () => {
  it('runs the same Temporal server release, with the sql tool and schema of that release', () => {
    expect(compose).toContain(`image: temporalio/server:${version}\n`);
    expect(compose.match(new RegExp(`image: temporalio/admin-tools:${version.replaceAll('.', '\\.')}-`, 'g'))?.length).toBe(2);
    expect(compose).not.toContain('auto-setup');
  });

  it('mounts deploy/temporal into the server and both setup jobs, and runs the same scripts and server arguments', () => {
    expect(compose.match(/- \.\/deploy\/temporal:\/etc\/orglife\/temporal:ro/g)?.length).toBe(3);
    expect(compose).toContain('entrypoint: ["sh", "/etc/orglife/temporal/setup-schema.sh"]');
    expect(compose).toContain('entrypoint: ["sh", "/etc/orglife/temporal/create-namespace.sh"]');
    expect(compose).toContain('exec temporal-server --root / --config /etc/orglife/temporal --env orglife --allow-no-auth start');
    expect(readFileSync('src/runtime/temporal-server.ts', 'utf8')).toContain("'--env', 'orglife', '--allow-no-auth', 'start'");
  });

  it('gives a configuration the server renders and validates, with compose’s environment', async () => {
    const block = compose.slice(compose.indexOf('x-temporal-db-env:'), compose.indexOf('x-orglife-env:'));
    const env: Record<string, string> = {};
    for (const m of block.matchAll(/^\s+(TEMPORAL_[A-Z_]+): "?([^"\n]+)"?$/gm)) env[m[1]!] = m[2]!.replace(/\$\{[A-Z_]+:-([^}]*)\}/, '$1');
    expect(Object.keys(env).sort()).toEqual(['TEMPORAL_DB_HOST', 'TEMPORAL_DB_PASSWORD', 'TEMPORAL_DB_PORT', 'TEMPORAL_DB_USER', 'TEMPORAL_DYNAMIC_CONFIG']);
    const bin = await ensureTemporalServer(() => {});
    const r = spawnSync(bin.server, ['--root', '/', '--config', deployDir, '--env', 'orglife', 'render-config'], {
      env: { PATH: process.env.PATH, ...env, TEMPORAL_FRONTEND_PORT: '7233', TEMPORAL_BIND_IP: '172.18.0.5', TEMPORAL_BROADCAST_ADDRESS: '172.18.0.5' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('pluginName: postgres12');
    expect(r.stdout).toContain('connectAddr: postgresql:5432');
    expect(r.stdout).toContain('databaseName: temporal_visibility');
    expect(r.stdout).toContain('broadcastAddress: 172.18.0.5');
    expect(r.stdout).toContain('bindOnIP: 172.18.0.5');
    expect(r.stdout).toContain('filepath: /etc/orglife/temporal/dynamicconfig.yaml');
  });
});
