import { resolve } from 'node:path';
import { z } from 'zod';
import proxyAddr from '@fastify/proxy-addr';
import { PASSWORD_MIN_LENGTH } from './auth/password-policy.js';
import { ACCOUNT_RULE, SOURCE_RULE } from './auth/throttle.js';

/**
 * Workflow runs a worker keeps cached unless ORGLIFE_WORKER_CACHED_RUNS says otherwise. A run keeps its module state
 * (`npm run bench -- --only run-state`, per workflow type: 19–545 KiB) and its history's state; the largest, a year of
 * organization life with its 32 openings, about 1.3 MiB (docs/operations.md, "Capacity"). 400 of those take about half
 * a GiB, and the worker stays within 1 GiB during a deadline storm (docs/benchmarks.md, `storm`).
 */
export const DEFAULT_CACHED_RUNS = 400;

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535);

/** The environment of contract.md, plus the knobs a deployment needs (ports of the embedded servers, TLS). */
export const configSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d+$/, 'expected host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('orglife'),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  ORGLIFE_DATA_DIR: z.string().min(1).default('./.data'),
  ORGLIFE_PG_PORT: port.default(54329),
  ORGLIFE_TEMPORAL_PORT: port.default(7233),
  ORGLIFE_TEMPORAL_UI_PORT: port.default(8233),
  /** The rest of the password policy (src/auth/password-policy.ts) is applied when the user is created. */
  ORGLIFE_ADMIN_PASSWORD: z.string().min(PASSWORD_MIN_LENGTH, `expected at least ${PASSWORD_MIN_LENGTH} characters`).optional(),
  /** Failed sign-ins of one account before it is locked for a growing time (src/auth/throttle.ts). */
  ORGLIFE_LOGIN_MAX_FAILURES: z.coerce.number({ message: 'expected a number' }).int().min(3).max(1000).default(ACCOUNT_RULE.maxFailures),
  /** Failed sign-ins from one source address, over any usernames, before it is locked for a growing time. */
  ORGLIFE_LOGIN_SOURCE_MAX_FAILURES: z.coerce.number({ message: 'expected a number' }).int().min(3).max(100000).default(SOURCE_RULE.maxFailures),
  /**
   * The reverse proxies whose X-Forwarded-For names the client (addresses, CIDR ranges, or loopback, linklocal,
   * uniquelocal; comma-separated): the sign-in limits count per client, not per proxy.
   */
  ORGLIFE_TRUSTED_PROXIES: z
    .string()
    .default('loopback')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => {
        try {
          proxyAddr.compile(list);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'expected addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated' },
    ),
  ORGLIFE_DEMO: bool.default(true),
  /** When set, GET /metrics answers only a scraper presenting it as a bearer token (src/api/plugins/metrics.ts). */
  ORGLIFE_METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /** host:port where a worker serves the Temporal SDK's metrics in Prometheus's format (unset: not served). */
  ORGLIFE_WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d+$/, 'expected host:port')
    .optional(),
  /** The build a worker polls as in its Worker Deployment (docs/operations.md, "Upgrades"); unset: an unversioned worker. */
  ORGLIFE_WORKER_BUILD_ID: z
    .string()
    .regex(/^[^\s:]{1,200}$/, 'expected a build id without spaces or colons')
    .optional(),
  ORGLIFE_WORKER_DEPLOYMENT: z
    .string()
    .regex(/^[^\s:]{1,200}$/, 'expected a name without spaces or colons')
    .default('orglife'),
  /** What a run started on a build keeps: PINNED, that build to its end; AUTO_UPGRADE, the current build at each task. */
  ORGLIFE_WORKER_VERSIONING: z.enum(['PINNED', 'AUTO_UPGRADE']).default('PINNED'),
  /**
   * Workflow runs a worker keeps cached (the SDK's `maxCachedWorkflows`): a run evicted from it replays its history
   * when a person next acts on it. Sized to the worker's memory (docs/operations.md, "Capacity").
   */
  ORGLIFE_WORKER_CACHED_RUNS: z.coerce.number({ message: 'expected a number of runs' }).int().min(10).max(1_000_000).default(DEFAULT_CACHED_RUNS),
  /**
   * OTLP/HTTP receiver of traces (an OpenTelemetry Collector, Jaeger, Tempo): the base URL, to which /v1/traces is
   * added (http://collector:4318), or the traces URL itself in the next variable. Neither set: no tracing at all
   * (src/runtime/telemetry.ts).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .url('expected an http(s) URL')
    .regex(/^https?:\/\//, 'expected an http(s) URL')
    .optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
    .string()
    .url('expected an http(s) URL')
    .regex(/^https?:\/\//, 'expected an http(s) URL')
    .optional(),
  /** Move some demo processes along after seeding (several states to look at); off for tests that need a still demo. */
  ORGLIFE_DEMO_ADVANCE: bool.default(true),
  ORGLIFE_JWT_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
  ORGLIFE_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected smtp:// or smtps:// URL')
    .optional(),
  ORGLIFE_MAIL_FROM: z.string().min(3).optional(),
  /** How often the ratings (三色管理) are recomputed, in minutes. */
  ORGLIFE_RATINGS_EVERY_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  /** Where people reach the web UI (https://orglife.example.gov.cn): messages' task links are made absolute with it. */
  ORGLIFE_PUBLIC_URL: z
    .string()
    .url('expected an http(s) URL')
    .regex(/^https?:\/\//, 'expected an http(s) URL')
    .optional(),
  /** How long a task link in a message stays usable (src/auth/task-links.ts). */
  ORGLIFE_TASK_LINK_TTL_HOURS: z.coerce
    .number({ message: 'expected a number of hours' })
    .positive()
    .max(24 * 30)
    .default(72),
  /** Seals group robots' keys in the database (AES-256-GCM); at least 32 characters. */
  ORGLIFE_SECRETS_KEY: z.string().min(32, 'expected at least 32 characters').optional(),
  ORGLIFE_WECOM_CORP_ID: z.string().min(1).optional(),
  ORGLIFE_WECOM_CORP_SECRET: z.string().min(1).optional(),
  ORGLIFE_WECOM_AGENT_ID: z.coerce.number({ message: "expected the application's AgentId" }).int().positive().optional(),
  ORGLIFE_WECOM_BASE_URL: z.string().url().optional(),
  ORGLIFE_DINGTALK_APP_KEY: z.string().min(1).optional(),
  ORGLIFE_DINGTALK_APP_SECRET: z.string().min(1).optional(),
  ORGLIFE_DINGTALK_AGENT_ID: z.coerce.number({ message: "expected the application's AgentId" }).int().positive().optional(),
  ORGLIFE_DINGTALK_BASE_URL: z.string().url().optional(),
  ORGLIFE_ALIYUN_ACCESS_KEY_ID: z.string().min(1).optional(),
  ORGLIFE_ALIYUN_ACCESS_KEY_SECRET: z.string().min(1).optional(),
  ORGLIFE_SMS_SIGN_NAME: z.string().min(1).optional(),
  ORGLIFE_SMS_TEMPLATE_CODE: z
    .string()
    .regex(/^SMS_\d+$/, 'expected an approved template code like SMS_123456789')
    .optional(),
  /** host[:port] of the SendSms endpoint (default dysmsapi.aliyuncs.com); an http:// prefix for a local server. */
  ORGLIFE_SMS_ENDPOINT: z.string().min(1).optional(),
  ORGLIFE_SMS_QUIET_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM-HH:MM (Asia/Shanghai)')
    .default('22:00-08:00'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema> & { dataDir: string };

export class ConfigError extends Error {}

/** Reads the environment once; a bad value stops start-up naming the variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set": shells and compose files often export VAR= for defaults.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  if ((cfg.TEMPORAL_TLS_CERT === undefined) !== (cfg.TEMPORAL_TLS_KEY === undefined)) {
    throw new ConfigError('invalid configuration:\n  TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: expected both or neither');
  }
  return { ...cfg, dataDir: resolve(cfg.ORGLIFE_DATA_DIR) };
}

/** The configuration, or exit 78 naming the variable and what it expects (the processes' entry points). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`orglife: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
}
