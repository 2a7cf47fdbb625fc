import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { seal, unseal } from '../../src/channels/secrets.js';
import { messageKindOf } from '../../src/channels/kinds.js';
import { SECRET_PATHS } from '../../src/runtime/logger.js';
import { channelOptions } from '../../src/channels/config.js';
import { loadConfig } from '../../src/config.js';

describe('channel secrets, kinds and configuration', () => {
  it('seals a robot key so that only the same key opens it, and the sealed text does not hold it', () => {
    const key = 'k'.repeat(40);
    const sealed = seal(key, 'robot-webhook-key-123');
    expect(sealed).not.toContain('robot-webhook-key-123');
    expect(unseal(key, sealed)).toBe('robot-webhook-key-123');
    expect(seal(key, 'robot-webhook-key-123')).not.toBe(sealed); // a fresh IV each time
    expect(() => unseal('x'.repeat(40), sealed)).toThrow();
    expect(() =>
      unseal(
        key,
        sealed.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      ),
    ).toThrow();
  });

  it('maps every notification kind written today to one of the four message kinds', () => {
    expect(['task-opened', 'task-delegated', 'task-reassigned'].map(messageKindOf)).toEqual(['assigned', 'assigned', 'assigned']);
    expect(['reminder', 'nudge', 'term-overdue'].map(messageKindOf)).toEqual(['reminder', 'reminder', 'reminder']);
    expect(messageKindOf('escalation')).toBe('escalation');
    expect(['task-extended', 'task-cancelled', 'term-plan'].map(messageKindOf)).toEqual(['digest', 'digest', 'digest']);
  });

  it('never logs a vendor secret', () => {
    let out = '';
    const sink = new Writable({
      write(c, _e, cb) {
        out += String(c);
        cb();
      },
    });
    const log = pino({ redact: { paths: SECRET_PATHS, censor: '[redacted]' } }, sink);
    log.info({ channels: { wecom: { corpSecret: 'S1-corp' }, sms: { accessKeySecret: 'S2-ak' }, secretsKey: 'S3-seal' } }, 'worker options');
    log.info({ body: { key: 'S4-robot', secret: 'SECS5' } }, 'robot');
    for (const secret of ['S1-corp', 'S2-ak', 'S3-seal', 'S4-robot', 'SECS5']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('turns a channel on only when all its variables are set, and names the missing ones', () => {
    const base = { DATABASE_URL: 'postgres://x/y', ORGLIFE_PUBLIC_URL: 'https://dj.example.gov.cn' };
    const none = channelOptions(loadConfig(base));
    expect([none.wecom, none.dingtalk, none.sms]).toEqual([undefined, undefined, undefined]);
    const on = channelOptions(loadConfig({ ...base, ORGLIFE_WECOM_CORP_ID: 'ww1', ORGLIFE_WECOM_CORP_SECRET: 's', ORGLIFE_WECOM_AGENT_ID: '1000002' }));
    expect(on.wecom).toMatchObject({ corpId: 'ww1', agentId: 1000002 });
    expect(on.publicBaseUrl).toBe('https://dj.example.gov.cn');
    expect(() => channelOptions(loadConfig({ ...base, ORGLIFE_DINGTALK_APP_KEY: 'k' }))).toThrow(/ORGLIFE_DINGTALK_APP_SECRET, ORGLIFE_DINGTALK_AGENT_ID/);
    expect(() => loadConfig({ ...base, ORGLIFE_SMS_QUIET_HOURS: '22-8' })).toThrow(/ORGLIFE_SMS_QUIET_HOURS/);
  });
});
