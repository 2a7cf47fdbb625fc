// 钉钉 (DingTalk): work notifications through a corporate app (asyncsend_v2) and custom group robots signed with
// HMAC-SHA256. Plain HTTPS per DingTalk's server API documentation (see docs/operations.md "Channels" for why not the SDK).
import { createHmac } from 'node:crypto';
import { errcodeOutcome, postJson, tokenedApi, type ChannelMessage, type SendOutcome } from './outcome.js';

export interface DingtalkOptions {
  appKey: string;
  appSecret: string;
  agentId: number;
  /** https://oapi.dingtalk.com unless pointed elsewhere (tests, a proxy). */
  baseUrl?: string;
  timeoutMs?: number;
}

export const DINGTALK_BASE = 'https://oapi.dingtalk.com';
/** Token invalid or expired. */
const TOKEN_BAD = new Set([40014, 42001, 88]);
/** "Too fast": API/app flow control (90002, 90018), system busy (-1), robot: 130101 (over 20 a minute). */
const TOO_FAST = new Set([90002, 90018, -1, 130101]);

/** The custom robot's signature: base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)), URL-encoded by the caller. */
export function dingtalkRobotSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export function dingtalkApp(o: DingtalkOptions) {
  const base = o.baseUrl ?? DINGTALK_BASE;
  const call = tokenedApi(
    `${base}/gettoken?appkey=${encodeURIComponent(o.appKey)}&appsecret=${encodeURIComponent(o.appSecret)}`,
    o.timeoutMs ?? 10_000,
    TOKEN_BAD,
  );
  return {
    /** A work notification (action card with the link) to one person by DingTalk userid. */
    async send(userid: string, m: ChannelMessage): Promise<SendOutcome> {
      const r = await call((token) => `${base}/topapi/message/corpconversation/asyncsend_v2?access_token=${token}`, {
        agent_id: o.agentId,
        userid_list: userid,
        msg: { msgtype: 'action_card', action_card: { title: m.title, markdown: markdown(m), single_title: '办理', single_url: m.url } },
      });
      return 'status' in r ? r : errcodeOutcome({ ok: true, json: r.json }, TOO_FAST);
    },
  };
}

function markdown(m: ChannelMessage): string {
  return [
    `### ${m.title}`,
    ...(m.organization ? [`组织：${m.organization}`] : []),
    ...(m.dueOn ? [`截止：${m.dueOn}`] : []),
    ...m.lines,
    `[查看](${m.url})`,
  ].join('\n\n');
}

/** A custom robot: `access_token` from its webhook URL, and its signing secret (加签). */
export async function dingtalkRobotSend(
  accessToken: string,
  secret: string | null,
  m: ChannelMessage,
  o: { baseUrl?: string; timeoutMs?: number; now?: number } = {},
): Promise<SendOutcome> {
  const ts = o.now ?? Date.now();
  const signed = secret ? `&timestamp=${ts}&sign=${encodeURIComponent(dingtalkRobotSign(secret, ts))}` : '';
  const r = await postJson(
    `${o.baseUrl ?? DINGTALK_BASE}/robot/send?access_token=${encodeURIComponent(accessToken)}${signed}`,
    { msgtype: 'markdown', markdown: { title: m.title, text: markdown(m) } },
    o.timeoutMs ?? 10_000,
  );
  return errcodeOutcome(r, TOO_FAST);
}
