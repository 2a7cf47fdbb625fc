// SMS through Aliyun's official SDK (@alicloud/dysmsapi20170525): it signs each request (ACS3-HMAC-SHA256 with the
// AccessKey secret) and speaks the SendSms API, so none of that is hand-written here. Only pre-approved signature
// names and template codes can be sent; the template's parameters are filled from the message.
import Dysmsapi, * as $Dysmsapi from '@alicloud/dysmsapi20170525';
import * as $OpenApi from '@alicloud/openapi-client';
import type { ChannelMessage, SendOutcome } from './outcome.js';

export interface SmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** The approved template, e.g. "${title}，截止${due}，请及时办理：${link}". */
  templateCode: string;
  /** dysmsapi.aliyuncs.com unless pointed elsewhere (tests: the local server, with protocol http). */
  endpoint?: string;
  protocol?: 'https' | 'http';
  timeoutMs?: number;
  /** Quiet hours in Asia/Shanghai, "HH:MM-HH:MM" (default 22:00-08:00): non-urgent SMS wait until they end. */
  quietHours?: string;
}

/** Aliyun's flow-control answers: send again later. */
const TOO_FAST = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'Throttling.User', 'Throttling', 'ServiceUnavailable', 'isv.DAY_LIMIT_CONTROL']);

// The package is CommonJS with `exports.default = Client`: under Node's ESM the class is the default's default.
const DysmsapiCtor = ((Dysmsapi as unknown as { default?: unknown }).default ?? Dysmsapi) as typeof Dysmsapi.default;
type DysmsapiClient = InstanceType<typeof Dysmsapi.default>;

export function aliyunSms(o: SmsOptions) {
  const client: DysmsapiClient = new DysmsapiCtor(
    new $OpenApi.Config({
      accessKeyId: o.accessKeyId,
      accessKeySecret: o.accessKeySecret,
      endpoint: o.endpoint ?? 'dysmsapi.aliyuncs.com',
      protocol: o.protocol ?? 'https',
    }),
  );
  const timeout = o.timeoutMs ?? 10_000;
  return {
    async send(mobile: string, m: ChannelMessage, outId: string): Promise<SendOutcome> {
      const params = { title: m.title.slice(0, 35), due: m.dueOn ?? '', link: m.url };
      try {
        const r = await client.sendSmsWithOptions(
          new $Dysmsapi.SendSmsRequest({
            phoneNumbers: mobile,
            signName: o.signName,
            templateCode: o.templateCode,
            templateParam: JSON.stringify(params),
            outId,
          }),
          { readTimeout: timeout, connectTimeout: timeout, autoretry: false } as never,
        );
        const body = r.body;
        const answer = JSON.stringify(body);
        if (body?.code === 'OK') return { status: 'sent', answer };
        return TOO_FAST.has(body?.code ?? '') ? { status: 'retry', answer } : { status: 'failed', answer };
      } catch (err) {
        const e = err as { code?: string; message?: string; statusCode?: number; data?: unknown };
        const answer = JSON.stringify({ code: e.code, statusCode: e.statusCode, message: e.message?.slice(0, 300) });
        // Errors the SDK throws for an HTTP 4xx carry Aliyun's code; the rest (timeouts, resets, 5xx) are transient.
        if (e.code && !TOO_FAST.has(e.code) && e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { status: 'failed', answer };
        return { status: 'retry', answer };
      }
    },
  };
}

/** The end of the quiet hours holding a non-urgent SMS at `now`, or null when it may go now. */
export function quietUntil(now: Date, quietHours = '22:00-08:00'): Date | null {
  const [from, to] = quietHours.split('-').map((t) => {
    const [h, mi] = t.split(':').map(Number);
    return h! * 60 + mi!;
  }) as [number, number];
  // Asia/Shanghai has no daylight saving: UTC+8 all year.
  const local = new Date(now.getTime() + 8 * 3600_000);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const quiet = from <= to ? minute >= from && minute < to : minute >= from || minute < to;
  if (!quiet) return null;
  const end = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), Math.floor(to / 60), to % 60) - 8 * 3600_000);
  return end.getTime() > now.getTime() ? end : new Date(end.getTime() + 86_400_000);
}
