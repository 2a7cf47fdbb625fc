// What the channels of a deployment are given: vendor credentials, endpoints and limits. src/channels/config.ts builds
// it from the environment; the worker hands it to the channel activities (activities/channels.ts).
import type { DingtalkOptions } from './dingtalk.js';
import type { SmsOptions } from './sms.js';
import type { WecomOptions } from './wecom.js';

export interface ChannelOptions {
  /** Where the web UI is reached from outside (ORGLIFE_PUBLIC_URL): the links in messages start with it. */
  publicBaseUrl?: string;
  /** How long a message's one-use task link stays usable (ORGLIFE_TASK_LINK_TTL_HOURS). */
  taskLinkTtlHours?: number;
  /** Replaces the one place a message's link is made (defaultLinkFor). */
  linkFor?: (p: { userId: number | null; taskId: number | null }) => string | Promise<string>;
  wecom?: WecomOptions;
  dingtalk?: DingtalkOptions;
  sms?: SmsOptions;
  /** Group robots' endpoints (tests point them at local servers). */
  wecomRobotBaseUrl?: string;
  dingtalkRobotBaseUrl?: string;
  /** Decrypts the robot keys stored sealed (ORGLIFE_SECRETS_KEY). */
  secretsKey?: string;
  /** Group robots accept 20 messages a minute; the window is widened by a second for the time a request travels. */
  robotRate?: { perWindow: number; windowMs: number };
  timeoutMs?: number;
}
