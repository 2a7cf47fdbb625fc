// The API's shapes of the channel routes (src/api/routes/channels.ts), read by the web UI as types too.
import { z } from 'zod';
import { DELIVERY_CHANNELS, MESSAGE_KINDS, PERSON_CHANNELS, type MessageKind } from './kinds.js';

/** A delivery's states (migrations/070_channels.sql): pending → sending → sent | failed | unknown. */
export const DELIVERY_STATES = ['pending', 'sending', 'sent', 'failed', 'unknown'] as const;

export const contactSchema = z.object({
  mobile: z
    .string()
    .regex(/^1[3-9]\d{9}$/, 'an 11-digit mainland mobile number')
    .nullable()
    .optional(),
  wecomUserid: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]{1,64}$/, '企业微信 userid: letters, digits and _.@-, up to 64')
    .nullable()
    .optional(),
  dingtalkUserid: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]{1,64}$/, '钉钉 userid: letters, digits and _.@-, up to 64')
    .nullable()
    .optional(),
});
export const contactOut = z.object({
  username: z.string(),
  mobile: z.string().nullable(),
  wecomUserid: z.string().nullable(),
  dingtalkUserid: z.string().nullable(),
});
export const channelList = z.array(z.enum(PERSON_CHANNELS)).max(4);
export const prefsSchema = z.object({ assigned: channelList, reminder: channelList, escalation: channelList, digest: channelList } satisfies Record<
  MessageKind,
  typeof channelList
>);
export const deliverySchema = z.object({
  id: z.number(),
  channel: z.enum(DELIVERY_CHANNELS),
  recipient: z.string(),
  username: z.string().nullable(),
  organization: z.object({ code: z.string(), name: z.string() }),
  messageKind: z.enum(MESSAGE_KINDS),
  title: z.string(),
  status: z.enum(DELIVERY_STATES),
  attempts: z.number(),
  vendorAnswer: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  resentFrom: z.number().nullable(),
});
