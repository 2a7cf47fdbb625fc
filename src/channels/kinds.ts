// The one definition of the message kinds people choose channels for, of the channels, and of which
// notification kind is which message kind. Every layer (the channel pass, the API's schemas, the settings page)
// reads these.

export const MESSAGE_KINDS = ['assigned', 'reminder', 'escalation', 'digest'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Channels a person can choose; the e-mail digest is sent by activities/notify.ts. */
export const PERSON_CHANNELS = ['email', 'wecom', 'dingtalk', 'sms'] as const;
export type PersonChannel = (typeof PERSON_CHANNELS)[number];

/** What a delivery-log row goes through: a person's channel or an organization's group robot. */
export const DELIVERY_CHANNELS = ['wecom', 'wecom-robot', 'dingtalk', 'dingtalk-robot', 'sms'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/**
 * A notification's kind (the `kind` column the activities write) as one of the four message kinds. A task put on
 * someone is "assigned"; reminders — the deadline's and a person's 催办 (nudge), the register's term-overdue
 * chase, next year's missing holidays told to the admins — are "reminder"; escalations are "escalation";
 * everything else (an extension, a plan, a cancellation) waits for the digest.
 */
export function messageKindOf(notificationKind: string): MessageKind {
  switch (notificationKind) {
    case 'task-opened':
    case 'task-delegated':
    case 'task-reassigned':
      return 'assigned';
    case 'reminder':
    case 'nudge':
    case 'term-overdue':
    case 'calendar-missing':
      return 'reminder';
    case 'escalation':
      return 'escalation';
    default:
      return 'digest';
  }
}

/** Escalations are urgent: quiet hours do not hold them. */
export const isUrgent = (k: MessageKind): boolean => k === 'escalation';

/**
 * Without a choice of their own: tasks, reminders and escalations go to the work apps a person has an id on,
 * escalations also by SMS; the digest by e-mail only.
 */
export function defaultChannels(kind: MessageKind): PersonChannel[] {
  if (kind === 'digest') return ['email'];
  if (kind === 'escalation') return ['email', 'wecom', 'dingtalk', 'sms'];
  return ['email', 'wecom', 'dingtalk'];
}
