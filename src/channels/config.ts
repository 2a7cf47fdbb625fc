// The channels of a deployment from its environment (docs/operations.md "Channels: 企业微信, 钉钉, SMS"): a channel whose
// variables are all set is on; one half set stops start-up naming what is missing.
import type { ChannelOptions } from './options.js';
import { ConfigError, type Config } from '../config.js';

const groups = {
  wecom: ['ORGLIFE_WECOM_CORP_ID', 'ORGLIFE_WECOM_CORP_SECRET', 'ORGLIFE_WECOM_AGENT_ID'],
  dingtalk: ['ORGLIFE_DINGTALK_APP_KEY', 'ORGLIFE_DINGTALK_APP_SECRET', 'ORGLIFE_DINGTALK_AGENT_ID'],
  sms: ['ORGLIFE_ALIYUN_ACCESS_KEY_ID', 'ORGLIFE_ALIYUN_ACCESS_KEY_SECRET', 'ORGLIFE_SMS_SIGN_NAME', 'ORGLIFE_SMS_TEMPLATE_CODE'],
} as const;

export function publicBaseUrl(cfg: Config): string {
  return cfg.ORGLIFE_PUBLIC_URL ?? `http://${cfg.HOST.includes(':') ? `[${cfg.HOST}]` : cfg.HOST}:${cfg.PORT}`;
}

export function channelOptions(cfg: Config): ChannelOptions {
  const on = (g: keyof typeof groups) => {
    const set = groups[g].filter((k) => cfg[k] !== undefined);
    if (set.length > 0 && set.length < groups[g].length) {
      throw new ConfigError(`invalid configuration:\n  ${groups[g].filter((k) => cfg[k] === undefined).join(', ')}: expected with ${set.join(', ')}`);
    }
    return set.length > 0;
  };
  const smsEndpoint = cfg.ORGLIFE_SMS_ENDPOINT;
  return {
    publicBaseUrl: publicBaseUrl(cfg),
    taskLinkTtlHours: cfg.ORGLIFE_TASK_LINK_TTL_HOURS,
    secretsKey: cfg.ORGLIFE_SECRETS_KEY,
    wecom: on('wecom')
      ? {
          corpId: cfg.ORGLIFE_WECOM_CORP_ID!,
          corpSecret: cfg.ORGLIFE_WECOM_CORP_SECRET!,
          agentId: cfg.ORGLIFE_WECOM_AGENT_ID!,
          baseUrl: cfg.ORGLIFE_WECOM_BASE_URL,
        }
      : undefined,
    wecomRobotBaseUrl: cfg.ORGLIFE_WECOM_BASE_URL,
    dingtalk: on('dingtalk')
      ? {
          appKey: cfg.ORGLIFE_DINGTALK_APP_KEY!,
          appSecret: cfg.ORGLIFE_DINGTALK_APP_SECRET!,
          agentId: cfg.ORGLIFE_DINGTALK_AGENT_ID!,
          baseUrl: cfg.ORGLIFE_DINGTALK_BASE_URL,
        }
      : undefined,
    dingtalkRobotBaseUrl: cfg.ORGLIFE_DINGTALK_BASE_URL,
    sms: on('sms')
      ? {
          accessKeyId: cfg.ORGLIFE_ALIYUN_ACCESS_KEY_ID!,
          accessKeySecret: cfg.ORGLIFE_ALIYUN_ACCESS_KEY_SECRET!,
          signName: cfg.ORGLIFE_SMS_SIGN_NAME!,
          templateCode: cfg.ORGLIFE_SMS_TEMPLATE_CODE!,
          endpoint: smsEndpoint?.replace(/^https?:\/\//, ''),
          protocol: smsEndpoint?.startsWith('http://') ? 'http' : 'https',
          quietHours: cfg.ORGLIFE_SMS_QUIET_HOURS,
        }
      : undefined,
  };
}
