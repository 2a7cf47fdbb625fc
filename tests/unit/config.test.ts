import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CACHED_RUNS, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('takes the defaults of contract.md from an empty environment', () => {
    const cfg = loadConfig({});
    expect(cfg.PORT).toBe(3000);
    expect(cfg.HOST).toBe('127.0.0.1');
    expect(cfg.TEMPORAL_NAMESPACE).toBe('default');
    expect(cfg.TEMPORAL_TASK_QUEUE).toBe('orglife');
    expect(cfg.ORGLIFE_DEMO).toBe(true);
    expect(cfg.LOG_LEVEL).toBe('info');
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(cfg.dataDir.endsWith('.data')).toBe(true);
    expect(cfg.ORGLIFE_WORKER_CACHED_RUNS).toBe(DEFAULT_CACHED_RUNS);
  });

  it.each([
    ['PORT', 'eighty', /PORT="eighty": expected a port number/],
    ['PORT', '70000', /PORT="70000"/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL="mysql:\/\/x": expected a postgres/],
    ['TEMPORAL_ADDRESS', 'http://temporal', /TEMPORAL_ADDRESS=.*expected host:port/],
    ['ORGLIFE_DEMO', 'maybe', /ORGLIFE_DEMO="maybe": expected true or false/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud"/],
    ['ORGLIFE_WORKER_CACHED_RUNS', 'many', /ORGLIFE_WORKER_CACHED_RUNS="many": expected a number of runs/],
    ['ORGLIFE_WORKER_CACHED_RUNS', '5', /ORGLIFE_WORKER_CACHED_RUNS="5"/],
  ])('refuses %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('needs a TLS certificate and key together', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: '/tmp/cert.pem' })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', ORGLIFE_DEMO: 'false' })).toMatchObject({ PORT: 3000, ORGLIFE_DEMO: false });
  });
});
