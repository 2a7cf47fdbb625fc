// Local servers that speak the vendors' documented protocols, for the channel tests (the real endpoints cannot be
// reached from here): 企业微信 (gettoken, message/send, webhook/send), 钉钉 (gettoken, asyncsend_v2, robot/send
// with timestamp + sign) and Aliyun SMS (SendSms, checking the SDK's ACS3-HMAC-SHA256 request signature). Each
// checks tokens and signatures as the vendor does, keeps the robots' 20-a-minute window on its own clock, and can
// be told to answer the next send "too fast", to time out, or to fail permanently.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';

export type Fault = 'too-fast' | 'timeout' | 'permanent';

interface Base {
  url: string;
  /** Faults applied to the next sends, in order. */
  faults: Fault[];
  /** Requests refused because a robot went over its window (should stay empty: the sender spaces them). */
  overLimit: string[];
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}` };
}

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A request held past the client's timeout, then dropped. */
function hang(res: ServerResponse, ms: number): void {
  setTimeout(() => res.destroy(), ms);
}

/** Sliding window of accepted robot messages per robot, on this server's clock. */
function robotWindow(limit: number, windowMs: number) {
  const seen = new Map<string, number[]>();
  return (robot: string): boolean => {
    const now = Date.now();
    const list = (seen.get(robot) ?? []).filter((t) => t > now - windowMs);
    if (list.length >= limit) return false;
    list.push(now);
    seen.set(robot, list);
    return true;
  };
}

const close = (server: Server) => () =>
  new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });

export interface WecomServer extends Base {
  corpId: string;
  corpSecret: string;
  agentId: number;
  robotKey: string;
  /** Person messages accepted: touser and the text card. */
  messages: { touser: string; textcard: { title: string; description: string; url: string } }[];
  robotMessages: { key: string; content: string; at: number }[];
  tokensIssued: number;
  /** Makes every token issued so far expired (the next send gets 42001). */
  expireTokens(): void;
  knownUsers: Set<string>;
}

export async function startWecomServer(o: { robotLimit?: number; robotWindowMs?: number; hangMs?: number } = {}): Promise<WecomServer> {
  const tokens = new Map<string, { expired: boolean }>();
  const allow = robotWindow(o.robotLimit ?? 20, o.robotWindowMs ?? 60_000);
  const s: Omit<WecomServer, 'url' | 'close'> = {
    corpId: 'ww0123456789abcdef',
    corpSecret: randomBytes(16).toString('hex'),
    agentId: 1000002,
    robotKey: randomBytes(12).toString('hex'),
    faults: [],
    overLimit: [],
    messages: [],
    robotMessages: [],
    tokensIssued: 0,
    knownUsers: new Set(),
    expireTokens: () => {
      for (const t of tokens.values()) t.expired = true;
    },
  };
  const { server, url } = await listen((req, body, res) => {
    const u = new URL(req.url!, 'http://x');
    if (req.method === 'GET' && u.pathname === '/cgi-bin/gettoken') {
      if (u.searchParams.get('corpid') !== s.corpId) return json(res, { errcode: 40013, errmsg: 'invalid corpid' });
      if (u.searchParams.get('corpsecret') !== s.corpSecret) return json(res, { errcode: 40001, errmsg: 'invalid credential' });
      const token = randomBytes(16).toString('hex');
      tokens.set(token, { expired: false });
      s.tokensIssued++;
      return json(res, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (req.method === 'POST' && u.pathname === '/cgi-bin/message/send') {
      const t = tokens.get(u.searchParams.get('access_token') ?? '');
      if (!t) return json(res, { errcode: 40014, errmsg: 'invalid access_token' });
      if (t.expired) return json(res, { errcode: 42001, errmsg: 'access_token expired' });
      const fault = s.faults.shift();
      if (fault === 'timeout') return hang(res, o.hangMs ?? 3000);
      if (fault === 'too-fast') return json(res, { errcode: 45033, errmsg: 'api concurrent out of limit' });
      const m = JSON.parse(body);
      if (m.msgtype !== 'textcard' || m.agentid !== s.agentId || !m.textcard?.title || !m.textcard?.description || !m.textcard?.url) {
        return json(res, { errcode: 44004, errmsg: 'invalid message' });
      }
      if (fault === 'permanent' || !s.knownUsers.has(m.touser)) return json(res, { errcode: 81013, errmsg: 'user & party & tag all invalid' });
      s.messages.push({ touser: m.touser, textcard: m.textcard });
      return json(res, { errcode: 0, errmsg: 'ok', invaliduser: '', msgid: randomBytes(8).toString('hex') });
    }
    if (req.method === 'POST' && u.pathname === '/cgi-bin/webhook/send') {
      const key = u.searchParams.get('key') ?? '';
      if (key !== s.robotKey) return json(res, { errcode: 93000, errmsg: 'invalid webhook url' });
      const fault = s.faults.shift();
      if (fault === 'timeout') return hang(res, o.hangMs ?? 3000);
      if (fault === 'too-fast') return json(res, { errcode: 45009, errmsg: 'api freq out of limit' });
      if (fault === 'permanent') return json(res, { errcode: 93000, errmsg: 'invalid webhook url' });
      const m = JSON.parse(body);
      if (m.msgtype !== 'markdown' || !m.markdown?.content) return json(res, { errcode: 44004, errmsg: 'invalid message' });
      if (!allow(key)) {
        s.overLimit.push(m.markdown.content);
        return json(res, { errcode: 45009, errmsg: 'api freq out of limit' });
      }
      s.robotMessages.push({ key, content: m.markdown.content, at: Date.now() });
      return json(res, { errcode: 0, errmsg: 'ok' });
    }
    json(res, { errcode: 404, errmsg: 'not found' }, 404);
  });
  return Object.assign(s, { url, close: close(server) });
}

export interface DingtalkServer extends Base {
  appKey: string;
  appSecret: string;
  agentId: number;
  robotToken: string;
  robotSecret: string;
  messages: { userid_list: string; msg: { msgtype: string; action_card: { title: string; markdown: string; single_url: string } } }[];
  robotMessages: { title: string; text: string; at: number }[];
  /** Robot requests whose sign did not match (should stay empty). */
  badSigns: number;
  knownUsers: Set<string>;
}

export async function startDingtalkServer(o: { robotLimit?: number; robotWindowMs?: number; hangMs?: number } = {}): Promise<DingtalkServer> {
  const tokens = new Set<string>();
  const allow = robotWindow(o.robotLimit ?? 20, o.robotWindowMs ?? 60_000);
  const s: Omit<DingtalkServer, 'url' | 'close'> = {
    appKey: `ding${randomBytes(6).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
    agentId: 2_000_001,
    robotToken: randomBytes(16).toString('hex'),
    robotSecret: `SEC${randomBytes(16).toString('hex')}`,
    faults: [],
    overLimit: [],
    messages: [],
    robotMessages: [],
    badSigns: 0,
    knownUsers: new Set(),
  };
  const { server, url } = await listen((req, body, res) => {
    const u = new URL(req.url!, 'http://x');
    if (req.method === 'GET' && u.pathname === '/gettoken') {
      if (u.searchParams.get('appkey') !== s.appKey || u.searchParams.get('appsecret') !== s.appSecret)
        return json(res, { errcode: 40089, errmsg: '不合法的corpid或corpsecret' });
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return json(res, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (req.method === 'POST' && u.pathname === '/topapi/message/corpconversation/asyncsend_v2') {
      if (!tokens.has(u.searchParams.get('access_token') ?? '')) return json(res, { errcode: 40014, errmsg: '不合法的access_token' });
      const fault = s.faults.shift();
      if (fault === 'timeout') return hang(res, o.hangMs ?? 3000);
      if (fault === 'too-fast') return json(res, { errcode: 90018, errmsg: '当前企业调用该接口频率过快' });
      const m = JSON.parse(body);
      if (m.agent_id !== s.agentId || m.msg?.msgtype !== 'action_card' || !m.msg.action_card?.single_url)
        return json(res, { errcode: 40035, errmsg: '缺少参数' });
      if (
        fault === 'permanent' ||
        !String(m.userid_list)
          .split(',')
          .every((id) => s.knownUsers.has(id))
      )
        return json(res, { errcode: 33012, errmsg: '无效的USERID' });
      s.messages.push({ userid_list: m.userid_list, msg: m.msg });
      return json(res, { errcode: 0, errmsg: 'ok', task_id: Date.now(), request_id: randomBytes(6).toString('hex') });
    }
    if (req.method === 'POST' && u.pathname === '/robot/send') {
      if (u.searchParams.get('access_token') !== s.robotToken) return json(res, { errcode: 300001, errmsg: 'token is not exist' });
      const ts = Number(u.searchParams.get('timestamp'));
      const sign = u.searchParams.get('sign') ?? '';
      const expected = createHmac('sha256', s.robotSecret).update(`${ts}\n${s.robotSecret}`).digest('base64');
      // DingTalk accepts a timestamp within an hour of its clock, and the sign of exactly that timestamp.
      if (!Number.isFinite(ts) || Math.abs(Date.now() - ts) > 3600_000 || sign !== expected) {
        s.badSigns++;
        return json(res, { errcode: 310000, errmsg: 'sign not match' });
      }
      const fault = s.faults.shift();
      if (fault === 'timeout') return hang(res, o.hangMs ?? 3000);
      if (fault === 'too-fast') return json(res, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
      if (fault === 'permanent') return json(res, { errcode: 300001, errmsg: 'token is not exist' });
      const m = JSON.parse(body);
      if (m.msgtype !== 'markdown' || !m.markdown?.title || !m.markdown?.text) return json(res, { errcode: 40035, errmsg: '缺少参数' });
      if (!allow(s.robotToken)) {
        s.overLimit.push(m.markdown.title);
        return json(res, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
      }
      s.robotMessages.push({ title: m.markdown.title, text: m.markdown.text, at: Date.now() });
      return json(res, { errcode: 0, errmsg: 'ok' });
    }
    json(res, { errcode: 404, errmsg: 'not found' }, 404);
  });
  return Object.assign(s, { url, close: close(server) });
}

export interface AliyunSmsServer extends Base {
  /** host:port, as the SDK's endpoint takes it. */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templateCode: string;
  messages: { phone: string; params: Record<string, string>; outId: string | null }[];
  badSignatures: number;
}

/** RFC 3986 percent-encoding as Aliyun's canonical query string wants it. */
const pct = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** ACS3-HMAC-SHA256 (Aliyun's V3 request signature): the canonical request hashed, HMAC'd with the AccessKey secret. */
export function acs3Signature(
  secret: string,
  req: { method: string; path: string; query: URLSearchParams; headers: Record<string, string | string[] | undefined>; body: string },
  signedHeaders: string[],
): string {
  const query = [...req.query.entries()]
    .map(([k, v]) => [pct(k), pct(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = signedHeaders.map((h) => `${h}:${String(req.headers[h] ?? '').trim()}\n`).join('');
  const canonical = [req.method, req.path, query, headers, signedHeaders.join(';'), createHash('sha256').update(req.body).digest('hex')].join('\n');
  const toSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', secret).update(toSign).digest('hex');
}

export async function startAliyunSmsServer(o: { hangMs?: number } = {}): Promise<AliyunSmsServer> {
  const s: Omit<AliyunSmsServer, 'url' | 'close' | 'endpoint'> = {
    accessKeyId: `LTAI${randomBytes(8).toString('hex')}`,
    accessKeySecret: randomBytes(15).toString('base64'),
    signName: '组织生活',
    templateCode: 'SMS_465000123',
    faults: [],
    overLimit: [],
    messages: [],
    badSignatures: 0,
  };
  const { server, url } = await listen((req, body, res) => {
    const u = new URL(req.url!, 'http://x');
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const auth = String(req.headers.authorization ?? '');
    const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(auth);
    if (!m) return json(res, { Code: 'IncompleteSignature', Message: 'missing Authorization', RequestId: requestId }, 400);
    if (m[1] !== s.accessKeyId)
      return json(res, { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.', RequestId: requestId }, 404);
    const signed = m[2]!.split(';');
    const expected = acs3Signature(s.accessKeySecret, { method: req.method!, path: u.pathname, query: u.searchParams, headers: req.headers, body }, signed);
    const hash = createHash('sha256').update(body).digest('hex');
    if (m[3] !== expected || req.headers['x-acs-content-sha256'] !== hash || !signed.includes('x-acs-date') || !signed.includes('x-acs-signature-nonce')) {
      s.badSignatures++;
      return json(res, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.', RequestId: requestId }, 400);
    }
    if (req.headers['x-acs-action'] !== 'SendSms' || req.headers['x-acs-version'] !== '2017-05-25')
      return json(res, { Code: 'InvalidAction.NotFound', RequestId: requestId }, 404);
    const fault = s.faults.shift();
    if (fault === 'timeout') return hang(res, o.hangMs ?? 3000);
    if (fault === 'too-fast') return json(res, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1', RequestId: requestId });
    const q = u.searchParams;
    if (q.get('SignName') !== s.signName) return json(res, { Code: 'isv.SMS_SIGNATURE_ILLEGAL', Message: '该账号下找不到对应签名', RequestId: requestId });
    if (fault === 'permanent' || q.get('TemplateCode') !== s.templateCode)
      return json(res, { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: '该账号下找不到对应模板', RequestId: requestId });
    const phone = q.get('PhoneNumbers') ?? '';
    if (!/^1[3-9]\d{9}$/.test(phone)) return json(res, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '手机号码格式错误', RequestId: requestId });
    let params: Record<string, string>;
    try {
      params = JSON.parse(q.get('TemplateParam') ?? '');
    } catch {
      return json(res, { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法', RequestId: requestId });
    }
    // The approved template: "${title}，截止${due}，请及时办理：${link}".
    if (typeof params.title !== 'string' || typeof params.due !== 'string' || typeof params.link !== 'string') {
      return json(res, { Code: 'isv.TEMPLATE_MISSING_PARAMETERS', Message: '模板缺少变量', RequestId: requestId });
    }
    s.messages.push({ phone, params, outId: q.get('OutId') });
    return json(res, { Code: 'OK', Message: 'OK', BizId: `${Date.now()}^0`, RequestId: requestId });
  });
  return Object.assign(s, { url, endpoint: url.replace('http://', ''), close: close(server) });
}
