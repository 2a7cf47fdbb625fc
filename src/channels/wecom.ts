// 企业微信 (WeCom): application messages to a person and group robots. WeCom has no official Node.js server SDK, so
// this is plain HTTPS per its server API documentation (gettoken, message/send, webhook/send).
import { errcodeOutcome, postJson, tokenedApi, type ChannelMessage, type SendOutcome } from './outcome.js';

export interface WecomOptions {
  corpId: string;
  corpSecret: string;
  agentId: number;
  /** https://qyapi.weixin.qq.com unless pointed elsewhere (tests, a proxy). */
  baseUrl?: string;
  timeoutMs?: number;
}

/** "Too fast": API frequency (45009) and per-user/per-app message frequency (45033). */
const TOO_FAST = new Set([45009, 45033, 45047, -1]);
/** The token is invalid or expired: fetch a new one and try again at once. */
const TOKEN_BAD = new Set([40014, 42001, 40001]);

export const WECOM_BASE = 'https://qyapi.weixin.qq.com';

export function wecomApp(o: WecomOptions) {
  const base = o.baseUrl ?? WECOM_BASE;
  const call = tokenedApi(
    `${base}/cgi-bin/gettoken?corpid=${encodeURIComponent(o.corpId)}&corpsecret=${encodeURIComponent(o.corpSecret)}`,
    o.timeoutMs ?? 10_000,
    TOKEN_BAD,
  );
  return {
    /** A text card to one person (their WeCom userid): task, organization, due date and the link to it. */
    async send(userid: string, m: ChannelMessage): Promise<SendOutcome> {
      const description =
        [
          ...(m.organization ? [`<div class="gray">组织：${m.organization}</div>`] : []),
          ...(m.dueOn ? [`<div class="highlight">截止：${m.dueOn}</div>`] : []),
          ...m.lines.map((l) => `<div class="normal">${l}</div>`),
        ].join('') || `<div class="normal">${m.title}</div>`; // the card's description may not be empty
      const r = await call((token) => `${base}/cgi-bin/message/send?access_token=${token}`, {
        touser: userid,
        msgtype: 'textcard',
        agentid: o.agentId,
        textcard: { title: m.title.slice(0, 128), description: description.slice(0, 512), url: m.url, btntxt: '办理' },
      });
      // An answer that names the userid invalid reached no one.
      return 'status' in r ? r : errcodeOutcome({ ok: true, json: r.json }, TOO_FAST, (json) => Boolean(json.invaliduser));
    },
  };
}

/** A group robot (webhook key): markdown to the group; 20 messages a minute per robot, spaced by the caller. */
export async function wecomRobotSend(key: string, m: ChannelMessage, o: { baseUrl?: string; timeoutMs?: number } = {}): Promise<SendOutcome> {
  const content = [
    `**${m.title}**`,
    ...(m.organization ? [`> 组织：${m.organization}`] : []),
    ...(m.dueOn ? [`> 截止：${m.dueOn}`] : []),
    ...m.lines,
    `[查看](${m.url})`,
  ].join('\n');
  const r = await postJson(
    `${o.baseUrl ?? WECOM_BASE}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`,
    { msgtype: 'markdown', markdown: { content } },
    o.timeoutMs ?? 10_000,
  );
  return errcodeOutcome(r, TOO_FAST);
}
